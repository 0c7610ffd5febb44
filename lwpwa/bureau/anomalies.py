"""Suspicious numbers in a region's campaign, each computed by one SQL query (no rows loaded
into Python), each pointing at its evidence: an activity or a device.

Thresholds, and why:
- OVERLAP: the same code accepted on the same local day at two activities whose times overlap at
  different venues (online activities excluded: one can watch online from anywhere).
- CAPACITY: on some day an activity counted more attendees (distinct codes + tallies) than its
  capacity.
- TALLY: walk-in tallies make up more than TALLY_SHARE of an activity's attendance, once the
  attendance reaches TALLY_MIN_ATTENDANCE (a 6-person salon with 4 walk-ins is no signal).
- FAST: one device accepted more than FAST_SCANS code scans within FAST_WINDOW_S seconds. The
  scanner is built for about one scan a second at a queue; more than twice that rate, sustained
  for 20 seconds, is what replaying a list of codes looks like, not a queue of people.
- FAR_APPROVED: check-ins held because their time lay more than FAR_HOURS outside the activity,
  then approved (resolved and accepted) all the same.
"""
from datetime import datetime, timezone

from sqlalchemy import Integer, and_, distinct, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..activities.models import Activity
from ..checkins.models import Checkin, CheckinCount
from ..extensions import db
from ..orgs.models import Org
from ..reports.counts import counted_activities, per_day_counts

TALLY_SHARE = 0.5
TALLY_MIN_ATTENDANCE = 20
FAST_SCANS = 40
FAST_WINDOW_S = 20
FAR_HOURS = 6
LIMIT = 200  # flags of one kind listed at most (the page shows “200+”), worst first

KINDS = ("overlap", "capacity", "tally", "fast_device", "far_approved")


def _dialect():
    return db.session.get_bind().dialect.name


def seconds_between(start, end):
    """SQL for (end − start) in seconds, on SQLite and PostgreSQL."""
    if _dialect() == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start)


def _as_utc(value):
    """Aggregates (min/max) of datetimes come back as strings on SQLite."""
    if value is None or isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value
    return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)


def _accepted_in(ids, checkin=Checkin):
    return and_(checkin.status == "accepted", checkin.activity_id.in_(ids))


def overlapping_codes(campaign, region):
    """Pairs of overlapping activities at different venues that share accepted codes on a day.

    A window first keeps only the check-ins of (person, day)s seen at two activities or more
    (their lowest and highest activity differ). Those are paired with each other, once, and
    counted per pair of activities; only then are the pairs' activities read and compared
    (times, venues, online), once per pair instead of once per shared person."""
    ids = counted_activities(campaign.id, region_code=region.code)
    window = {"partition_by": (Checkin.resident_id, Checkin.day)}
    scans = (
        select(Checkin.activity_id, Checkin.resident_id, Checkin.day,
               func.min(Checkin.activity_id).over(**window).label("lowest"),
               func.max(Checkin.activity_id).over(**window).label("highest"))
        .where(_accepted_in(ids), Checkin.resident_id.is_not(None))
        .subquery()
    )
    multi = (select(scans.c.activity_id, scans.c.resident_id, scans.c.day)
             .where(scans.c.lowest != scans.c.highest).cte("multi"))
    m1, m2 = multi.alias("m1"), multi.alias("m2")
    pairs = (
        select(m1.c.activity_id.label("first"), m2.c.activity_id.label("second"),
               func.count(distinct(m1.c.resident_id)).label("shared"))
        .join(m2, and_(m2.c.resident_id == m1.c.resident_id, m2.c.day == m1.c.day,
                       m2.c.activity_id > m1.c.activity_id))
        .group_by(m1.c.activity_id, m2.c.activity_id)
        .cte("pairs")
    )
    a1, a2 = aliased(Activity), aliased(Activity)
    query = (
        select(a1.id, a1.name, a1.venue, a2.id, a2.name, a2.venue, pairs.c.shared)
        .select_from(pairs)
        .join(a1, a1.id == pairs.c.first)
        .join(a2, a2.id == pairs.c.second)
        .where(a1.starts_at < a2.ends_at, a2.starts_at < a1.ends_at,
               func.lower(func.trim(a1.venue)) != func.lower(func.trim(a2.venue)),
               a1.mode != "online", a2.mode != "online")
        .order_by(pairs.c.shared.desc(), a1.id, a2.id)
        .limit(LIMIT)
    )
    return [{"kind": "overlap", "activity_id": first, "activity_name": first_name, "venue": first_venue,
             "other_id": second, "other_name": second_name, "other_venue": second_venue, "codes": n}
            for first, first_name, first_venue, second, second_name, second_venue, n in db.session.execute(query)]


def over_capacity(campaign, region):
    """Activities whose attendance on some day exceeded their capacity."""
    ids = counted_activities(campaign.id, region_code=region.code)
    per_day = per_day_counts(ids)
    peak = (select(per_day.c.activity_id, func.max(per_day.c.n).label("peak"))
            .where(per_day.c.kind == "attendee").group_by(per_day.c.activity_id).subquery())
    query = (
        select(Activity.id, Activity.name, Activity.capacity, peak.c.peak)
        .join(peak, peak.c.activity_id == Activity.id)
        .where(Activity.capacity.is_not(None), peak.c.peak > Activity.capacity)
        .order_by((peak.c.peak - Activity.capacity).desc(), Activity.id)
        .limit(LIMIT)
    )
    return [{"kind": "capacity", "activity_id": activity_id, "activity_name": name, "capacity": capacity,
             "peak": int(peak_n)} for activity_id, name, capacity, peak_n in db.session.execute(query)]


def tally_heavy(campaign, region):
    """Activities where walk-in tallies are most of the attendance (and it is not tiny)."""
    ids = counted_activities(campaign.id, region_code=region.code)
    # From the counts table (one row per activity, kind and day), not the check-ins.
    scanned, tally = func.sum(CheckinCount.scanned), func.sum(CheckinCount.headcount)
    per_activity = (
        select(CheckinCount.activity_id, scanned.label("scanned"), tally.label("tally"))
        .where(CheckinCount.activity_id.in_(ids), CheckinCount.kind == "attendee")
        .group_by(CheckinCount.activity_id)
        .having(tally > (scanned + tally) * TALLY_SHARE, scanned + tally >= TALLY_MIN_ATTENDANCE)
        .subquery()
    )
    query = (
        select(Activity.id, Activity.name, per_activity.c.scanned, per_activity.c.tally)
        .join(per_activity, per_activity.c.activity_id == Activity.id)
        .order_by(per_activity.c.tally.desc(), Activity.id)
        .limit(LIMIT)
    )
    return [{"kind": "tally", "activity_id": activity_id, "activity_name": name, "scanned": int(s),
             "tally": int(t), "share": round(100 * int(t) / (int(s) + int(t)))}
            for activity_id, name, s, t in db.session.execute(query)]


def epoch_seconds(column):
    if _dialect() == "sqlite":
        return func.cast(func.strftime("%s", column), Integer)
    return func.cast(func.floor(func.extract("epoch", column)), Integer)


def fast_devices(campaign, region):
    """Devices that accepted more than FAST_SCANS code scans within FAST_WINDOW_S seconds.

    LEAD(scanned_at, FAST_SCANS) over a device's scans in time order is the scan FAST_SCANS
    later: when it lies within the window, FAST_SCANS + 1 scans fit in it. Only devices that
    could qualify are windowed: a window of FAST_WINDOW_S seconds lies within two aligned
    buckets of that length, so one of them holds more than FAST_SCANS / 2 of its scans."""
    ids = counted_activities(campaign.id, region_code=region.code)
    counted = and_(_accepted_in(ids), Checkin.resident_id.is_not(None), Checkin.device_id.is_not(None),
                   Checkin.scanned_at.is_not(None))
    bucket = (epoch_seconds(Checkin.scanned_at) // FAST_WINDOW_S).label("bucket")
    busy = (select(Checkin.device_id).where(counted).group_by(Checkin.device_id, bucket)
            .having(func.count() > FAST_SCANS // 2))
    scans = (
        select(Checkin.device_id, Checkin.activity_id, Checkin.scanned_at,
               func.lead(Checkin.scanned_at, FAST_SCANS)
               .over(partition_by=Checkin.device_id, order_by=(Checkin.scanned_at, Checkin.id)).label("later"))
        .where(counted, Checkin.device_id.in_(busy))
        .subquery()
    )
    starts = func.count().label("starts")
    query = (
        select(scans.c.device_id, func.min(scans.c.scanned_at), starts, func.min(scans.c.activity_id),
               func.count(distinct(scans.c.activity_id)))
        .where(scans.c.later.is_not(None), seconds_between(scans.c.scanned_at, scans.c.later) < FAST_WINDOW_S)
        .group_by(scans.c.device_id)
        .order_by(starts.desc(), scans.c.device_id)
        .limit(LIMIT)
    )
    return [{"kind": "fast_device", "device_id": device_id, "first_burst_at": _as_utc(first),
             "burst_scans": int(n) + FAST_SCANS, "activity_id": activity_id, "activities": int(n_activities)}
            for device_id, first, n, activity_id, n_activities in db.session.execute(query)]


def far_approved(campaign, region):
    """Check-ins far outside their activity's time that were held, then approved."""
    ids = counted_activities(campaign.id, region_code=region.code)
    limit_s = FAR_HOURS * 3600
    n = func.count(Checkin.id).label("n")
    query = (
        select(Activity.id, Activity.name, n, func.min(Checkin.scanned_at), func.max(Checkin.scanned_at))
        .join(Activity, Activity.id == Checkin.activity_id)
        .where(_accepted_in(ids), Checkin.resolved_at.is_not(None),
               or_(seconds_between(Activity.starts_at, Checkin.scanned_at) < literal(-limit_s),
                   seconds_between(Activity.ends_at, Checkin.scanned_at) > literal(limit_s)))
        .group_by(Activity.id, Activity.name)
        .order_by(n.desc(), Activity.id)
        .limit(LIMIT)
    )
    return [{"kind": "far_approved", "activity_id": activity_id, "activity_name": name, "checkins": int(count),
             "first_at": _as_utc(first), "last_at": _as_utc(last)}
            for activity_id, name, count, first, last in db.session.execute(query)]


def all_flags(campaign, region):
    """{kind: [flag, …]} for the five kinds, in the order of KINDS."""
    return {"overlap": overlapping_codes(campaign, region), "capacity": over_capacity(campaign, region),
            "tally": tally_heavy(campaign, region), "fast_device": fast_devices(campaign, region),
            "far_approved": far_approved(campaign, region)}


def unit_names(activity_ids):
    """{activity_id: unit name} for labelling flags."""
    if not activity_ids:
        return {}
    return dict(db.session.execute(
        select(Activity.id, Org.name).join(Org, Org.id == Activity.org_id).where(Activity.id.in_(activity_ids))).all())
