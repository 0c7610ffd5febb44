"""What a request about check-ins may say: one declaration each (lwpwa.api.declare), which
validates it, types it and generates its part of the OpenAPI document.

- POST /api/v1/sync: `SyncRequest` (the envelope) and its items, `SyncItem`: a `SyncCheckin`
  or a `SyncVoid`, told apart by `kind`. An item that fits neither never fails the request:
  it is answered `rejected` with reason `invalid` and kept for audit (items.py). So the
  envelope's `checkins` is checked as a list here, and each item on its own.
- POST /api/v1/checkins/<client_id>/void: `VoidRequest`.
- GET /api/v1/activities/<id>/stats and …/corrections take no query parameters.

Speed (bench/sync_ingest.py): the items' field types are pydantic-core's own (strings with a
pattern, strict integers, literals), so a whole batch is parsed and checked in one call in
Rust (`SYNC_BATCH.validate_json`, items.read_batch) instead of Python per field. What the
canonical forms do not cover (an id or a code spelt another way, a time in another ISO 8601
form) falls through to the same Python rules as before, field by field (`left_to_right`
unions: the Rust branch first), so every item is decided exactly as before. The check
character of the codes is verified for the whole batch at once (items.bad_check_characters).
"""
import unicodedata
import uuid
from typing import Annotated, Any, Literal, NamedTuple, Union

from flask_babel import gettext as _
from pydantic import AfterValidator, Field, PlainValidator, Strict, StringConstraints, TypeAdapter, WithJsonSchema
from pydantic_core import core_schema
from typing_extensions import NotRequired, TypedDict

from ..api.body import parse_timestamp
from ..api.declare import Body, Text, Timestamp, declared, document_schema, refuse
from ..api.spec import SYNC_MAX_ITEMS
from ..residents import codes
from .models import KINDS

MAX_HEADCOUNT = 10_000
MAX_ACTIVITY_ID = 2**31 - 1
VOID = "void"  # the kind of an item that undoes an earlier one

# The canonical spellings, checked in Rust. A UUID as str(uuid.UUID(x)) spells it; a code as
# codes.normalize makes it; a time in the ISO 8601 form phones send (the offset required),
# for which pydantic-core and datetime.fromisoformat agree (tests/test_sync_declarations.py).
UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
CODE_PATTERN = f"^[{codes.ALPHABET}]{{{codes.CODE_LENGTH}}}$"
TIME_PATTERN = ("^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?"
                "(Z|[+-][0-9]{2}:[0-9]{2})$")
TIME_MAX_LENGTH = 40


def _strict_text(pattern):
    return Annotated[str, Strict(), StringConstraints(pattern=pattern)]


def _first_rust_then(canonical, lenient, schema):
    """A field type: `canonical` (checked in Rust) or else `lenient` (a Python check), as the
    document's `schema` says."""
    return Annotated[Union[canonical, Annotated[Any, PlainValidator(lenient)]],
                     Field(union_mode="left_to_right"), WithJsonSchema(schema)]


# An item's problems are never shown (the item is answered `invalid`): plain ValueErrors.

def _uuid_spelling(value):
    """A UUID spelt another way (capitals, no dashes, braces …): the same UUID."""
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError("not a UUID")
    return str(uuid.UUID(value))


class OtherSpelling(NamedTuple):
    """An id sent in another spelling of its UUID: the answer names it as sent, the database
    keeps the canonical one."""
    sent: str
    canonical: str


def _id_spelling(value):
    return OtherSpelling(value, _uuid_spelling(value))


def _code_spelling(value):
    """What people type: lower case, dashes and spaces, O for 0, I or L for 1 (codes.parse)."""
    code = codes.parse(value)
    if code is None:
        raise ValueError("not a sign-in code")
    return code


def _time_text(value):
    """Any other ISO 8601 date-time that datetime.fromisoformat reads, with an offset."""
    moment = parse_timestamp(value)
    if moment is None:
        raise ValueError("not an ISO 8601 date-time with an offset")
    return moment


class _CanonicalTime:
    """A date-time in the common ISO 8601 form, parsed by pydantic-core."""

    @classmethod
    def __get_pydantic_core_schema__(cls, _source, _handler):
        return core_schema.chain_schema([
            core_schema.str_schema(pattern=TIME_PATTERN, max_length=TIME_MAX_LENGTH, strict=True),
            core_schema.datetime_schema(tz_constraint="aware"),
        ])


def _time(description):
    return _first_rust_then(_CanonicalTime, _time_text, {
        "type": "string", "format": "date-time", "maxLength": TIME_MAX_LENGTH,
        "description": f"{description} ISO 8601 with a UTC offset, e.g. 2022-12-15T09:31:02+08:00 "
                       "(kept as sent; corrected by the device's clock error)."})


# The id as sent: a str when canonical, else OtherSpelling (items.py stores the canonical one).
ClientId = _first_rust_then(_strict_text(UUID_PATTERN), _id_spelling,
                            {"type": "string", "format": "uuid"})
# The id of the item an undo names: canonical.
TargetId = _first_rust_then(_strict_text(UUID_PATTERN), _uuid_spelling,
                            {"type": "string", "format": "uuid"})
ActivityId = Annotated[int, Strict(), Field(ge=1, le=MAX_ACTIVITY_ID)]
# Canonical: the check character is then verified for the whole batch at once (items.py).
SignInCode = _first_rust_then(_strict_text(CODE_PATTERN), _code_spelling, {
    "type": "string", "maxLength": 64,
    "description": "A sign-in code; case, dashes and spaces are ignored, and its check "
                   "character must be right."})
Headcount = Annotated[int, Strict(), Field(ge=1, le=MAX_HEADCOUNT, description="Anonymous walk-ins counted by hand.")]


def _code_or_headcount(item):
    if (item.get("code") is None) == (item.get("headcount") is None):
        raise ValueError("a code or a headcount, not both or neither")
    return item


class SyncCheckin(TypedDict):
    """One check-in: a `code` (one identified person) or a `headcount`, never both. An item
    that does not fit this schema does not fail the request: it is answered `rejected` with
    reason `invalid`."""
    __pydantic_config__ = {"json_schema_extra": {"oneOf": [
        {"required": ["code"], "properties": {"code": {"type": "string"}, "headcount": {"type": "null"}}},
        {"required": ["headcount"], "properties": {"headcount": {"type": "integer"}, "code": {"type": "null"}}},
    ]}}

    id: Annotated[ClientId, Field(description="Made on the device; the idempotency key of this check-in.")]
    activity_id: ActivityId
    kind: Literal[KINDS]
    code: NotRequired[SignInCode | None]
    headcount: NotRequired[Headcount | None]
    scanned_at: _time("The device's clock at the scan.")


def _not_itself(item):
    sent = item["id"]
    if (sent.canonical if isinstance(sent, OtherSpelling) else sent) == item["voids"]:
        raise ValueError("an undo of itself")
    return item


class SyncVoid(TypedDict):
    """The phone's undo (撤销). It answers `accepted` when it voided its target, `duplicate`
    when the target was voided already, `rejected` with `void_not_allowed` otherwise."""
    id: Annotated[ClientId, Field(description="Made on the device; the idempotency key of this undo.")]
    kind: Literal[VOID]
    voids: Annotated[TargetId, Field(description="The id of the earlier check-in or tally to undo: one of "
                                                 "the same user, made at most 15 minutes before this undo's "
                                                 "corrected time.")]
    scanned_at: _time("The device's clock when the user undid it.")


SyncItem = Annotated[
    Union[Annotated[SyncCheckin, AfterValidator(_code_or_headcount)], Annotated[SyncVoid, AfterValidator(_not_itself)]],
    Field(discriminator="kind"),
]
SYNC_ITEM = TypeAdapter(SyncItem)
SYNC_ITEM_DESCRIPTION = ("A check-in (`kind` attendee or volunteer) or the undo of an earlier one (`kind` "
                         "void). An item that fits neither does not fail the request: it is answered "
                         "`rejected` with reason `invalid`.")


def _checkins(value):
    if not isinstance(value, list):
        refuse(_("Must be a list of check-ins."))
    return value


DeviceId = Text(64, required=True, description="A stable id of the device (a UUID).")
SentAt = Timestamp(bounded=False, description="The device's clock when it sent this request "
                                              "(any clock: only the difference to the server's counts).")
# Each item is checked on its own (items.parse_batch); maxItems is the config's SYNC_MAX_ITEMS
# in the served document (openapi.build_document).
Checkins = declared(_checkins, {"type": "array", "maxItems": SYNC_MAX_ITEMS,
                                "description": "The queued items, in the order they were made."})


def _required_in_document(*names):
    def extra(schema):
        schema["required"] = [*schema.get("required", ()), *(n for n in names if n not in schema.get("required", ()))]
    return extra


class SyncRequest(Body):
    """A batch of queued check-ins and undos from a scanner."""
    model_config = {"json_schema_extra": _required_in_document("checkins")}

    device_id: DeviceId
    sent_at: SentAt
    # A default only so that a missing list gets the message of a wrong one.
    checkins: Checkins = Field(None, validate_default=True)

    @classmethod
    def json_schema(cls):
        schema = super().json_schema()
        # What an item should be is SyncItem; what the server takes is anything: an item that
        # fits neither kind is a result (`rejected`, `invalid`), never a refused batch (API.md),
        # and the document says so rather than promise a 400 the server never gives.
        schema["properties"]["checkins"]["items"] = {"anyOf": [
            {"$ref": "#/components/schemas/SyncItem"},
            {"description": "Any other JSON value: answered `rejected` with reason `invalid`."}]}
        return schema


class SyncBatch(TypedDict):
    """SyncRequest with every item valid, checked in one call (items.read_batch)."""
    device_id: DeviceId
    sent_at: SentAt
    checkins: list[SyncItem]


SYNC_BATCH = TypeAdapter(SyncBatch)


def item_schemas():
    """{name: schema} of SyncItem and its two kinds, for components/schemas."""
    schema, definitions = document_schema(SyncItem)
    return {"SyncItem": {**schema, "description": SYNC_ITEM_DESCRIPTION}, **definitions}


# --- a site lead's void -----------------------------------------------------------------------

REASON_MAX_LENGTH = 200
# Bidirectional embeddings, overrides and isolates: they make a text read differently from what
# it holds (U+202A-U+202E, U+2066-U+2069).
_BIDI_CONTROLS = {chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def reason_problem(text):
    """Why `text` cannot be a correction's reason (a sentence for people), or None. One line of
    visible text, at most REASON_MAX_LENGTH characters: no control characters, lone surrogates
    or bidi overrides (what an export or another reader could not show as written). The one
    rule for the API (VoidRequest) and the web page (workspace/corrections.py)."""
    if not isinstance(text, str) or not text.strip():
        return _("Say why this is corrected.")
    if len(text.strip()) > REASON_MAX_LENGTH:
        return _("At most %(n)d characters.", n=REASON_MAX_LENGTH)
    for ch in text.strip():
        if ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs"):
            return _("Contains characters that cannot be shown (control characters).")
    return None


def _reason(value):
    problem = reason_problem(value)
    if problem:
        refuse(problem)
    return value.strip()


# One line of visible text: no control characters (tab and line breaks included), lone
# surrogates or bidi overrides (corrections.reason_problem), not blank. (Lone surrogates are
# refused but not named in the pattern: see TEXT_PATTERN in lwpwa.api.declare.)
_NOT_IN_REASON = "\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069"
REASON_PATTERN = f"^[^{_NOT_IN_REASON}]*[^\\s{_NOT_IN_REASON}][^{_NOT_IN_REASON}]*$"
Reason = declared(_reason, {
    "type": "string", "minLength": 1, "maxLength": REASON_MAX_LENGTH, "pattern": REASON_PATTERN,
    "description": "Why it is voided, shown to the unit and its bureaus. One line of visible text: no "
                   "control characters, lone surrogates or bidi overrides."})


class VoidRequest(Body):
    """A site lead's void of a counted check-in."""
    model_config = {"json_schema_extra": _required_in_document("reason")}

    reason: Reason = Field(None, validate_default=True)
