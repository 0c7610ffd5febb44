"""How check-ins were recorded: paces and orders no queue of people makes (replay), entries
made after the fact (late_entry), scans at implausible hours or after the end (after_hours)."""
from collections import defaultdict

from sqlalchemy import distinct, func, or_, select

from ...activities.models import Activity
from ...checkins.models import Checkin, CheckinCount
from ...extensions import db
from .sql import HOUR, MINUTE, accepted, epoch, iso, local_hour

RECORDERS = (("device", Checkin.device_id), ("account", Checkin.recorded_by_id))


def _recorder(scope, kind, by, who, count, detail, activity_ids):
    # The unit is part of the key: device ids are chosen by phones, and two units' phones may
    # report the same one.
    return scope.found(kind, f"{kind}:{detail['rule']}:{by}:{who}:unit{scope.org_id}", count, {"by": by, **detail},
                       activity_ids=activity_ids, device_ids=[who] if by == "device" else (),
                       account_ids=[who] if by == "account" else ())


def replay_pace(scope):
    """More than `fast_scans` code scans within `fast_window_s` seconds, by one device id and
    by one account (over all its devices: a phone that takes a new device id every 30 scans is
    still one account). The scanner is built for about a scan a second at a queue; twice that,
    sustained, is a list being replayed. LEAD(scanned_at, fast_scans) is the scan fast_scans
    later: when it lies inside the window, fast_scans + 1 scans fit in it."""
    t = scope.t
    found = []
    for by, column in RECORDERS:
        window = {"partition_by": column, "order_by": (Checkin.scanned_at, Checkin.id)}
        scans = (
            select(column.label("who"), Checkin.activity_id, Checkin.scanned_at,
                   func.lead(Checkin.scanned_at, t["fast_scans"]).over(**window).label("later"))
            .where(accepted(scope.ids), Checkin.resident_id.is_not(None), column.is_not(None),
                   Checkin.scanned_at.is_not(None))
            .subquery())
        rows = db.session.execute(
            select(scans.c.who, scans.c.activity_id, func.count(), func.min(scans.c.scanned_at))
            .where(scans.c.later.is_not(None),
                   epoch(scans.c.later) - epoch(scans.c.scanned_at) < t["fast_window_s"] * 1000)
            .group_by(scans.c.who, scans.c.activity_id)).all()
        bursts, activities, first = defaultdict(int), defaultdict(set), {}
        for who, activity_id, n, at in rows:
            bursts[who] += int(n)
            activities[who].add(activity_id)
            first[who] = min(first.get(who, iso(at)), iso(at))
        for who, n in bursts.items():
            found.append(_recorder(scope, "replay", by, who, n + t["fast_scans"],
                                   {"rule": "pace", "first_at": first[who]}, activities[who]))
    return found


def replay_day(scope):
    """One account recording more than `account_day_scans` code scans in a day (the largest
    honest lecture is a few hundred people at one door, and a volunteer has one door)."""
    t = scope.t
    n = func.count().label("n")
    rows = db.session.execute(
        select(Checkin.recorded_by_id, Checkin.day, n, func.count(distinct(Checkin.activity_id)))
        .where(accepted(scope.ids), Checkin.resident_id.is_not(None), Checkin.recorded_by_id.is_not(None))
        .group_by(Checkin.recorded_by_id, Checkin.day)
        .having(n > t["account_day_scans"])).all()
    days, listed = defaultdict(list), defaultdict(list)
    for who, day, count, _activities in rows:
        days[who].append(day)
        listed[who].append({"day": str(day), "scans": int(count)})
    found = []
    for who, busy in days.items():
        ids = db.session.scalars(select(Checkin.activity_id).distinct().where(
            accepted(scope.ids), Checkin.recorded_by_id == who, Checkin.day.in_(busy))).all()
        found.append(_recorder(scope, "replay", "account", who, max(d["scans"] for d in listed[who]),
                               {"rule": "day", "days": sorted(listed[who], key=lambda d: d["day"])}, ids))
    return found


def replay_order(scope):
    """People scanned in the same order at several sessions: a queue forms anew each time, a
    list is replayed in its order. Per account, the pairs (person before, person after) that
    recur at `order_activities` or more sessions (activity and day); at least `order_pairs` such
    pairs. A couple arriving together repeats one pair, not twenty."""
    t = scope.t
    previous = func.lag(Checkin.resident_id).over(
        partition_by=(Checkin.recorded_by_id, Checkin.activity_id, Checkin.day),
        order_by=(Checkin.scanned_at, Checkin.id))
    scans = (
        select(Checkin.recorded_by_id.label("who"), Checkin.activity_id, Checkin.resident_id,
               previous.label("previous"))
        .where(accepted(scope.ids), Checkin.resident_id.is_not(None), Checkin.recorded_by_id.is_not(None))
        .subquery())
    sessions = func.count().label("sessions")
    pairs = (
        select(scans.c.who, scans.c.previous, scans.c.resident_id, sessions)
        .where(scans.c.previous.is_not(None))
        .group_by(scans.c.who, scans.c.previous, scans.c.resident_id)
        .having(sessions >= t["order_activities"])
        .subquery())
    rows = db.session.execute(
        select(pairs.c.who, func.count(), func.max(pairs.c.sessions))
        .group_by(pairs.c.who).having(func.count() >= t["order_pairs"])).all()
    found = []
    for who, n, most in rows:
        ids = db.session.scalars(select(Checkin.activity_id).distinct().where(
            accepted(scope.ids), Checkin.recorded_by_id == who)).all()
        found.append(_recorder(scope, "replay", "account", who, n,
                               {"rule": "order", "pairs": int(n), "sessions": int(most)}, ids))
    return found


def late_entry(scope):
    """Entries after the fact: an activity created `late_created_hours` after it started (and
    counted); at least `late_min` check-ins of an activity received `late_receipt_hours` after
    they were scanned (a phone synced a day late is not that); at least `late_min` from a
    device whose clock was off by `clock_error_hours` or more (a date set back to replay)."""
    t = scope.t
    found = []
    counted = select(CheckinCount.activity_id).where(CheckinCount.activity_id.in_(scope.ids)).distinct()
    for activity_id, created, starts in db.session.execute(
            select(Activity.id, Activity.created_at, Activity.starts_at)
            .where(Activity.id.in_(counted),
                   epoch(Activity.created_at) - epoch(Activity.starts_at) > t["late_created_hours"] * HOUR)):
        hours = round((created - starts).total_seconds() / 3600, 1)
        found.append(scope.found("late_entry", f"late_entry:created:{activity_id}", 1,
                                 {"rule": "created", "created_at": iso(created), "hours_after_start": hours},
                                 activity_ids=[activity_id]))
    late = epoch(Checkin.received_at) - epoch(Checkin.scanned_at) > t["late_receipt_hours"] * HOUR
    for activity_id, n, first in db.session.execute(
            select(Checkin.activity_id, func.count(), func.min(Checkin.received_at))
            .where(accepted(scope.ids), late).group_by(Checkin.activity_id)
            .having(func.count() >= t["late_min"])):
        found.append(scope.found("late_entry", f"late_entry:received:{activity_id}", n,
                                 {"rule": "received", "checkins": int(n), "first_received_at": iso(first)},
                                 activity_ids=[activity_id]))
    clock = func.abs(epoch(Checkin.scanned_at) - epoch(Checkin.device_scanned_at)) > t["clock_error_hours"] * HOUR
    per_device = defaultdict(lambda: [0, set()])
    for device_id, activity_id, n in db.session.execute(
            select(Checkin.device_id, Checkin.activity_id, func.count())
            .where(accepted(scope.ids), Checkin.device_id.is_not(None), clock)
            .group_by(Checkin.device_id, Checkin.activity_id)):
        per_device[device_id][0] += int(n)
        per_device[device_id][1].add(activity_id)
    for device_id, (n, ids) in per_device.items():
        if n >= t["late_min"]:
            found.append(scope.found("late_entry", f"late_entry:clock:{device_id}:unit{scope.org_id}", n,
                                     {"rule": "clock", "checkins": n}, activity_ids=ids, device_ids=[device_id]))
    return found


def after_hours(scope):
    """Scans at night (local `night_start` to `night_end`), or more than `outside_minutes`
    before the start or after the end (inside the margin within which sync counts them without
    asking), at least `after_hours_min` of them; or an activity whose scans came mostly after
    its end (`after_end_share` %)."""
    t = scope.t
    hour = local_hour(Checkin.scanned_at, scope.offset_s)
    if t["night_start"] > t["night_end"]:
        night = or_(hour >= t["night_start"], hour < t["night_end"])
    else:
        night = (hour >= t["night_start"]) & (hour < t["night_end"])
    margin = t["outside_minutes"] * MINUTE
    outside = or_(epoch(Checkin.scanned_at) < epoch(Activity.starts_at) - margin,
                  epoch(Checkin.scanned_at) > epoch(Activity.ends_at) + margin)
    rows = db.session.execute(
        select(Checkin.activity_id, func.count(), func.count().filter(night), func.count().filter(outside),
               func.count().filter(Checkin.scanned_at > Activity.ends_at))
        .join(Activity, Activity.id == Checkin.activity_id)
        .where(accepted(scope.ids), Checkin.scanned_at.is_not(None))
        .group_by(Checkin.activity_id)).all()
    found = []
    for activity_id, total, at_night, outside_n, after_end in rows:
        total, at_night, outside_n, after_end = int(total), int(at_night), int(outside_n), int(after_end)
        mostly_after = after_end >= t["after_hours_min"] and after_end * 100 >= t["after_end_share"] * total
        if at_night >= t["after_hours_min"] or outside_n >= t["after_hours_min"] or mostly_after:
            found.append(scope.found(
                "after_hours", f"after_hours:{activity_id}", max(at_night, outside_n, after_end),
                {"checkins": total, "night": at_night, "outside": outside_n, "after_end": after_end},
                activity_ids=[activity_id]))
    return found
