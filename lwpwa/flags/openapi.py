"""OpenAPI entry of GET /api/v1/anomalies (see lwpwa/api/openapi.py)."""
from ..api.spec import (BAD_QUERY, COUNT, DATE_TIME, REGION_CODE, array, error, nullable, obj, ok, operation,
                        ref, text)
from .declarations import AnomaliesQuery
from .models import KINDS, STATUSES

BUREAUS = ("bureau", "admin")
IDS = array({"type": "integer"})

KIND_DESCRIPTION = (
    "`two_places`: the same people scanned at two activities within minutes of each other (by scan "
    "time, whatever the venues or modes say), or one device or account switching between places; "
    "`same_audience`: the same people at implausibly many activities of one unit; `replay`: a pace, a "
    "daily volume or a repeated order of scans no queue makes, per device and per account; "
    "`tally_share`: tallies a large share of the attendance; `over_capacity`: more attendees than the "
    "capacity or, without one, than the form's plausible most; `late_entry`: an activity created after "
    "it started, scans received long after they were made, a device clock off by days; `after_hours`: "
    "scans at night, well outside the activity's time, or mostly after its end; `volunteer_ratio`: "
    "volunteers out of proportion to attendees; `far_approved`: check-ins held for their time, then "
    "approved; `changed_after_submission`: times, capacity, venue, mode, form or cancellation changed "
    "after the first counted scan or after the unit submitted its table.")

SCHEMAS = {
    "AnomalyFlag": obj({
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": list(KINDS), "description": KIND_DESCRIPTION},
        "org_id": {"type": "integer", "description": "The unit that answers for the flag."},
        "activity_ids": IDS,
        "device_ids": array({"type": "string"}),
        "account_ids": array({"type": "integer"}, description="Ids of the accounts that recorded or approved."),
        "count": COUNT,
        "detail": {"type": "object", "description": "Counts and times of what was found (no personal data)."},
        "thresholds": {"type": "object", "additionalProperties": {"type": "integer"},
                       "description": "The campaign's thresholds the flag was computed with."},
        "status": {"type": "string", "enum": list(STATUSES)},
        "active": {"type": "boolean", "description": "Whether the rule still holds (false: kept for its history)."},
        "raised_at": DATE_TIME,
        "updated_at": DATE_TIME,
        "explanation": nullable(text()),
        "review_note": nullable(text()),
        "evidence_url": text(description="The flag's evidence page for a signed-in bureau."),
    }, required=("kind", "org_id", "activity_ids", "device_ids", "count", "detail", "evidence_url")),
    "Anomalies": obj({
        "campaign_id": {"type": "integer"},
        "region_code": REGION_CODE,
        "generated_at": DATE_TIME,
        "pending": {**COUNT, "description": "Activities with new check-ins whose flags are still being "
                                            "recomputed (they appear on a later request)."},
        "flags": array(ref("AnomalyFlag")),
    }, required=("campaign_id", "region_code", "generated_at", "flags")),
}

OPERATIONS = [
    operation(
        "GET", "/anomalies", "getAnomalies", tag="Reports", roles=BUREAUS,
        summary="Anomaly flags of a region's campaign",
        description="Flags kept as data, brought up to date as check-ins are written, voided and "
                    "approved: counts and ids only, never personal data. Kinds: " + KIND_DESCRIPTION,
        query=AnomaliesQuery,
        responses={200: ok("The flags.", ref("Anomalies")),
                   400: BAD_QUERY, 403: error("Only bureaus and admins.", "forbidden_role"),
                   404: error("No such region or campaign, or not one the caller may see.", "not_found")}),
]
