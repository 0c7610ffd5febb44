"""The evidence behind a flag: the check-ins it rests on (times, device, the account that
recorded each and the one that approved it; never a resident's name: people are numbered
within the page so that one person can be followed across rows), an activity's counts by day
and by device; a device's scans per minute. Every query is bounded by the flag's activities.
"""
from datetime import datetime, timezone

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..activities.models import Activity
from ..checkins.models import Checkin
from ..extensions import db
from ..flags.rules.sql import HOUR, MINUTE, as_utc as _as_utc, dialect as _dialect, epoch, local_hour
from ..reports.counts import activity_totals, counted_activities

SCANS_LIMIT = 300


def ms_between(start, end):
    return epoch(end) - epoch(start)


def flag_scans(flag, campaign, limit=SCANS_LIMIT):
    """[row] of the accepted check-ins behind a flag, in time order: each row a dict with
    scanned_at, device_scanned_at, received_at, device_id, activity_id, kind, headcount,
    person (a number within this list, or None for a tally), recorded_by, approved_by, note."""
    t = flag.detail.get("thresholds", {})
    ids = flag.activity_ids or [-1]
    conditions = [Checkin.status == "accepted", Checkin.activity_id.in_(ids)]
    if flag.device_ids:
        conditions.append(Checkin.device_id.in_(flag.device_ids))
    elif flag.account_ids and flag.kind in ("two_places", "replay"):
        conditions.append(Checkin.recorded_by_id.in_(flag.account_ids))
    rule = flag.detail.get("rule")
    if flag.kind == "two_places" and flag.detail.get("by") == "people" and len(ids) == 2:
        here, there = aliased(Checkin), aliased(Checkin)
        shared = (select(here.resident_id).join(there, and_(
            there.resident_id == here.resident_id, there.day == here.day, there.status == "accepted",
            there.activity_id == ids[1]))
            .where(here.activity_id == ids[0], here.status == "accepted",
                   func.abs(epoch(there.scanned_at) - epoch(here.scanned_at)) < t.get("two_places_minutes", 10) * MINUTE))
        conditions.append(Checkin.resident_id.in_(shared))
    elif flag.kind == "late_entry" and rule == "received":
        conditions.append(epoch(Checkin.received_at) - epoch(Checkin.scanned_at) > t.get("late_receipt_hours", 48) * HOUR)
    elif flag.kind == "late_entry" and rule == "clock":
        conditions.append(func.abs(epoch(Checkin.scanned_at) - epoch(Checkin.device_scanned_at))
                          > t.get("clock_error_hours", 24) * HOUR)
    elif flag.kind == "after_hours":
        margin = t.get("outside_minutes", 90) * MINUTE
        hour = local_hour(Checkin.scanned_at, int(campaign.zone.utcoffset(datetime.now()).total_seconds()))
        conditions.append(or_(hour >= t.get("night_start", 22), hour < t.get("night_end", 6),
                              Checkin.scanned_at > Activity.ends_at,
                              epoch(Checkin.scanned_at) < epoch(Activity.starts_at) - margin))
    elif flag.kind == "tally_share":
        conditions.append(Checkin.resident_id.is_(None))
    elif flag.kind == "volunteer_ratio":
        conditions.append(Checkin.kind == "volunteer")
    elif flag.kind == "far_approved":
        conditions.append(Checkin.resolved_at.is_not(None))
    recorder, approver = aliased(User), aliased(User)
    rows = db.session.execute(
        select(Checkin.scanned_at, Checkin.device_scanned_at, Checkin.received_at, Checkin.device_id,
               Checkin.activity_id, Checkin.kind, Checkin.headcount, Checkin.resident_id,
               recorder.username, approver.username, Checkin.resolution_note)
        .join(Activity, Activity.id == Checkin.activity_id)
        .outerjoin(recorder, recorder.id == Checkin.recorded_by_id)
        .outerjoin(approver, approver.id == Checkin.resolved_by_id)
        .where(*conditions)
        .order_by(Checkin.scanned_at, Checkin.id).limit(limit)).all()
    people = {}
    listed = []
    for scanned, device_scanned, received, device, activity_id, kind, headcount, resident, by, approved, note in rows:
        person = None if resident is None else people.setdefault(resident, len(people) + 1)
        listed.append({"scanned_at": _as_utc(scanned), "device_scanned_at": _as_utc(device_scanned),
                       "received_at": _as_utc(received), "device_id": device, "activity_id": activity_id,
                       "kind": kind, "headcount": headcount, "person": person, "recorded_by": by,
                       "approved_by": approved, "note": note})
    return listed


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


def far_approved_checkins(activity, far_hours, limit=100):
    """The accepted check-ins that were held for their time, then approved: when, by whom (user
    id), and the note given."""
    limit_ms = far_hours * HOUR
    return db.session.execute(
        select(Checkin.scanned_at, Checkin.resolved_at, Checkin.resolution_note, Checkin.device_id,
               Checkin.kind, Checkin.headcount)
        .join(Activity, Activity.id == Checkin.activity_id)
        .where(Checkin.activity_id == activity.id, Checkin.status == "accepted", Checkin.resolved_at.is_not(None),
               (ms_between(Activity.starts_at, Checkin.scanned_at) < -limit_ms)
               | (ms_between(Activity.ends_at, Checkin.scanned_at) > limit_ms))
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
