"""OpenAPI entries of sync items and corrections (see lwpwa/api/openapi.py, which merges them).
The request schemas are generated from declarations.py: SyncItem and its two kinds here (items
of SyncRequest, which api/openapi.py names as /sync's body), VoidRequest by build_document."""
from ..api.spec import (BAD_BODY, DATE_TIME, DAY, NOT_VISIBLE, PLANNERS, POSITIVE, TOO_LARGE, array, error,
                        forbidden_role, nullable, obj, ok, operation, path_id, ref)
from .declarations import VoidRequest, item_schemas
from .models import CORRECTION_SOURCES, KINDS, REJECT_REASONS, STATUSES

CLIENT_ID = {"name": "client_id", "in": "path", "required": True,
             "schema": {"type": "string", "format": "uuid"},
             "description": "The check-in's id as made on the device (the `id` of its sync item)."}

SCHEMAS = {
    **item_schemas(),
    "Checkin": obj({
        "id": {"type": "string", "format": "uuid", "description": "Made on the device."},
        "activity_id": POSITIVE,
        "kind": {"type": "string", "enum": list(KINDS)},
        "headcount": nullable({"type": "integer", "minimum": 1,
                               "description": "A tally's walk-ins; null for a scanned code."}),
        "status": {"type": "string", "enum": list(STATUSES)},
        "reason": {"enum": [*REJECT_REASONS, None]},
        "day": nullable(DAY),
        "scanned_at": nullable({**DATE_TIME, "description": "Corrected by the device's clock error."}),
        "received_at": DATE_TIME,
        "device_id": nullable({"type": "string"}),
        "recorded_by": nullable({"type": "string", "description": "The username that synced it."}),
    }, required=("id", "activity_id", "kind", "headcount", "status", "reason", "day", "scanned_at",
                 "received_at", "device_id", "recorded_by"),
        description="A check-in, without personal data (neither the person nor the code)."),
    "Correction": obj({
        "checkin_id": {"type": "string", "format": "uuid",
                       "description": "The device-made id of the check-in it voided."},
        "by": {"type": "string", "description": "The username that voided it (never a resident's name)."},
        "at": {**DATE_TIME, "description": "When: the phone's undo time corrected by its clock "
                                           "error, or the server's time of a site lead's void."},
        "reason": nullable({"type": "string", "description": "The site lead's reason; null for the "
                                                             "phone's undo (within 15 minutes of the scan)."}),
        "kind": {"type": "string", "enum": list(KINDS)},
        "headcount": nullable({"type": "integer", "minimum": 1,
                               "description": "The voided tally's walk-ins; null for a scanned code "
                                              "(which counted one person)."}),
        "source": {"type": "string", "enum": list(CORRECTION_SOURCES)},
        "recorded_at": {**DATE_TIME, "description": "When the server recorded it."},
        "scanned_at": nullable({**DATE_TIME, "description": "The voided check-in's scan time."}),
    }, required=("checkin_id", "by", "at", "reason", "kind", "headcount", "source", "recorded_at",
                 "scanned_at")),
}

OPERATIONS = [
    operation(
        "POST", "/checkins/{client_id}/void", "voidCheckin", tag="Sync", roles=PLANNERS,
        summary="Void a counted check-in or tally of the unit, with a reason",
        description="A site lead of the check-in's unit (or an admin) undoes a counted check-in "
                    "or tally: it is never edited or deleted, its status becomes `voided` (a resend "
                    "of its id answers `voided`), and every count drops by exactly what it had "
                    "added, in the same transaction. The correction (who, when, why) is listed by "
                    "GET /activities/{activity_id}/corrections. After a void the same person may "
                    "be counted again that day by a later scan. Refused with 409 `not_counted` "
                    "when the check-in is not (or no longer) counted, and `table_accepted` while "
                    "the unit's table is accepted by its bureau (until it is returned). Another "
                    "unit's check-in answers 404.",
        parameters=[CLIENT_ID],
        body=VoidRequest,
        responses={200: ok("The check-in, now `voided`.", ref("Checkin")),
                   400: BAD_BODY, 403: forbidden_role(PLANNERS),
                   404: error("No such check-in, or not one of the caller's unit.", "not_found"),
                   409: error("Not counted (`not_counted`), or the unit's table is accepted by its "
                              "bureau (`table_accepted`).", "not_counted", "table_accepted"),
                   413: TOO_LARGE}),
    operation(
        "GET", "/activities/{activity_id}/corrections", "listCorrections", tag="Sync",
        summary="The corrections of an activity",
        description="Every void that took effect on a check-in of the activity, newest first (the "
                    "latest 500): the "
                    "phone's undos and the site lead's voids, with who, when and why. For the "
                    "activity's unit and the bureaus above it (and admins). A refused undo "
                    "corrects nothing and is not listed.",
        parameters=[path_id("activity_id", "The activity's id.")],
        responses={200: ok("The corrections.", array(ref("Correction"))), 404: NOT_VISIBLE}),
]
