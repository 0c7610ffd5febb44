"""Anomaly flags of a region, and the evidence pages their links lead to."""
from flask import Blueprint, abort, render_template
from flask_login import current_user

from ..accounts.access import visible_activity_or_404
from ..activities.reference import MODE_LABELS
from ..extensions import db
from ..regions.models import Region
from ..web.access import role_required
from . import anomalies, evidence
from .scope import BUREAU_ROLES, breadcrumbs, campaigns_for, pick_campaign, region_or_404

bp = Blueprint("bureau_evidence", __name__, url_prefix="/region")


@bp.get("/<code>/anomalies", endpoint="anomalies")
@role_required(*BUREAU_ROLES)
def anomalies_page(code):
    region = region_or_404(code)
    campaigns = campaigns_for(region)
    campaign = pick_campaign(region, campaigns)
    if campaign is None:
        abort(404)
    flags = anomalies.all_flags(campaign, region)
    ids = {flag["activity_id"] for kind in flags.values() for flag in kind}
    ids |= {flag["other_id"] for flag in flags["overlap"]}
    return render_template("bureau/anomalies.html", region=region, campaign=campaign, campaigns=campaigns,
                           trail=breadcrumbs(region), flags=flags, units=anomalies.unit_names(ids),
                           thresholds=_thresholds())


def _thresholds():
    return {"tally_share": round(anomalies.TALLY_SHARE * 100), "tally_min": anomalies.TALLY_MIN_ATTENDANCE,
            "fast_scans": anomalies.FAST_SCANS, "fast_window": anomalies.FAST_WINDOW_S,
            "far_hours": anomalies.FAR_HOURS, "limit": anomalies.LIMIT}


def _user_region_for(org_region_code):
    """The region within which the signed-in user looks at an activity: their own, or (admin)
    the activity's province."""
    code = current_user.region_code or org_region_code[:2] + "0000"
    return db.session.get(Region, code)


@bp.get("/activities/<int:activity_id>")
@role_required(*BUREAU_ROLES)
def activity(activity_id):
    activity = visible_activity_or_404(current_user, activity_id)
    region = _user_region_for(activity.org.region_code)
    overlaps = [flag for flag in anomalies.overlapping_codes(activity.campaign, region)
                if activity.id in (flag["activity_id"], flag["other_id"])]
    return render_template(
        "bureau/activity.html", activity=activity, campaign=activity.campaign, zone=activity.campaign.zone,
        counts=evidence.activity_counts(activity), days=evidence.activity_days(activity),
        devices=evidence.activity_devices(activity), far=evidence.far_approved_checkins(activity),
        overlaps=overlaps, far_hours=anomalies.FAR_HOURS, region_code=region.code,
        mode_label=MODE_LABELS.get(activity.mode, activity.mode),
    )


@bp.get("/<code>/devices/<device_id>")
@role_required(*BUREAU_ROLES)
def device(code, device_id):
    region = region_or_404(code)
    campaigns = campaigns_for(region)
    campaign = pick_campaign(region, campaigns)
    if campaign is None or len(device_id) > 64:
        abort(404)
    recorded = evidence.device_activities(device_id, campaign, region)
    if not recorded:
        abort(404)  # no scan of this device in the region: nothing to show, nothing revealed
    minutes = evidence.device_minutes(device_id, campaign, region)
    return render_template("bureau/device.html", region=region, campaign=campaign, campaigns=campaigns,
                           trail=breadcrumbs(region), device_id=device_id, minutes=minutes,
                           recorded=recorded, units=anomalies.unit_names([a for a, _name, _n in recorded]),
                           zone=campaign.zone, fast_scans=anomalies.FAST_SCANS,
                           fast_window=anomalies.FAST_WINDOW_S)
