"""OpenAPI entries of the scanner's own endpoints (merged by lwpwa/api/openapi.py)."""
from ..api.spec import (BAD_QUERY, CODE, DATE_TIME, POSITIVE, UNIT_WRITERS, error, forbidden_role,
                        nullable, obj, ok, operation, path_id)
from .codefilter import CODES, REVOKED
from .declarations import CodeFilterQuery

_PART = obj({
    "bits": {"type": "integer", "minimum": 64, "description": "Size of the filter in bits (a multiple of 64)."},
    "hashes": {"type": "integer", "minimum": 1, "description": "Positions per code."},
    "count": {"type": "integer", "minimum": 0, "description": "How many codes the filter is sized for now."},
    "generation": {"type": "integer", "description": "Size step: the filter is sized for 1.05^generation codes."},
    "full": {"type": "boolean", "description": "true: `data` is the whole filter; false: `add` holds the keys "
                                               "to add to the phone's copy."},
    "data": nullable({"type": "string", "contentEncoding": "base64",
                      "description": "The whole bit array (bit p: byte p>>3, mask 1<<(p&7))."}),
    "add": nullable({"type": "string", "contentEncoding": "base64",
                     "description": "8-byte keys of codes added since the cursor (may repeat some)."}),
}, required=("bits", "hashes", "count", "generation", "full", "data", "add"))

SCHEMAS = {
    "CodeFilter": obj({
        "campaign_id": POSITIVE,
        "cursor": {"type": "string", "description": "Give it back as `since` at the next request."},
        "generated_at": DATE_TIME,
        "salt": {"type": "string", "pattern": "^[0-9a-f]{32}$", "description": "The campaign's salt, hex."},
        "key": {"type": "string", "description": "How a code's key and positions are computed."},
        "hold_margin_hours": {"type": "integer", "description": "Scans further than this before the start "
                                                                "or after the end are held by sync."},
        "codes": _PART,
        "revoked": _PART,
    }, required=("campaign_id", "cursor", "generated_at", "salt", "key", "hold_margin_hours", "codes",
                 "revoked"),
        description="Two Bloom filters of the campaign's salted code hashes. No code in clear, no "
                    "personal data."),
    "MyCode": obj({
        "code": CODE,
        "code_display": {"type": "string", "examples": ["ABCD-EFGH-JKMN-PQRS-T"]},
        "qr_svg": {"type": "string", "description": "The QR code as an SVG document (one path, no style)."},
    }, required=("code", "code_display", "qr_svg")),
}

OPERATIONS = [
    operation(
        "GET", "/campaigns/{campaign_id}/code-filter", "getCodeFilter", tag="Sync", roles=UNIT_WRITERS,
        summary="What a scanner needs to check codes offline",
        description=(
            "Two Bloom filters of SHA-256(salt ‖ code): `codes`, every code issued (at most 1 false "
            f"positive in 1,000, {CODES.bits_per_code} bits and {CODES.hashes} hashes per code of "
            "capacity: at most 2 bytes per code), and `revoked` (at most 1 in 1,000,000, "
            f"{REVOKED.bits_per_code:g} bits, {REVOKED.hashes} hashes). Without `since`, or with a "
            "cursor of another size step or secret, each filter comes whole (`full: true`); "
            "otherwise only the keys added since (`full: false`, `add`). A code in `revoked` is "
            "withdrawn; else a code in `codes` can count; else it is unregistered, or issued after "
            "the cursor. For campaigns whose region holds the caller's unit (an admin: any)."),
        parameters=[path_id("campaign_id", "The campaign.")],
        query=CodeFilterQuery,
        responses={200: ok("The filters, whole or as a delta.", {"$ref": "#/components/schemas/CodeFilter"}),
                   400: BAD_QUERY,
                   403: forbidden_role(UNIT_WRITERS),
                   404: error("No such campaign, or not one the caller's unit records into.", "not_found")}),
    operation(
        "GET", "/me/code", "getMyCode", tag="Auth",
        summary="The signed-in user's own sign-in code",
        description="Every account is also a person with a code, so volunteers on duty are scanned "
                    "like anyone else. The code and its QR code (SVG).",
        responses={200: ok("The code.", {"$ref": "#/components/schemas/MyCode"}),
                   404: error("The account has no live code.", "not_found")}),
]
