"""The same people, devices or accounts at two places at once, and the same audience at
implausibly many activities of a unit.

Two places is decided by the scan times, never by the activities' windows: a week-long
exhibition overlaps everything, but its visitors were scanned at its door at one moment.
"""
from collections import defaultdict

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import aliased

from ...activities.models import Activity
from ...checkins.models import Checkin
from ...extensions import db
from .sql import MINUTE, accepted, epoch, iso, same_place


def two_places(scope):
    """Pairs of activities where at least `two_places_people` people were each scanned at both
    within `two_places_minutes` of each other (whatever the venues' texts or modes say: a copy
    of an activity at "the same venue" or "online" is no alibi for being counted twice at once).
    The other activity may belong to any unit; the flag is keyed by the pair, so both units'
    computations find the same one."""
    t = scope.t
    here, there = aliased(Checkin), aliased(Checkin)
    other = aliased(Activity)
    people = func.count(distinct(here.resident_id)).label("people")
    rows = db.session.execute(
        select(here.activity_id, there.activity_id, people, func.min(here.scanned_at), other.org_id)
        .join(there, and_(there.resident_id == here.resident_id, there.day == here.day,
                          there.status == "accepted", there.resident_id.is_not(None),
                          there.activity_id != here.activity_id))
        .join(other, other.id == there.activity_id)
        .where(accepted(scope.ids, here), here.resident_id.is_not(None),
               other.campaign_id == scope.campaign.id, other.is_cancelled.is_(False),
               func.abs(epoch(there.scanned_at) - epoch(here.scanned_at)) < t["two_places_minutes"] * MINUTE)
        .group_by(here.activity_id, there.activity_id, other.org_id)
        .having(people >= t["two_places_people"])).all()
    found = {}
    for mine, theirs, n, first, their_org in rows:
        pair = (min(mine, theirs), max(mine, theirs))
        if pair in found:
            continue
        owner = scope.org_id if pair[0] == mine else their_org
        found[pair] = scope.found(
            "two_places", f"two_places:people:{pair[0]}:{pair[1]}", n,
            {"by": "people", "people": int(n), "first_at": iso(first), "minutes": t["two_places_minutes"]},
            activity_ids=pair, org_id=owner)
    return list(found.values())


def recorder_two_places(scope):
    """One device, or one account, switching between activities at different places (different
    venue texts, or one of them online) within `switch_minutes`, at least `switches` times: a
    phone, or the person holding an account, is in one place at a time."""
    t = scope.t
    places = {a.id: (a.venue, a.mode) for a in scope.activities.values()}
    found = []
    for by, column in (("device", Checkin.device_id), ("account", Checkin.recorded_by_id)):
        window = {"partition_by": column, "order_by": (Checkin.scanned_at, Checkin.id)}
        scans = (
            select(column.label("who"), Checkin.activity_id, Checkin.scanned_at,
                   func.lag(Checkin.activity_id).over(**window).label("previous"),
                   func.lag(Checkin.scanned_at).over(**window).label("previous_at"))
            .where(accepted(scope.ids), column.is_not(None), Checkin.scanned_at.is_not(None))
            .subquery())
        rows = db.session.execute(
            select(scans.c.who, scans.c.previous, scans.c.activity_id, func.count(), func.min(scans.c.scanned_at))
            .where(scans.c.previous.is_not(None), scans.c.previous != scans.c.activity_id,
                   epoch(scans.c.scanned_at) - epoch(scans.c.previous_at) < t["switch_minutes"] * MINUTE)
            .group_by(scans.c.who, scans.c.previous, scans.c.activity_id)).all()
        switches, activities, first = defaultdict(int), defaultdict(set), {}
        for who, previous, activity_id, n, at in rows:
            if same_place(*places[previous], *places[activity_id]):
                continue  # one door for two activities of one venue
            switches[who] += n
            activities[who] |= {previous, activity_id}
            first[who] = min(first.get(who, iso(at)), iso(at))
        for who, n in switches.items():
            if n >= t["switches"]:
                found.append(scope.found(
                    "two_places", f"two_places:{by}:{who}:unit{scope.org_id}", n,
                    {"by": by, "switches": n, "first_at": first[who], "minutes": t["switch_minutes"]},
                    activity_ids=activities[who],
                    device_ids=[who] if by == "device" else (), account_ids=[who] if by == "account" else ()))
    return found


def same_audience(scope):
    """At least `same_audience_people` people each counted at `same_audience_activities` or
    more of the unit's activities (a series of phone classes for the same 25 seniors is not;
    300 cards scanned into 14 activities is). Days of one activity count once: a Mon–Fri
    course entered as one activity is one activity."""
    t = scope.t
    regulars = (
        select(Checkin.resident_id)
        .where(accepted(scope.ids), Checkin.kind == "attendee", Checkin.resident_id.is_not(None))
        .group_by(Checkin.resident_id)
        .having(func.count(distinct(Checkin.activity_id)) >= t["same_audience_activities"]))
    n = db.session.scalar(select(func.count()).select_from(regulars.subquery()))
    if n < t["same_audience_people"]:
        return []
    per_activity = db.session.execute(
        select(Checkin.activity_id, func.count())
        .where(accepted(scope.ids), Checkin.kind == "attendee", Checkin.resident_id.in_(regulars))
        .group_by(Checkin.activity_id)).all()
    person_times = sum(int(count) for _a, count in per_activity)
    return [scope.found(
        "same_audience", f"same_audience:{scope.org_id}", n,
        {"people": int(n), "activities": len(per_activity), "person_times": person_times,
         "at_least": t["same_audience_activities"]},
        activity_ids=[a for a, _count in per_activity])]
