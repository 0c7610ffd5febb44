"""GET /api/v1/anomalies?campaign_id=&region=CODE: the stored flags of a region's campaign,
brought up to date first (see lwpwa/bureau/anomalies.py). Counts and ids only."""
from flask import Blueprint, jsonify, url_for

from ..api.auth import token_required
from ..database import utcnow
from ..reports.api import campaign_or_404, region_asked
from .declarations import AnomaliesQuery

bp = Blueprint("flags_api", __name__, url_prefix="/api/v1")


def flag_json(flag):
    detail = {key: value for key, value in (flag.detail or {}).items() if key != "thresholds"}
    return {
        "id": flag.id, "kind": flag.kind, "org_id": flag.org_id, "activity_ids": flag.activity_ids,
        "device_ids": flag.device_ids, "account_ids": flag.account_ids, "count": flag.count, "detail": detail,
        "thresholds": (flag.detail or {}).get("thresholds", {}), "status": flag.status, "active": flag.active,
        "raised_at": flag.raised_at.isoformat(), "updated_at": flag.updated_at.isoformat(),
        "explanation": flag.explanation, "review_note": flag.review_note,
        "evidence_url": url_for("bureau_evidence.flag", flag_id=flag.id, _external=True),
    }


@bp.get("/anomalies")
@token_required("bureau", "admin")
def anomalies():
    from ..bureau import anomalies as stored
    asked = AnomaliesQuery.from_request()
    campaign = campaign_or_404(asked.campaign_id)
    region = region_asked(asked.region)
    pending = stored.bring_up_to_date(campaign, region)
    flags = stored.region_flags(campaign, region, include_inactive=asked.include_inactive == "1")
    return jsonify({"campaign_id": campaign.id, "region_code": region.code, "generated_at": utcnow().isoformat(),
                    "pending": pending, "flags": [flag_json(flag) for flag in flags]})
