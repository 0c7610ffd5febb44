"""Anomaly flags of a region, each flag's evidence page (with the bureau's review), the
activity and device evidence pages, and the campaign's thresholds."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.access import org_ids_clause, visible_activity_or_404
from ..accounts.models import User
from ..activities.models import Activity
from ..activities.reference import MODE_LABELS
from ..campaigns.models import Campaign
from ..extensions import db
from ..flags import edits, thresholds, vocabulary, workflow
from ..flags.forms import ReviewForm, ThresholdsForm
from ..flags.models import Flag, FlagActivity
from ..flags.refresh import recompute_with_new_thresholds
from ..regions.models import Region
from ..web.access import role_required
from . import anomalies, evidence
from .scope import BUREAU_ROLES, breadcrumbs, campaigns_for, pick_campaign, region_or_404

bp = Blueprint("bureau_evidence", __name__, url_prefix="/region")

PAGE_ROWS = 100  # flags listed per kind on the page, highest counts first (all of them in the API)


@bp.get("/<code>/anomalies", endpoint="anomalies")
@role_required(*BUREAU_ROLES)
def anomalies_page(code):
    region = region_or_404(code)
    campaigns = campaigns_for(region)
    campaign = pick_campaign(region, campaigns)
    if campaign is None:
        abort(404)
    pending = anomalies.bring_up_to_date(campaign, region)
    flags = anomalies.region_flags(campaign, region)
    activity_names, org_names = anomalies.names(flags)
    by_kind = {kind: [f for f in flags if f.kind == kind] for kind in vocabulary.TITLES}
    return render_template("bureau/anomalies.html", region=region, campaign=campaign, campaigns=campaigns,
                           trail=breadcrumbs(region), by_kind=by_kind, activity_names=activity_names,
                           org_names=org_names, pending=pending, vocabulary=vocabulary, page_rows=PAGE_ROWS,
                           values=thresholds.for_campaign(campaign.id), zone=campaign.zone)


def visible_flag_or_404(flag_id):
    """A flag concerning at least one activity the user may see."""
    linked = (select(FlagActivity.flag_id).join(Activity, Activity.id == FlagActivity.activity_id)
              .where(org_ids_clause(current_user, Activity.org_id)))
    flag = db.session.scalar(select(Flag).where(Flag.id == flag_id, Flag.id.in_(linked)))
    if flag is None:
        abort(404)
    return flag


def _user_region_for(org_region_code):
    """The region within which the signed-in user looks at an activity: their own, or (admin)
    the activity's province."""
    code = current_user.region_code or org_region_code[:2] + "0000"
    return db.session.get(Region, code)


def flag_context(flag):
    """What a flag's page shows (the bureau's and the unit's)."""
    campaign = db.session.get(Campaign, flag.campaign_id)
    activities = db.session.scalars(select(Activity).where(Activity.id.in_(flag.activity_ids or [-1]))
                                    .order_by(Activity.id)).all()
    accounts = dict(db.session.execute(select(User.id, User.username).where(User.id.in_(flag.account_ids or [-1]))).all())
    activity_names, org_names = anomalies.names([flag])
    used = flag.detail.get("thresholds", {})
    return dict(
        flag=flag, campaign=campaign, zone=campaign.zone, activities=activities, accounts=accounts,
        activity_names=activity_names, org_names=org_names, scans=evidence.flag_scans(flag, campaign),
        scans_limit=evidence.SCANS_LIMIT, edits={a.id: edits.history(a.id) for a in activities},
        history=workflow.history(flag), rule=vocabulary.rule_text(flag.kind, used), used=used,
        vocabulary=vocabulary, labels=thresholds.THRESHOLDS, unit_view=False)


def flag_page(flag, form=None, status=200):
    form = form or ReviewForm()
    return render_template(
        "bureau/flag.html", **flag_context(flag), form=form, form_field=form.note, can_review=True,
        review_endpoint="bureau_evidence.review", submit_label=_("Mark reviewed"), region=None, trail=[]), status


@bp.get("/flags/<int:flag_id>")
@role_required(*BUREAU_ROLES)
def flag(flag_id):
    flag = visible_flag_or_404(flag_id)
    return flag_page(flag)


@bp.post("/flags/<int:flag_id>/review")
@role_required(*BUREAU_ROLES)
def review(flag_id):
    flag = visible_flag_or_404(flag_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return flag_page(flag, form, 400)
    workflow.review(flag, current_user, form.note.data)
    flash(_("The flag is marked reviewed."), "info")
    return redirect(url_for("bureau_evidence.flag", flag_id=flag.id))


@bp.get("/activities/<int:activity_id>")
@role_required(*BUREAU_ROLES)
def activity(activity_id):
    activity = visible_activity_or_404(current_user, activity_id)
    region = _user_region_for(activity.org.region_code)
    flags = db.session.scalars(select(Flag).where(Flag.id.in_(
        select(FlagActivity.flag_id).where(FlagActivity.activity_id == activity.id))).order_by(Flag.id)).all()
    values = thresholds.for_campaign(activity.campaign_id)
    activity_names, _orgs = anomalies.names(flags)
    return render_template(
        "bureau/activity.html", activity=activity, campaign=activity.campaign, zone=activity.campaign.zone,
        counts=evidence.activity_counts(activity), days=evidence.activity_days(activity),
        devices=evidence.activity_devices(activity), far=evidence.far_approved_checkins(activity, values["far_hours"]),
        flags=flags, activity_names=activity_names, vocabulary=vocabulary, edits=edits.history(activity.id),
        far_hours=values["far_hours"], region_code=region.code,
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
    values = thresholds.for_campaign(campaign.id)
    return render_template("bureau/device.html", region=region, campaign=campaign, campaigns=campaigns,
                           trail=breadcrumbs(region), device_id=device_id, minutes=minutes,
                           recorded=recorded, units=anomalies.unit_names([a for a, _name, _n in recorded]),
                           zone=campaign.zone, fast_scans=values["fast_scans"], fast_window=values["fast_window_s"])


def _may_set_thresholds(region, campaign):
    """A province bureau for its province's weeks, or an admin."""
    if current_user.role == "admin":
        return True
    return (current_user.region is not None and current_user.region.level == "province"
            and campaign.region_code.startswith(current_user.region_code[:2]))


@bp.route("/<code>/thresholds", methods=["GET", "POST"])
@role_required(*BUREAU_ROLES)
def thresholds_page(code):
    """Every bureau sees the thresholds its flags are computed with; the province sets them."""
    region = region_or_404(code)
    campaigns = campaigns_for(region)
    campaign = pick_campaign(region, campaigns)
    if campaign is None:
        abort(404)
    may_set = _may_set_thresholds(region, campaign)
    values, errors = thresholds.for_campaign(campaign.id), {}
    form = ThresholdsForm()
    if request.method == "POST":
        if not may_set:
            abort(403)
        if form.validate_on_submit():
            values, errors = thresholds.clean(request.form)
            if not errors:
                thresholds.save(campaign.id, values, current_user)
                recompute_with_new_thresholds(campaign)
                flash(_("The thresholds are saved; the week's flags are being computed again with them."), "info")
                return redirect(url_for("bureau_evidence.thresholds_page", code=region.code, campaign=campaign.id))
        else:
            errors = {"csrf_token": None}
    return render_template("bureau/thresholds.html", region=region, campaign=campaign, campaigns=campaigns,
                           trail=breadcrumbs(region), values=values, defaults=thresholds.DEFAULTS,
                           specs=thresholds.THRESHOLDS, errors=errors, may_set=may_set, form=form), \
        400 if errors else 200
