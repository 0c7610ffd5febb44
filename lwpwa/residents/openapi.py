"""OpenAPI entries of a resident's own code and data, and of printed cards' profiles (see
lwpwa/api/openapi.py, which merges SCHEMAS and OPERATIONS into the served document)."""
from ..api.spec import (BAD_RESIDENT_KEY, CODE, CONSENT_ERRORS, DATE_TIME, DAY, POSITIVE, RATE_LIMITED, RESIDENT,
                        TOO_LARGE, UNIT_WRITERS, array, binary, error, forbidden_role, nullable, obj,
                        ok, operation, ref)
from ..checkins.models import KINDS
from .api import HISTORY_LIMIT
from .declarations import CardProfileInput, QrQuery, ResidentPatch
from .models import AGE_GROUPS

AGE_GROUP = {"type": "string", "enum": list(AGE_GROUPS)}

SCHEMAS = {
    "CodeReplacement": obj({
        "code": CODE,
        "code_display": {"type": "string", "examples": ["ABCD-EFGH-JKMN-PQRS-T"]},
        "resident": ref("Resident"),
    }, required=("code", "code_display", "resident")),
    "ResidentCheckin": obj({
        "activity_id": POSITIVE,
        "activity_name": {"type": "string"},
        "org_name": {"type": "string", "description": "The unit that held the activity."},
        "campaign_title": {"type": "string"},
        "date": nullable(DAY),
        "kind": {"type": "string", "enum": list(KINDS)},
        "scanned_at": nullable(DATE_TIME),
    }, required=("activity_id", "activity_name", "org_name", "campaign_title", "date", "kind",
                 "scanned_at")),
    "ResidentCheckins": obj({
        "checkins": array(ref("ResidentCheckin"), maxItems=HISTORY_LIMIT),
        "limit": {"type": "integer", "const": HISTORY_LIMIT},
    }, required=("checkins", "limit")),
    "CardProfile": obj({
        "code": nullable(CODE),
        "org_id": POSITIVE,
        "display_name": nullable({"type": "string"}),
        "age_group": nullable(AGE_GROUP),
        "community": nullable({"type": "string"}),
        "consent_at": nullable(DATE_TIME),
    }, required=("code", "org_id", "display_name", "age_group", "community", "consent_at")),
}

BAD_SIZE = error("`size` is not a whole number from 100 to 2000, or a query parameter is given "
                 "twice or holds NUL; `fields` names it.", "validation_error")
NO_CODE = error("The resident has no live code.", "not_found")
CARD_CODE = {"name": "code", "in": "path", "required": True,
             "schema": {"type": "string", "maxLength": 64},
             "description": "The printed card's code; case, dashes and spaces are ignored."}
NO_CARD = error("No live printed card of the caller's unit has this code (another unit's card, "
                "a resident's own code, or an unknown code all answer the same).", "not_found")
QR_DESCRIPTION = ("The resident's current code as a QR code: error correction level Q (a "
                  "quarter of the symbol may be damaged), a quiet zone of 4 modules, black on "
                  "white. The code holds no personal data. With `Authorization: Resident "
                  "<resident_key>`.")
OPERATIONS = [
    operation(
        "PATCH", "/residents/me", "updateResident", tag="Residents", security=RESIDENT,
        summary="Rename, or change the age group or community",
        description="Validated as at registration: names up to 64 characters, communities up to "
                    "100, no control characters; changing to `under_14` needs "
                    "`guardian_consent: true` (in the same request, also when a guardian agreed "
                    "before).",
        body=ResidentPatch,
        responses={200: ok("The changed profile.", ref("Resident")),
                   400: error("The body is not a JSON object (`invalid_json`), fields are not "
                              "valid (`validation_error`), or a guardian's consent is missing "
                              "(`guardian_consent_required`).",
                              "invalid_json", "validation_error", "guardian_consent_required"),
                   401: BAD_RESIDENT_KEY, 413: TOO_LARGE}),
    operation(
        "POST", "/residents/me/code", "replaceResidentCode", tag="Residents", security=RESIDENT,
        summary="Replace the sign-in code",
        description="A new code for a lost or photographed one. The old code is revoked: scans "
                    "of it are then rejected with reason `revoked_code`. Check-ins already made "
                    "keep counting, and the new code counts as the same person (a scan of it on "
                    "a day already counted is a `duplicate`). At most 10 a day per resident.",
        responses={201: ok("The new code.", ref("CodeReplacement")), 401: BAD_RESIDENT_KEY,
                   429: RATE_LIMITED}),
    operation(
        "GET", "/residents/me/qr.png", "getResidentQrPng", tag="Residents", security=RESIDENT,
        summary="The resident's QR code as PNG", description=QR_DESCRIPTION, query=QrQuery,
        responses={200: binary("A PNG image.", "image/png"), 400: BAD_SIZE,
                   401: BAD_RESIDENT_KEY, 404: NO_CODE}),
    operation(
        "GET", "/residents/me/qr.svg", "getResidentQrSvg", tag="Residents", security=RESIDENT,
        summary="The resident's QR code as SVG",
        description=QR_DESCRIPTION + " Plain markup (one path, no `style`), safe to inline.",
        query=QrQuery,
        responses={200: binary("An SVG image.", "image/svg+xml"), 400: BAD_SIZE,
                   401: BAD_RESIDENT_KEY, 404: NO_CODE}),
    operation(
        "GET", "/residents/me/checkins", "listResidentCheckins", tag="Residents", security=RESIDENT,
        summary="The resident's own attendance",
        description=f"The resident's counted (accepted) check-ins, newest first, at most "
                    f"{HISTORY_LIMIT}, also those of replaced codes: activity, unit, date and "
                    f"kind. Nothing about anyone else.",
        responses={200: ok("The check-ins.", ref("ResidentCheckins")), 401: BAD_RESIDENT_KEY}),
    operation(
        "POST", "/cards/{code}/profile", "attachCardProfile", tag="Residents", roles=UNIT_WRITERS,
        summary="Attach a profile to a printed card",
        description="A printed card starts blank, with no personal data. At a later visit, and "
                    "only if the holder wishes, a volunteer or site lead of the unit that issued "
                    "the card (or an admin) records a name, age group and community, with the "
                    "holder's consent. Replaces any earlier profile of the card. Codes of "
                    "self-registered residents and of other units' cards answer 404.",
        parameters=[CARD_CODE], body=CardProfileInput,
        responses={200: ok("The card's profile.", ref("CardProfile")), 400: CONSENT_ERRORS,
                   403: forbidden_role(UNIT_WRITERS), 404: NO_CARD, 413: TOO_LARGE}),
    operation(
        "DELETE", "/cards/{code}/profile", "clearCardProfile", tag="Residents", roles=UNIT_WRITERS,
        summary="Remove a printed card's profile",
        description="The holder withdraws consent: the name, age group and community go. The "
                    "card keeps working (it holds no personal data) and every count stays.",
        parameters=[CARD_CODE],
        responses={204: ok("Removed."), 403: forbidden_role(UNIT_WRITERS), 404: NO_CARD}),
]

