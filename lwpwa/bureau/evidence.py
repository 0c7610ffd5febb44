"""The evidence behind a flag: an activity's counts by day and by device, its approved
far-off check-ins; a device's scans per minute. Counts and times only, no personal data."""
from datetime import datetime, timezone

from sqlalchemy import distinct, func, select

from ..activities.models import Activity
from ..checkins.models import Checkin
from ..extensions import db
from ..reports.counts import activity_totals, counted_activities
from .anomalies import FAR_HOURS, _as_utc, _dialect, seconds_between


def activity_days(activity):
    """[(day, distinct codes, tallied walk-ins, volunteers)] of accepted check-ins."""
    rows = db.session.execute(
        select(Checkin.day,
               func.count(distinct(Checkin.resident_id)).filter(Checkin.kind == "attendee"),
               func.coalesce(func.sum(Checkin.headcount).filter(Checkin.kind == "attendee"), 0),
               func.count(distinct(Checkin.resident_id)).filter(Checkin.kind == "volunteer")
               + func.coalesce(func.sum(Checkin.headcount).filter(Checkin.kind == "volunteer"), 0))
        .where(Checkin.activity_id == activity.id, Checkin.status == "accepted")
        .group_by(Checkin.day).order_by(Checkin.day))
    return [(day, int(codes), int(tally), int(volunteers)) for day, codes, tally, volunteers in rows]


def activity_devices(activity):
    """[(device_id, accepted, not counted, first, last)] of the devices that recorded into it."""
    accepted = func.count().filter(Checkin.status == "accepted")
    rows = db.session.execute(
        select(Checkin.device_id, accepted, func.count().filter(Checkin.status != "accepted"),
               func.min(Checkin.scanned_at), func.max(Checkin.scanned_at))
        .where(Checkin.activity_id == activity.id)
        .group_by(Checkin.device_id).order_by(accepted.desc()))
    return [(device, int(a), int(other), _as_utc(first), _as_utc(last)) for device, a, other, first, last in rows]


def far_approved_checkins(activity, limit=100):
    """The accepted check-ins that were held for their time, then approved: when, by whom (user
    id), and the note given."""
    limit_s = FAR_HOURS * 3600
    return db.session.execute(
        select(Checkin.scanned_at, Checkin.resolved_at, Checkin.resolution_note, Checkin.device_id,
               Checkin.kind, Checkin.headcount)
        .join(Activity, Activity.id == Checkin.activity_id)
        .where(Checkin.activity_id == activity.id, Checkin.status == "accepted", Checkin.resolved_at.is_not(None),
               (seconds_between(Activity.starts_at, Checkin.scanned_at) < -limit_s)
               | (seconds_between(Activity.ends_at, Checkin.scanned_at) > limit_s))
        .order_by(Checkin.scanned_at).limit(limit)).all()


def activity_counts(activity):
    totals = activity_totals(select(Activity.id).where(Activity.id == activity.id))
    return totals.get(activity.id, {"attendance": 0, "volunteers": 0})


def _minute(column):
    if _dialect() == "sqlite":
        return func.strftime("%Y-%m-%d %H:%M", column)
    return func.to_char(column, "YYYY-MM-DD HH24:MI")


def device_minutes(device_id, campaign, region, limit=120):
    """[(minute start (UTC), accepted code scans, activities)] of one device in the region's
    campaign, busiest minutes first."""
    ids = counted_activities(campaign.id, region_code=region.code)
    minute = _minute(Checkin.scanned_at).label("minute")
    n = func.count().label("n")
    rows = db.session.execute(
        select(minute, n, func.count(distinct(Checkin.activity_id)))
        .where(Checkin.device_id == device_id, Checkin.status == "accepted", Checkin.activity_id.in_(ids),
               Checkin.resident_id.is_not(None))
        .group_by(minute).order_by(n.desc(), minute).limit(limit))
    return [(datetime.strptime(m, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc), int(count), int(acts))
            for m, count, acts in rows]


def device_activities(device_id, campaign, region):
    """[(activity_id, name, accepted)] the device recorded into, inside the region's campaign."""
    ids = counted_activities(campaign.id, region_code=region.code)
    return db.session.execute(
        select(Activity.id, Activity.name, func.count())
        .select_from(Checkin)
        .join(Activity, Activity.id == Checkin.activity_id)
        .where(Checkin.device_id == device_id, Checkin.status == "accepted", Checkin.activity_id.in_(ids))
        .group_by(Activity.id, Activity.name).order_by(Activity.id)).all()
