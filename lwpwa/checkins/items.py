"""The items of a batch, parsed and shape-checked without the database (so that, on SQLite,
this runs before the request takes the write lock).

What a request and an item may be is declared in declarations.py (SyncRequest, SyncItem).
`read_request` reads a body the quick way first: the whole batch parsed and checked in one
call of pydantic-core (SYNC_BATCH), which holds for every batch whose items are all valid. A
batch it refuses (a bad item, a body the JSON parser of the app reads differently, a bad
envelope) is read again the exact way: the app's JSON parser, SyncRequest for the envelope's
400 answers, and each item on its own (`parse_batch`), an item that fails its declaration
becoming `rejected` `invalid`, kept with what was sent.
"""
import json
import re
import uuid
from datetime import timezone

import numpy
from flask import request
from flask_babel import gettext as _
from pydantic import ValidationError as PydanticError

from ..api.body import json_body, parse_timestamp
from ..errors import ApiError
from ..residents import codes
from ..text import escaped
from .declarations import MAX_ACTIVITY_ID, MAX_HEADCOUNT, SYNC_BATCH, SYNC_ITEM, VOID, OtherSpelling, SyncRequest  # noqa: F401
from .models import KINDS

ACCEPTED, DUPLICATE, HELD, REJECTED = "accepted", "duplicate", "held", "rejected"
VOIDED = "voided"  # a check-in's status once a correction undid it

# A canonical UUID (what str(uuid.UUID(x)) makes) is taken as it is; anything else is parsed.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
# The check character of canonical codes, for a whole batch at once: the same Luhn mod 32 as
# codes.check_character, each character's addend looked up by str.translate (as the character
# whose code point is the addend), the sums done by numpy over all codes together.
_N = len(codes.ALPHABET)
_TIMES_ONE = str.maketrans({ch: chr(i) for i, ch in enumerate(codes.ALPHABET)})
_TIMES_TWO = str.maketrans({ch: chr((2 * i) // _N + (2 * i) % _N) for i, ch in enumerate(codes.ALPHABET)})


class Item:
    """One item of a batch, parsed, then decided."""

    __slots__ = ("index", "echo_id", "client_id", "activity_id", "kind", "code", "headcount",
                 "device_scanned_at", "scanned_at", "row", "status", "reason", "count_key", "raw",
                 "voids", "target", "voided_by", "round", "utc")

    def __init__(self, index, echo_id=None, client_id=None, activity_id=None, kind=None, code=None,
                 headcount=None, device_scanned_at=None, voids=None):
        self.index = index
        self.echo_id, self.client_id = echo_id, client_id
        self.activity_id, self.kind, self.code, self.headcount = activity_id, kind, code, headcount
        self.device_scanned_at = device_scanned_at
        self.scanned_at = self.row = self.status = self.reason = self.count_key = self.raw = None
        # A void (kind "void"): `voids` is the id it undoes, `target` what it found there (an
        # earlier Item of this batch, or voids.Target, a stored check-in). A check-in of this
        # batch undone by a later void of it has that void in `voided_by`; `round` is the
        # insert round of a check-in (sync.sync_batch): 0, or one more than the round of an
        # undone check-in of the same person whose count it takes over.
        self.voids = voids
        self.target = self.voided_by = None
        self.round = 0
        # (device_scanned_at, scanned_at) in naive UTC, as stored, once sync_batch set
        # scanned_at; None for either that falls outside the calendar in UTC.
        self.utc = None

    def decide(self, status, reason=None):
        self.status, self.reason = status, reason


def uuid_or_none(value):
    """A UUID in canonical form, or None if `value` is not one."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    if len(value) == 36 and _CANONICAL_UUID.match(value):
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def bad_check_characters(texts):
    """The positions in `texts` (canonical codes: 17 characters of the alphabet) of those whose
    last character is not the check character of the other 16 (codes.check_character)."""
    if not texts:
        return []
    joined = "".join(texts)
    ones = numpy.frombuffer(joined.translate(_TIMES_ONE).encode("latin-1"), numpy.uint8).reshape(-1, codes.CODE_LENGTH)
    twos = numpy.frombuffer(joined.translate(_TIMES_TWO).encode("latin-1"), numpy.uint8).reshape(-1, codes.CODE_LENGTH)
    # Factor 2 from the body's last character (position 15), alternating towards the first.
    total = twos[:, 1:codes.BODY_LENGTH:2].sum(axis=1, dtype=numpy.int64) \
        + ones[:, 0:codes.BODY_LENGTH:2].sum(axis=1, dtype=numpy.int64)
    expected = (_N - total % _N) % _N
    return numpy.flatnonzero(expected != ones[:, codes.BODY_LENGTH]).tolist()


# Should codes.py ever change its check, this copy must not silently disagree.
_VECTORS = ["0123456789ABCDEF", "ZYXWVTSRQPNMKJHG", "7" * codes.BODY_LENGTH, codes.new_code()[:-1]]
if bad_check_characters([body + codes.check_character(body) for body in _VECTORS]) \
        or bad_check_characters([body + ("0" if codes.check_character(body) != "0" else "1") for body in _VECTORS]) \
        != list(range(len(_VECTORS))):
    raise RuntimeError("items.bad_check_characters disagrees with codes.check_character")


def read_request(limit):
    """(device_id, sent_at, items, raw_items) of this request's sync body, or the 400 and 413
    answers of API.md. `raw_items[i]` is item i as sent (for the audit of refused items)."""
    data = request.get_data()
    try:
        batch = SYNC_BATCH.validate_json(data)
    except PydanticError:
        batch = None
    if batch is not None:  # every item valid
        checkins = batch["checkins"]
        _check_size(len(checkins), limit)
        raw_items = _RawItems(data)
        items = [_valid_item(index, item) for index, item in enumerate(checkins)]
        _check_codes(items, raw_items)
        return batch["device_id"], batch["sent_at"], items, raw_items
    body = SyncRequest.check(json_body())
    _check_size(len(body.checkins), limit)
    return body.device_id, body.sent_at, parse_batch(body.checkins), body.checkins


def _check_size(count, limit):
    if count > limit:
        raise ApiError(413, "batch_too_large",
                       _("At most %(n)d check-ins per request; send the rest in another.", n=limit))


class _RawItems:
    """The items as the app's JSON parser reads them, parsed only if one is asked for (an item
    refused for its activity or its code is kept with what was sent)."""

    def __init__(self, data):
        self.data = data
        self.items = None

    def __getitem__(self, index):
        if self.items is None:
            self.items = json_body()["checkins"]
        return self.items[index]


def parse_batch(raw_items):
    """Every item of a list, as declared (SyncItem), one by one: an item that does not fit is
    `rejected` `invalid`, with what it had that can be stored for the audit."""
    items = []
    for index, data in enumerate(raw_items):
        try:
            valid = SYNC_ITEM.validate_python(data)
        except PydanticError:
            items.append(_invalid_item(index, data))
        else:
            items.append(_valid_item(index, valid))
    _check_codes(items, raw_items)
    return items


def _valid_item(index, data):
    sent = data["id"]
    echo_id, client_id = sent if sent.__class__ is OtherSpelling else (sent, sent)
    if data["kind"] == VOID:
        return Item(index, echo_id, client_id, device_scanned_at=data["scanned_at"], voids=data["voids"])
    return Item(index, echo_id, client_id, data["activity_id"], data["kind"], data.get("code"),
                data.get("headcount"), data["scanned_at"])


def _check_codes(items, raw_items):
    """A code whose check character is wrong (mistyped, or damaged) makes its item invalid."""
    with_code = [item for item in items if item.code is not None]
    for position in bad_check_characters([item.code for item in with_code]):
        item = with_code[position]
        _make_invalid(item, raw_items[item.index])


def _make_invalid(item, data):
    item.code = item.headcount = item.voids = None
    item.raw = data
    item.decide(REJECTED, "invalid")


def _invalid_item(index, data):
    """An item that does not fit SyncItem: what it had of an id (so that a resend answers the
    same), an activity, a kind and a time is stored with it, as far as each is valid."""
    item = Item(index)
    _make_invalid(item, data)
    if not isinstance(data, dict):
        return item
    sent_id = data.get("id")
    item.client_id = uuid_or_none(sent_id)
    # The id the answer names: as sent (a UUID in another spelling is still that UUID), or,
    # for an item without a usable one, whatever short text or number it had.
    if item.client_id is not None or (isinstance(sent_id, (str, int)) and len(str(sent_id)) <= 64):
        item.echo_id = sent_id
    item.device_scanned_at = parse_timestamp(data.get("scanned_at"))
    kind = data.get("kind")
    if kind != VOID:
        item.kind = kind if kind in KINDS else None
        activity_id = data.get("activity_id")
        if isinstance(activity_id, int) and not isinstance(activity_id, bool) and 0 < activity_id <= MAX_ACTIVITY_ID:
            item.activity_id = activity_id
    return item


def raw_text(value):
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    # A lone surrogate or a control character cannot be stored or exported: kept as \uXXXX.
    return escaped(text)[:500]


def utc_day(moment, zone):
    """The local day in `zone` of `moment`, a naive UTC time (sync_batch's `Item.utc`), or None
    in the first or last hours of the calendar."""
    try:
        return moment.replace(tzinfo=timezone.utc).astimezone(zone).date()
    except OverflowError:
        return None


def local_day(moment, zone):
    try:
        return moment.astimezone(zone).date()
    except OverflowError:  # the first or last hours of the calendar
        return None
