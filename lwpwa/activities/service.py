"""Creating, changing and listing activities; validation shared by the API and the pages."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.access import can_manage_org, org_ids_clause
from ..campaigns.models import Campaign
from ..errors import ApiError
from ..extensions import db
from ..flags.edits import record_edits
from ..orgs.models import Org
from ..regions.models import level_of, scope_prefix
from .declarations import ActivityInput, ActivityPatch
from .models import Activity

EDITABLE = ("theme", "name", "content", "form", "mode", "venue", "starts_at", "ends_at",
            "news_links", "courses", "capacity", "is_cancelled")


def validate_activity(data, *, partial=False):
    """The cleaned fields of `data` (a dict, from the API, a page or the importer): every field
    of a new activity, or those a change gives; raises ValidationError listing every bad field."""
    if partial:
        return ActivityPatch.check(data).given()
    return ActivityInput.check(data).values()


def _check_times(starts_at, ends_at):
    if ends_at <= starts_at:
        raise ApiError(400, "validation_error", _("Some fields are not valid."),
                       {"ends_at": _("The end must be after the start.")})
    if ends_at - starts_at > timedelta(days=31):
        raise ApiError(400, "validation_error", _("Some fields are not valid."),
                       {"ends_at": _("An activity lasts at most 31 days.")})


def _check_campaign_dates(campaign, starts_at, ends_at):
    """An activity of a campaign takes place within its week (its dates, in its time zone)."""
    first, last = starts_at.astimezone(campaign.zone).date(), ends_at.astimezone(campaign.zone).date()
    if first < campaign.starts_on or last > campaign.ends_on:
        message = _("The activity must take place within the activity week (%(start)s to %(end)s).",
                    start=campaign.starts_on.isoformat(), end=campaign.ends_on.isoformat())
        field = "starts_at" if not campaign.starts_on <= first <= campaign.ends_on else "ends_at"
        raise ApiError(400, "validation_error", _("Some fields are not valid."), {field: message})


def create_activity(user, data):
    fields = validate_activity(data)
    campaign = db.session.get(Campaign, fields["campaign_id"])
    org = db.session.get(Org, fields["org_id"])
    problems = {}
    if campaign is None:
        problems["campaign_id"] = _("No such campaign.")
    if org is None or not can_manage_org(user, org.id):
        # Not visible and not manageable look the same: ids of other units reveal nothing.
        problems["org_id"] = _("No such unit, or you may not plan its activities.")
    if not problems and not campaign_covers(campaign, org):
        # Another province's (or city's) activity week: its table is not this unit's to fill.
        problems["campaign_id"] = _("This activity week does not cover the unit's region.")
    if problems:
        raise ApiError(400, "validation_error", _("Some fields are not valid."), problems)
    _check_times(fields["starts_at"], fields["ends_at"])
    _check_campaign_dates(campaign, fields["starts_at"], fields["ends_at"])
    activity = Activity(**fields, created_by_id=user.id)
    db.session.add(activity)
    db.session.flush()
    return activity


def campaign_covers(campaign, org):
    """Whether the unit lies in the campaign's region (a province's week covers its cities)."""
    return org.region_code.startswith(scope_prefix(campaign.region_code, level_of(campaign.region_code)))


def update_activity(user, activity, data):
    if not can_manage_org(user, activity.org_id):
        raise ApiError(403, "forbidden_role", _("Only the unit's site lead may change this activity."))
    fields = validate_activity(data, partial=True)
    _check_times(fields.get("starts_at", activity.starts_at), fields.get("ends_at", activity.ends_at))
    if "starts_at" in fields or "ends_at" in fields or "campaign_id" in fields:
        campaign = db.session.get(Campaign, fields.get("campaign_id", activity.campaign_id))
        if campaign is None:
            raise ApiError(400, "validation_error", _("Some fields are not valid."), {"campaign_id": _("No such campaign.")})
        _check_campaign_dates(campaign, fields.get("starts_at", activity.starts_at), fields.get("ends_at", activity.ends_at))
    record_edits(user, activity, fields)  # the edit history and the flags' dirty mark
    for name, value in fields.items():
        setattr(activity, name, value)
    db.session.flush()
    return activity


def list_activities(user, campaign_id=None, on=None, org_id=None):
    query = select(Activity).where(org_ids_clause(user, Activity.org_id))
    if campaign_id is not None:
        query = query.where(Activity.campaign_id == campaign_id)
    if org_id is not None:
        query = query.where(Activity.org_id == org_id)
    if on is not None:
        # "A day" is the campaign's local calendar day (Asia/Shanghai unless it says otherwise).
        campaign = db.session.get(Campaign, campaign_id) if campaign_id is not None else None
        zone = ZoneInfo(campaign.timezone if campaign else "Asia/Shanghai")
        start = datetime.combine(on, time.min, zone)
        query = query.where(Activity.starts_at < start + timedelta(days=1), Activity.ends_at > start)
    return db.session.scalars(query.order_by(Activity.starts_at, Activity.id)).all()


def activity_to_json(activity, zone=None):
    zone = zone or ZoneInfo(activity.campaign.timezone)
    return {
        "id": activity.id,
        "campaign_id": activity.campaign_id,
        "org_id": activity.org_id,
        "org_name": activity.org.name,
        "theme": activity.theme,
        "name": activity.name,
        "content": activity.content,
        "form": activity.form,
        "mode": activity.mode,
        "venue": activity.venue,
        "starts_at": activity.starts_at.astimezone(zone).isoformat(),
        "ends_at": activity.ends_at.astimezone(zone).isoformat(),
        "news_links": activity.news_links or [],
        "courses": activity.courses or [],
        "capacity": activity.capacity,
        "is_cancelled": activity.is_cancelled,
    }
