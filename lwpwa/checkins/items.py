"""The items of a batch, parsed and shape-checked without the database (so that, on SQLite,
this runs before the request takes the write lock)."""
import json
import re
import uuid

from ..api.body import parse_timestamp
from ..residents import codes
from .models import KINDS

ACCEPTED, DUPLICATE, HELD, REJECTED = "accepted", "duplicate", "held", "rejected"
VOIDED = "voided"  # a check-in's status once a correction undid it
VOID = "void"  # the kind of a sync item that undoes an earlier one
MAX_HEADCOUNT = 10_000


# A canonical UUID (what str(uuid.UUID(x)) makes) is taken as it is; anything else is parsed.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
# A code already in canonical form (what codes.normalize makes) only needs its check character:
# the same Luhn mod 32 as codes.check_character, with each character's addend looked up by
# str.translate (as a character whose code point is the addend) instead of a loop.
_CANONICAL_CODE = re.compile(f"[{codes.ALPHABET}]{{{codes.CODE_LENGTH}}}\\Z")
_N = len(codes.ALPHABET)
_TIMES_ONE = str.maketrans({ch: chr(i) for i, ch in enumerate(codes.ALPHABET)})
_TIMES_TWO = str.maketrans({ch: chr((2 * i) // _N + (2 * i) % _N) for i, ch in enumerate(codes.ALPHABET)})


class Item:
    """One item of a batch, parsed, then decided."""

    __slots__ = ("index", "echo_id", "client_id", "activity_id", "kind", "code", "headcount",
                 "device_scanned_at", "scanned_at", "row", "status", "reason", "count_key", "raw",
                 "voids", "target", "voided_by", "round")

    def __init__(self, index):
        self.index = index
        self.echo_id = self.client_id = self.activity_id = self.kind = self.code = None
        self.headcount = self.device_scanned_at = self.scanned_at = self.row = None
        self.status = self.reason = self.count_key = self.raw = None
        # A void (kind "void"): `voids` is the id it undoes, `target` what it found there (an
        # earlier Item of this batch, or voids.Target, a stored check-in). A check-in of this
        # batch undone by a later void of it has that void in `voided_by`; `round` is the
        # insert round of a check-in (sync.sync_batch): 0, or one more than the round of an
        # undone check-in of the same person whose count it takes over.
        self.voids = self.target = self.voided_by = None
        self.round = 0

    def decide(self, status, reason=None):
        self.status, self.reason = status, reason


def uuid_or_none(value):
    """A UUID in canonical form, or None if `value` is not one."""
    return _uuid(value)


def _uuid(value):
    if not isinstance(value, str) or len(value) > 64:
        return None
    if len(value) == 36 and _CANONICAL_UUID.match(value):
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _check_character(body):
    """codes.check_character without the loop: factor 2 from the last character, alternating."""
    total = (sum(body[-1::-2].translate(_TIMES_TWO).encode("latin-1"))
             + sum(body[-2::-2].translate(_TIMES_ONE).encode("latin-1")))
    return codes.ALPHABET[(_N - total % _N) % _N]


# Should codes.py ever change its check, this copy must not silently disagree.
for _body in ("0123456789ABCDEF", "ZYXWVTSRQPNMKJHG", "7" * codes.BODY_LENGTH, codes.new_code()[:-1]):
    if _check_character(_body) != codes.check_character(_body):
        raise RuntimeError("sync.parse_code disagrees with codes.check_character")


def parse_code(text):
    """codes.parse, with a fast path for a code already in canonical form (as scanners send it)."""
    if isinstance(text, str) and len(text) == codes.CODE_LENGTH and _CANONICAL_CODE.match(text):
        return text if _check_character(text[:-1]) == text[-1] else None
    return codes.parse(text)


def parse_item(index, data):
    """Shape checks only; an item that fails them is rejected as `invalid`."""
    item = Item(index)
    if not isinstance(data, dict):
        item.raw = data
        item.decide(REJECTED, "invalid")
        return item
    sent_id = data.get("id")
    item.client_id = _uuid(sent_id)
    # The id the answer names: as sent (a UUID in another spelling is still that UUID), or,
    # for an item without a usable one, whatever short text or number it had.
    if item.client_id is not None or (isinstance(sent_id, (str, int)) and len(str(sent_id)) <= 64):
        item.echo_id = sent_id
    kind = data.get("kind")
    if kind == VOID:
        return _parse_void(item, data)
    activity_id = data.get("activity_id")
    code = data.get("code")
    headcount = data.get("headcount")
    item.device_scanned_at = parse_timestamp(data.get("scanned_at"))
    item.kind = kind if kind in KINDS else None
    if isinstance(activity_id, int) and not isinstance(activity_id, bool) and 0 < activity_id < 2**31:
        item.activity_id = activity_id
    has_code, has_headcount = code is not None, headcount is not None
    valid = (
        item.client_id is not None
        and item.activity_id is not None
        and item.kind is not None
        and item.device_scanned_at is not None
        and has_code != has_headcount
    )
    if valid and has_headcount:
        valid = (isinstance(headcount, int) and not isinstance(headcount, bool)
                 and 1 <= headcount <= MAX_HEADCOUNT)
        item.headcount = headcount if valid else None
    if valid and has_code:
        item.code = parse_code(code)
        valid = item.code is not None
    if not valid:
        item.raw = data
        item.decide(REJECTED, "invalid")
    return item


def _parse_void(item, data):
    """`{"id", "kind": "void", "voids", "scanned_at"}`: the undo of an earlier item. A void that
    does not fit is rejected `invalid` and kept like any other invalid item."""
    item.voids = _uuid(data.get("voids"))
    item.device_scanned_at = parse_timestamp(data.get("scanned_at"))
    if item.client_id is None or item.voids is None or item.device_scanned_at is None \
            or item.voids == item.client_id:
        item.voids = None
        item.raw = data
        item.decide(REJECTED, "invalid")
    return item


def raw_text(value):
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text[:500]


def parse_batch(raw_items):
    """Shape checks of every item: no database, so a caller may do it before taking the write
    lock (see api.sync)."""
    return [parse_item(i, data) for i, data in enumerate(raw_items)]


def local_day(moment, zone):
    try:
        return moment.astimezone(zone).date()
    except OverflowError:  # the first or last hours of the calendar
        return None
