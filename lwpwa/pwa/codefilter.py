"""Compact filters of the sign-in codes, so that a phone offline can tell a code that can count
from an unregistered or a revoked one (issue 13), without holding any code in clear.

Two Bloom filters per campaign, of SHA-256(salt ‖ code) where the salt is the campaign's own
(derived from SECRET_KEY, so filters of two campaigns cannot be compared):

- `codes`: every code ever issued, at most 1 false positive in 1,000 and at most 2 bytes per
  code (15.2 bits a code of capacity, 10 hashes: 0.68 in 1,000 when full);
- `revoked`: the revoked codes, at most 1 in 1,000,000 (29 bits, 20 hashes), so that a valid
  code is almost never shown as withdrawn. A Bloom filter cannot forget: a revoked code stays in
  `codes` and the phone asks `revoked` first.

The size of each filter follows its number of codes in steps of 5 % ("generations"): a filter
is sized for 1.05^g codes, so it holds between 1.9 and 2.0 bytes per code of `codes` and stays
under its false-positive bound. Within a generation the phone gets only what was added since
its cursor (8 bytes of hash per code); a new generation, or a cursor from another secret, gets
the whole filter again. Adding the same code twice sets the same bits, so deltas overlap by
OVERLAP to cover a transaction that committed after a later one had been read.

The full filters are built once per process and generation, then brought up to date from
`created_at` / `revoked_at` (both indexed, migration 0011) at each request.
"""
import base64
import hashlib
import hmac
import math
import threading
from datetime import datetime, timedelta, timezone

import numpy as np
from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..residents.models import SignInCode

GROWTH = 1.05
OVERLAP = timedelta(minutes=2)
KEY_BYTES = 8


class Kind:
    def __init__(self, name, bits_per_code, hashes, minimum):
        self.name, self.bits_per_code, self.hashes, self.minimum = name, bits_per_code, hashes, minimum

    def generation(self, count):
        return math.ceil(math.log(max(count, self.minimum)) / math.log(GROWTH) - 1e-9)

    def bits(self, generation):
        capacity = GROWTH ** generation
        return max(64, math.ceil(capacity * self.bits_per_code / 64) * 64)


CODES = Kind("codes", 15.2, 10, 1024)
REVOKED = Kind("revoked", 29.0, 20, 64)


def campaign_salt(campaign_id, secret=None):
    secret = secret if secret is not None else current_app.config["SECRET_KEY"]
    return hmac.new(str(secret).encode(), f"lwpwa-code-filter:{campaign_id}".encode(),
                    hashlib.sha256).digest()[:16]


def key_of(salt, code):
    """The 8 bytes of hash a code is known by (the phone computes the same with SubtleCrypto)."""
    return hashlib.sha256(salt + code.encode("ascii")).digest()[:KEY_BYTES]


def positions(key, bits, hashes):
    """Kirsch–Mitzenmacher: k positions from two 32-bit halves (the second made odd)."""
    h1 = int.from_bytes(key[:4], "big")
    h2 = int.from_bytes(key[4:8], "big") | 1
    return [(h1 + i * h2) % bits for i in range(hashes)]


VECTOR_FROM = 5000  # keys; fewer are set one by one (a delta), more with numpy (a whole filter)


def add_keys(bitset, keys, bits, hashes):
    """Set the positions of every 8-byte key in `bitset` (a bytearray of bits/8 bytes)."""
    keys = keys if isinstance(keys, (bytes, bytearray)) else b"".join(keys)
    if len(keys) // 8 >= VECTOR_FROM:
        halves = np.frombuffer(keys, dtype=">u4").reshape(-1, 2).astype(np.uint64)
        h1, h2 = halves[:, 0], halves[:, 1] | np.uint64(1)
        marks = np.zeros(bits, dtype=bool)
        for i in range(hashes):
            marks[(h1 + np.uint64(i) * h2) % np.uint64(bits)] = True
        view = np.frombuffer(bitset, dtype=np.uint8)
        np.bitwise_or(view, np.packbits(marks, bitorder="little"), out=view)
        return
    for index in range(0, len(keys) - 7, 8):
        key = keys[index:index + 8]
        h1 = int.from_bytes(key[:4], "big")
        h2 = int.from_bytes(key[4:8], "big") | 1
        for i in range(hashes):
            p = (h1 + i * h2) % bits
            bitset[p >> 3] |= 1 << (p & 7)


def contains(bitset, key, bits, hashes):
    return all(bitset[p >> 3] & (1 << (p & 7)) for p in positions(key, bits, hashes))


# ------------------------------------------------------------------ reading the database

def _codes_count():
    # max(id) is an upper bound of the count read from the primary key alone (rows are never deleted).
    return db.session.scalar(select(func.max(SignInCode.id))) or 0


def _revoked_count():
    return db.session.scalar(select(func.count()).where(SignInCode.revoked_at.is_not(None))) or 0


def _codes_since(kind, since):
    column = SignInCode.created_at if kind is CODES else SignInCode.revoked_at
    query = select(SignInCode.code)
    query = query.where(column >= since) if since is not None else query.where(column.is_not(None))
    return db.session.scalars(query.execution_options(yield_per=10_000))


# ------------------------------------------------------------------ the per-process cache

_cache = {}
_lock = threading.Lock()


def _full(kind, salt, generation, now):
    """The whole filter of `kind` for this salt and generation, up to date as of `now`."""
    bits = kind.bits(generation)
    # Keyed by the database too: one process may serve (or test) several.
    place = (kind.name, salt, db.engine.url.render_as_string(hide_password=True))
    with _lock:
        entry = _cache.get((*place, generation))
        if entry is None:
            bitset, since = bytearray(bits // 8), None
        else:
            bitset, since = entry[0], entry[1] - OVERLAP
        add_keys(bitset, [key_of(salt, code) for code in _codes_since(kind, since)], bits, kind.hashes)
        # Drop older generations of this salt: one filter per kind and salt is kept.
        for stale in [k for k in _cache if k[:3] == place and k[3] != generation]:
            del _cache[stale]
        _cache[(*place, generation)] = (bitset, now)
        return bytes(bitset)


def clear_cache():
    with _lock:
        _cache.clear()


# ------------------------------------------------------------------ the answer

def _fingerprint(salt):
    return hashlib.sha256(salt).hexdigest()[:8]


def make_cursor(salt, generations, now):
    return f"{_fingerprint(salt)}.{generations[0]}.{generations[1]}.{int(now.timestamp())}"


def parse_cursor(cursor, salt):
    """(codes generation, revoked generation, time) of a cursor made for this salt, else None."""
    try:
        fingerprint, g_codes, g_revoked, stamp = str(cursor).split(".")
        if fingerprint != _fingerprint(salt):
            return None
        when = datetime.fromtimestamp(int(stamp), timezone.utc)
        return int(g_codes), int(g_revoked), when
    except (ValueError, OverflowError, OSError):
        return None


def _part(kind, salt, count, previous, since, now):
    generation = kind.generation(count)
    bits = kind.bits(generation)
    part = {"bits": bits, "hashes": kind.hashes, "count": count, "generation": generation}
    if previous == generation and since is not None:
        keys = [key_of(salt, code) for code in _codes_since(kind, since - OVERLAP)]
        if len(keys) * KEY_BYTES < bits // 8:
            part.update(full=False, add=base64.b64encode(b"".join(keys)).decode("ascii"), data=None)
            return part, generation
    part.update(full=True, add=None, data=base64.b64encode(_full(kind, salt, generation, now)).decode("ascii"))
    return part, generation


def code_filter(campaign_id, since=None, now=None):
    """The answer of GET /api/v1/campaigns/<id>/code-filter: deltas since the phone's cursor."""
    now = now or datetime.now(timezone.utc)
    salt = campaign_salt(campaign_id)
    previous = parse_cursor(since, salt) if since else None
    prev_codes, prev_revoked, when = previous if previous else (None, None, None)
    codes, g_codes = _part(CODES, salt, _codes_count(), prev_codes, when, now)
    revoked, g_revoked = _part(REVOKED, salt, _revoked_count(), prev_revoked, when, now)
    return {
        "campaign_id": campaign_id,
        "cursor": make_cursor(salt, (g_codes, g_revoked), now),
        "generated_at": now.isoformat(),
        "salt": salt.hex(),
        "key": "sha256(salt || code)[0:8]; positions (h1 + i*h2) mod bits, h1 = bytes 0-3, "
               "h2 = bytes 4-7 | 1, big-endian; bit p is byte p>>3, mask 1<<(p&7)",
        "hold_margin_hours": current_app.config["SYNC_HOLD_MARGIN_HOURS"],
        "codes": codes,
        "revoked": revoked,
    }
