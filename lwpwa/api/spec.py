"""Builders for the OpenAPI document: each feature declares its operations with these."""
from ..accounts.models import ROLES

PREFIX = "/api/v1"
API_VERSION = "1.0.0"
SYNC_MAX_ITEMS = 1000  # the default of Config.SYNC_MAX_ITEMS; the served document uses the config
SYNC_STATUSES = ("accepted", "duplicate", "held", "rejected", "voided")
REJECT_REASONS = ("invalid", "unknown_code", "revoked_code", "unknown_activity", "forbidden_activity",
                  "void_not_allowed")

# Who may call an operation: the security requirement, and the roles (an extension, x-roles).
PUBLIC = []
BEARER = [{"bearer": []}]
RESIDENT = [{"resident": []}]
ANY_ROLE = ROLES
UNIT_WRITERS = ("volunteer", "site_lead", "admin")
PLANNERS = ("site_lead", "admin")


# --- small builders -------------------------------------------------------------------------

def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema):
    """A JSON Schema 2020-12 union with null (OpenAPI 3.1 has no `nullable`)."""
    return {"anyOf": [schema, {"type": "null"}]}


def array(items, **extra):
    return {"type": "array", "items": items, **extra}


def obj(properties, required=(), **extra):
    schema = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = list(required)
    return schema


def text(max_length=None, **extra):
    schema = {"type": "string", **extra}
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def ok(description, schema=None, headers=None, links=None):
    """A JSON answer; `links`: what a client can do next with it (OpenAPI links, which
    schemathesis' stateful phase follows too)."""
    response = {"description": description}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    if headers:
        response["headers"] = headers
    if links:
        response["links"] = links
    return response


def link(operation_id, **parameters):
    """An OpenAPI link to `operation_id`, its parameters as runtime expressions."""
    return {"operationId": operation_id, "parameters": parameters}


def error(description, *codes, headers=None):
    """An error response: the Error shape, with `error.code` limited to `codes`."""
    schema = {"allOf": [ref("Error"), obj({"error": obj({"code": {"enum": list(codes)}})})]}
    listed = ", ".join(f"`{code}`" for code in codes)
    response = {"description": f"{description} Error code: {listed}.",
                "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def query(name, schema, description, required=False):
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": description}


def path_id(name, description):
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1}, "description": description}


# --- shared schema fragments --------------------------------------------------------------------------------

DATE_TIME = {"type": "string", "format": "date-time",
             "description": "ISO 8601 date-time with a UTC offset, e.g. 2022-12-15T09:31:02+08:00."}
DAY = {"type": "string", "format": "date", "description": "A calendar date, YYYY-MM-DD."}
REGION_CODE = {"type": "string", "pattern": "^[0-9]{6}$", "description": "A GB/T 2260 region code."}
CODE = {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{17}$",
        "description": "A sign-in code as the QR code holds it: 16 Crockford base32 characters "
                       "(80 random bits) and a Luhn mod 32 check character. No personal data."}
NEWS_LINK = {"type": "string", "format": "uri", "maxLength": 1000, "pattern": "^https?://"}
POSITIVE = {"type": "integer", "minimum": 1}
COUNT = {"type": "integer", "minimum": 0}


RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.",
                               "required": True, "schema": {"type": "integer", "minimum": 0}}}
WWW_AUTHENTICATE = {"WWW-Authenticate": {"schema": {"type": "string"}}}

# Responses shared by many operations.
INVALID_BODY = "The body is not a JSON object (`invalid_json`), or fields are not valid " \
               "(`validation_error`, with a message per field in `fields`)."
BAD_BODY = error(INVALID_BODY, "invalid_json", "validation_error")
BAD_QUERY = error("A query parameter is not valid; `fields` names it.", "validation_error")
NO_TOKEN = error("No token, or a token that is unknown, revoked or expired.", "invalid_token",
                 headers=WWW_AUTHENTICATE)
BAD_RESIDENT_KEY = error("No resident key, or one that is not (or no longer) valid.",
                         "invalid_resident_key", headers=WWW_AUTHENTICATE)
NOT_VISIBLE = error("No such activity, or not one the caller may see.", "not_found")
TOO_LARGE = error("The body is larger than the server accepts (MAX_CONTENT_LENGTH, 4 MiB by default).",
                  "too_large")
# gunicorn reads a request line (method, path and query) of at most 4094 bytes, and answers a
# longer one itself, in the JSON envelope (lwpwa/serving.py): any operation may get it.
URI_TOO_LONG = error("The path and query are longer than the server reads (4094 bytes in all).",
                     "uri_too_long")
RATE_LIMITED = error("Too many requests; wait for Retry-After seconds.", "rate_limited",
                     headers=RETRY_AFTER)


def forbidden_role(roles):
    return error(f"The caller's role may not do this (allowed: {', '.join(roles)}).", "forbidden_role")


# The request declarations (lwpwa.api.declare) that operations name as their body, by name:
# build_document generates their schemas into components/schemas.
DECLARED_BODIES = {}


def declared_body(model):
    """A reference to the schema generated from the Body declaration `model`."""
    known = DECLARED_BODIES.setdefault(model.__name__, model)
    assert known is model, f"two declarations are named {model.__name__}"
    return ref(model.__name__)


def operation(method, path, operation_id, *, tag, summary, description, responses,
              security=BEARER, roles=None, parameters=(), body=None, query=None):
    """One operation; `path` is relative to /api/v1 and uses {name} for path parameters.
    `body` and `query` name the request's declarations (lwpwa.api.declare); `body` may
    still be a schema (a dict) for requests that are not JSON objects."""
    if query is not None:
        parameters = [*parameters, *query.parameters()]
    if isinstance(body, type):
        body = declared_body(body)
    entry = {"tags": [tag], "summary": summary, "description": description,
             "operationId": operation_id, "security": security}
    if security == BEARER:
        entry["x-roles"] = list(roles or ANY_ROLE)
        responses = {401: NO_TOKEN, **responses}
    if parameters:
        entry["parameters"] = list(parameters)
    if body is not None:
        entry["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    responses = {414: URI_TOO_LONG, **responses}
    entry["responses"] = {str(status): response for status, response in sorted(responses.items())}
    return method.lower(), PREFIX + path, entry



def binary(description, mimetype, headers=None):
    """A download (xlsx, csv, png …) rather than JSON."""
    response = {"description": description,
                "content": {mimetype: {"schema": {"type": "string", "format": "binary"}}}}
    if headers:
        response["headers"] = headers
    return response


CONSENT_ERRORS = error(
    "The body is not a JSON object (`invalid_json`), fields are not valid (`validation_error`), "
    "consent is missing (`consent_required`) or a guardian's consent is missing for under_14 "
    "(`guardian_consent_required`).",
    "invalid_json", "validation_error", "consent_required", "guardian_consent_required")
