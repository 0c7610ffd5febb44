"""Request declarations: one pydantic model per request body and per query string.

A declaration is the one place a request's shape is written down. The same class

- validates: `Model.from_request()` (or `Model.check(data)` for a dict that came another way:
  the .xlsx importer, a web form) answers every bad field at once as API.md's 400
  `validation_error`, with the messages the API has always given;
- types: the view gets an instance with typed attributes, and `given()` says which fields
  the client sent (what a PATCH changes);
- documents: `openapi.build_document` generates the request schemas and query parameters of
  /api/v1/openapi.json from the same classes (`json_schema()`, `parameters()`).

The field types below carry their own validator and their own JSON Schema side by side
(`PlainValidator` + `WithJsonSchema`), so the document cannot say what the server does not do.
Texts go through the one rule of lwpwa.text; times and days stay within the calendar range
of lwpwa.api.body; integers are whole JSON numbers (never true/false, never "12").
"""
import base64
import re
from typing import Annotated, Any, ClassVar

from flask import request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, PlainValidator, TypeAdapter, WithJsonSchema
from pydantic import ValidationError as PydanticError
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import PydanticCustomError

from .. import text as text_rule
from ..database import MAX_ID
from ..errors import ValidationError
from . import body as parse

# What no stored text may hold (lwpwa.text), as a JSON Schema pattern: a generator of valid
# requests (schemathesis) then makes only texts the server takes. Lone surrogates (which the
# server refuses too) are not named: no Unicode string holds one (I-JSON, RFC 7493, forbids
# them), and validators built on Rust's regex (jsonschema-rs, which schemathesis uses) refuse
# a pattern that names them, and drop the pattern whole.
_FORBIDDEN_CLASS = ("\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f"
                    "\\u202a-\\u202e\\u2066-\\u2069\\ufdd0-\\ufdef\\ufffe\\uffff")
TEXT_PATTERN = f"^[^{_FORBIDDEN_CLASS}]*$"
# …and one that is not blank once white space is stripped (a required text). The white space
# is what str.strip() takes away (ECMA-262's \s also holds U+FEFF, which stays).
_SPACE_CLASS = "\\t\\n\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
FILLED_PATTERN = f"^[^{_FORBIDDEN_CLASS}]*[^{_SPACE_CLASS}{_FORBIDDEN_CLASS}][^{_FORBIDDEN_CLASS}]*$"


def refuse(message):
    """Stop validating this field with `message` (already in the caller's language)."""
    # The message goes in the context, not the template: a message may hold braces.
    raise PydanticCustomError("lwpwa", "{message}", {"message": str(message)})


def _required():
    refuse(_("This field is required."))


_REFUSE_NULL = object()


def declared(check, schema, or_null=_REFUSE_NULL):
    """A field type: `check(value)` returns the stored value or calls refuse(); `schema` is
    what the document says of it. A null is refused by `check`, unless `or_null` says what
    a null stands for (then the document allows null too). (`T | None` lets null through as
    None, for fields where None is what is stored.)"""
    if or_null is not _REFUSE_NULL:
        inner = check

        def check(value):
            return or_null if value is None else inner(value)

        schema = {"anyOf": [schema, {"type": "null"}]}
    return Annotated[Any, PlainValidator(check), WithJsonSchema(schema)]


# --- body field types -----------------------------------------------------------------------

def Text(max_length, *, required=False, multiline=False, description=None, or_null=_REFUSE_NULL,
         **extra):
    """A text to store, by the one rule of lwpwa.text (normalised, trimmed, at most
    `max_length` characters). `required`: not blank."""
    def check(value):
        if value is None:
            _required()
        if not isinstance(value, str):
            refuse(_("Must be text."))
        if len(value) > max_length:  # as sent, as the document's maxLength counts it
            refuse(_("At most %(n)d characters.", n=max_length))
        try:
            return text_rule.clean(value, max_length=max_length, multiline=multiline,
                                   required=required)
        except text_rule.TextProblem as problem:
            refuse(problem.message)

    schema = {"type": "string", "maxLength": max_length,
              "pattern": FILLED_PATTERN if required else TEXT_PATTERN, **extra}
    if required:
        schema["minLength"] = 1
    if description:
        schema["description"] = description
    return declared(check, schema, or_null)


def Secret(max_length, *, description=None):
    """A password: taken as typed (never trimmed or normalised), not empty; only what no
    encoding holds is refused."""
    def check(value):
        if value is None:
            _required()
        if not isinstance(value, str):
            refuse(_("Must be text."))
        problem = text_rule.secret_problem(value)
        if problem is None and not value:
            problem = _("This field is required.")
        if problem is None and len(value) > max_length:
            problem = _("At most %(n)d characters.", n=max_length)
        if problem:
            refuse(problem)
        return value

    schema = {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": TEXT_PATTERN}
    if description:
        schema["description"] = description
    return declared(check, schema)


def Int(minimum=1, maximum=MAX_ID, *, description=None, or_null=_REFUSE_NULL):
    """A whole JSON number within [minimum, maximum] (true, 1.5 and "1" are not; 1.0 is 1, as
    JSON Schema's `integer` has it: a number with a zero fractional part)."""
    def check(value):
        if value is None:
            _required()
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # 331.0 is a JSON Schema integer as much as 331 is
        if isinstance(value, bool) or not isinstance(value, int):
            refuse(_("Must be a whole number."))
        if not minimum <= value <= maximum:
            refuse(_("Out of range."))
        return value

    schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    if description:
        schema["description"] = description
    return declared(check, schema, or_null)


def Choice(choices, *, description=None, or_null=_REFUSE_NULL):
    choices = tuple(choices)

    def check(value):
        if value is None:
            _required()
        if not isinstance(value, str) or value not in choices:
            refuse(_("Must be one of: %(choices)s.", choices=", ".join(choices)))
        return value

    schema = {"type": "string", "enum": list(choices)}
    if description:
        schema["description"] = description
    return declared(check, schema, or_null)


def _boolean(value):
    if not isinstance(value, bool):
        refuse(_("Must be true or false."))
    return value


def Bool(*, description=None, or_null=_REFUSE_NULL):
    schema = {"type": "boolean"}
    if description:
        schema["description"] = description
    return declared(_boolean, schema, or_null)

# The years a date or time may have, as a pattern beside the format (which cannot bound them):
# 1970–2199, as written. The year as written is what is checked, so that the pattern and the
# server agree on every offset (1970-01-01 at +08:00 lies in 1969 in UTC, as safe to compute
# with: lwpwa.api.body keeps times far from the calendar's edge).
YEARS = "(19[7-9][0-9]|2[01][0-9][0-9])"
DATE_TIME_SCHEMA = {"type": "string", "format": "date-time", "maxLength": 40,
                    "pattern": f"^{YEARS}-",
                    "description": "ISO 8601 date-time with a UTC offset, e.g. "
                                   "2022-12-15T09:31:02+08:00."}



def Timestamp(*, bounded=True, description=None, or_null=_REFUSE_NULL):
    """An ISO 8601 date-time with an offset (a naive time is ambiguous across time zones),
    written in a year from 1970 to 2199 unless `bounded=False`."""
    def check(value):
        if value is None:
            _required()
        parsed = parse.parse_timestamp(value)
        if parsed is None:
            refuse(_("Must be an ISO 8601 date-time with a UTC offset."))
        if bounded and not parse.EARLIEST_DAY.year <= parsed.year <= parse.LATEST_DAY.year:
            refuse(_("Must lie between the years %(first)d and %(last)d.",
                     first=parse.EARLIEST_DAY.year, last=parse.LATEST_DAY.year))
        return parsed

    schema = dict(DATE_TIME_SCHEMA)
    if not bounded:
        del schema["pattern"]
    if description:
        schema["description"] = description
    return declared(check, schema, or_null)


def _day(value):
    if value is None:
        _required()
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return parse.bounded_day(parse.date.fromisoformat(value))
    except ValueError:
        refuse(_("Must be a date (YYYY-MM-DD) between %(first)d and %(last)d.",
                 first=parse.EARLIEST_DAY.year, last=parse.LATEST_DAY.year))


DAY_SCHEMA = {"type": "string", "format": "date", "pattern": f"^{YEARS}-[0-9][0-9]-[0-9][0-9]$",
              "description": "A calendar date, YYYY-MM-DD, of the years 1970 to 2199."}
Day = declared(_day, DAY_SCHEMA)


def TextList(max_items, max_length, *, item_check=None, item_schema=None, description=None):
    """A list of one-line texts; blank items are dropped. `item_check(text)` returns a message
    for an item that is not acceptable (a news link that is not a web address)."""
    def check(value):
        if value is None:  # no items
            return []
        if not isinstance(value, list) or len(value) > max_items:
            refuse(_("Must be a list of at most %(n)d texts.", n=max_items))
        items = []
        for item in value:
            if not isinstance(item, str) or len(item) > max_length:
                refuse(_("Each item must be text of at most %(n)d characters.", n=max_length))
            try:
                item = text_rule.clean(item, max_length=max_length)
            except text_rule.TextProblem as problem:
                refuse(problem.message)
            if item:
                items.append(item)
        for item in items:
            problem = item_check(item) if item_check else None
            if problem:
                refuse(problem)
        return items

    items = item_schema or {"type": "string", "maxLength": max_length, "pattern": TEXT_PATTERN}
    schema = {"type": "array", "items": items, "maxItems": max_items}
    if description:
        schema["description"] = description
    return declared(check, {"anyOf": [schema, {"type": "null"}]})


# Base64 as the standard library's strict decoder takes it (padded, no line breaks): the
# pattern is the check, so the document and the server agree on every string.
BASE64_PATTERN = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
_BASE64 = re.compile(BASE64_PATTERN.replace("$", r"\Z"))


def Base64(max_length, message, *, description=None):
    """A file sent inside JSON: standard base64 of at least one byte, at most `max_length`
    characters; the value is the decoded bytes. `message` says what it must be."""
    def check(value):
        if value is None:
            _required()
        if not isinstance(value, str) or not _BASE64.match(value):
            refuse(message)
        if not value:
            _required()
        if len(value) > max_length:
            refuse(_("At most %(n)d characters.", n=max_length))
        return base64.b64decode(value, validate=True)

    schema = {"type": "string", "contentEncoding": "base64", "minLength": 4, "maxLength": max_length,
              "pattern": BASE64_PATTERN}
    if description:
        schema["description"] = description
    return declared(check, schema)


def File(*, min_length=1, description=None):
    """A file part of a multipart/form-data body (see Form): its bytes, of at least
    `min_length` (0: an empty file is judged by its content, like any other)."""
    def check(value):
        if not isinstance(value, bytes) or len(value) < min_length:  # no file part, a text part
            _required()
        return value

    schema = {"type": "string", "format": "binary"}
    if min_length:
        schema["minLength"] = min_length
    if description:
        schema["description"] = description
    return declared(check, schema)


# --- query field types (the values of a query string are texts) ------------------------------

def QueryInt(minimum=1, maximum=MAX_ID, *, description=None, message=None):
    """ASCII digits within [minimum, maximum] ("²" and " 12" are not numbers here)."""
    def check(value):
        number = parse.parse_int(value, minimum, maximum)
        if number is None:
            refuse(message or _("Must be a whole number from %(low)d to %(high)d.",
                                low=minimum, high=maximum))
        return number

    schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    if description:
        schema["description"] = description
    return declared(check, schema)


def _query_day(value):
    try:
        return parse.bounded_day(parse.date.fromisoformat(value))
    except (TypeError, ValueError):
        refuse(_("Must be a date (YYYY-MM-DD) between %(first)d and %(last)d.",
                 first=parse.EARLIEST_DAY.year, last=parse.LATEST_DAY.year))


QueryDay = declared(_query_day, DAY_SCHEMA)


def QueryText(max_length, *, description=None):
    """A query value taken as given (never trimmed or normalised: a cursor, a token), with
    nothing that no stored text may hold, at most `max_length` characters."""
    def check(value):
        problem = text_rule.secret_problem(value)
        if problem is None and len(value) > max_length:
            problem = _("At most %(n)d characters.", n=max_length)
        if problem:
            refuse(problem)
        return value

    schema = {"type": "string", "maxLength": max_length, "pattern": TEXT_PATTERN}
    if description:
        schema["description"] = description
    return declared(check, schema)


_REGION_CODE = re.compile(r"[0-9]{6}\Z")


def _region_code(value):
    if value is None:
        _required()
    if not isinstance(value, str) or not _REGION_CODE.match(value):
        refuse(_("Must be a region code: six digits (GB/T 2260)."))
    return value


# A GB/T 2260 code, in a query or a body: six ASCII digits (whether it names a region the
# caller may see is the view's question, answered 404).
RegionCode = declared(_region_code, {"type": "string", "pattern": "^[0-9]{6}$",
                                     "description": "A GB/T 2260 region code."})


# --- the models -----------------------------------------------------------------------------

def _field_errors(error):
    """{field: message} from pydantic's errors: the first message of each top-level field."""
    fields = {}
    for problem in error.errors(include_url=False, include_input=False):
        name = str(problem["loc"][0]) if problem["loc"] else "body"
        if problem["type"] == "missing":
            message = _("This field is required.")
        elif problem["type"] == "lwpwa":
            message = problem["ctx"]["message"]
        else:  # a pydantic type of its own (a nested model); not used by the types above
            message = _("Not valid.")
        fields.setdefault(name, message)
    return fields


class Declaration(BaseModel):
    """What request bodies and queries share. Unknown names are ignored (clients may be newer
    than the server); the document says so with additionalProperties left open."""
    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=False,
                              arbitrary_types_allowed=True)

    @classmethod
    def check(cls, data):
        """The validated declaration of `data` (a dict), or ValidationError with every field."""
        try:
            return cls.model_validate(data)
        except PydanticError as error:
            raise ValidationError(_field_errors(error)) from None

    def given(self):
        """{name: value} of the fields the client sent (a PATCH changes just these)."""
        return {name: getattr(self, name) for name in self.model_fields_set}

    def values(self):
        """{name: value} of every field, defaults included."""
        return {name: getattr(self, name) for name in type(self).model_fields}


class Body(Declaration):
    """A JSON request body (an object)."""

    @classmethod
    def from_request(cls):
        return cls.check(parse.json_body())

    @classmethod
    def json_schema(cls):
        return cls.model_json_schema(ref_template="#/components/schemas/{model}",
                                     schema_generator=_DocumentSchema)


class Form(Body):
    """A multipart/form-data body: texts from its fields, bytes from its file parts (File). As
    in a query string, an empty text is no value and a name given twice is refused. Unlike a
    JSON body, a part of another name is refused: its value never reaches a view, yet lwpwa.http
    refuses a NUL in any part, so "ignored" could not be what the document says."""

    @classmethod
    def from_request(cls):
        data, problems = {}, {}
        for name in cls.model_fields:
            values = [part.read() for part in request.files.getlist(name)] or request.form.getlist(name)
            if len(values) > 1:
                problems[name] = _("Give this parameter once.")
            elif values and values[0] != "":
                data[name] = values[0]
        for name in {*request.form, *request.files} - set(cls.model_fields):
            problems[(name or "")[:64]] = _("This form has no such field.")
        try:
            form = cls.check(data)
        except ValidationError as error:  # every problem at once
            raise ValidationError({**error.fields, **problems}) from None
        if problems:
            raise ValidationError(problems)
        return form

    @classmethod
    def json_schema(cls):
        schema = super().json_schema()
        schema["additionalProperties"] = False
        required = set(schema.get("required", ()))
        for name, field in schema["properties"].items():
            if name not in required:  # an empty text is as good as none (see from_request)
                schema["properties"][name] = {"anyOf": [field, {"const": ""}]}
        return schema


class Query(Declaration):
    """A query string. An empty value (`?on=`) is the same as no value, as API.md's examples
    have it, unless `empty_is_absent` is False (then "" goes to the field's check, which
    refuses it); a name given twice is refused (which value would it be?)."""
    empty_is_absent: ClassVar[bool] = True

    @classmethod
    def from_request(cls):
        args = request.args
        data, twice = {}, {}
        for name in cls.model_fields:
            values = args.getlist(name)
            if len(values) > 1:
                twice[name] = _("Give this parameter once.")
            elif values and (values[0] != "" or not cls.empty_is_absent):
                data[name] = values[0]
        if twice:
            raise ValidationError(twice)
        return cls.check(data)

    @classmethod
    def parameters(cls):
        """The OpenAPI query parameters of this declaration."""
        schema = cls.model_json_schema(schema_generator=_DocumentSchema)
        required = set(schema.get("required", ()))
        parameters = []
        for name, field_schema in schema["properties"].items():
            field_schema = dict(field_schema)
            description = field_schema.pop("description", "")
            parameters.append({
                "name": name, "in": "query", "required": name in required,
                # An empty value is as good as none (see from_request).
                "schema": field_schema if name in required or not cls.empty_is_absent
                else {"anyOf": [field_schema, {"const": ""}]},
                "description": description,
            })
        return parameters


def document_schema(type_):
    """(schema, {name: schema of each named part}) of a declared type that is not a Body or a
    Query (the items of a list, a union of TypedDicts), as the document's components want them."""
    schema = TypeAdapter(type_).json_schema(ref_template="#/components/schemas/{model}",
                                             schema_generator=_DocumentSchema)
    definitions = schema.pop("$defs", {})
    for part in definitions.values():
        part.pop("title", None)
    return schema, definitions


class _DocumentSchema(GenerateJsonSchema):
    """JSON Schema as the document wants it: no generated titles, and no `default: null` on a
    field that may be left out but not sent as null."""

    def field_title_should_be_set(self, schema):
        return False

    def default_schema(self, schema):
        if schema.get("default") is None:
            return self.generate_inner(schema["schema"])
        return super().default_schema(schema)

    def generate(self, schema, mode="validation"):
        document = super().generate(schema, mode)
        document.pop("title", None)
        return document


