"""Figures implausible for the activity (tallies, capacity, volunteers, from `checkin_counts`),
approvals of check-ins far outside the activity's time, and changes after the fact."""
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, or_, select

from ...activities.models import Activity
from ...checkins.models import Checkin, CheckinCount
from ...extensions import db
from ..models import ActivityEdit
from .sql import HOUR, accepted, epoch, iso

FIGURE_FIELDS = ("capacity", "venue", "mode", "form", "is_cancelled")
TIME_FIELDS = ("starts_at", "ends_at")


def headcounts(scope):
    """tally_share: tallies above `tally_share` % of the attendance once they reach `tally_min`
    (a 48 % tally is no longer under the bar; at exhibitions, where walk-ins are the rule,
    `tally_share_exhibition` %). over_capacity: more attendees on a day than the
    capacity, or, without one, than the form's plausible most (`capacity_<form>`: a salon of
    500 with no capacity given; online activities have no such bound). volunteer_ratio:
    volunteers above `volunteer_ratio` % of the attendance, at least `volunteer_min`."""
    t = scope.t
    per_day = defaultdict(lambda: defaultdict(int))  # activity -> day -> attendees
    totals = defaultdict(lambda: {"scanned": 0, "tally": 0, "volunteers": 0})
    for activity_id, kind, day, scanned, headcount in db.session.execute(
            select(CheckinCount.activity_id, CheckinCount.kind, CheckinCount.day, CheckinCount.scanned,
                   CheckinCount.headcount).where(CheckinCount.activity_id.in_(scope.ids))):
        if kind == "attendee":
            per_day[activity_id][day] += scanned + headcount
            totals[activity_id]["scanned"] += scanned
            totals[activity_id]["tally"] += headcount
        else:
            totals[activity_id]["volunteers"] += scanned + headcount
    found = []
    for activity_id, total in sorted(totals.items()):
        activity = scope.activities[activity_id]
        attendance = total["scanned"] + total["tally"]
        share = t["tally_share_exhibition"] if activity.form == "exhibition" else t["tally_share"]
        if total["tally"] >= t["tally_min"] and total["tally"] * 100 > share * attendance:
            found.append(scope.found(
                "tally_share", f"tally_share:{activity_id}", total["tally"],
                {"scanned": total["scanned"], "tally": total["tally"],
                 "share": round(100 * total["tally"] / attendance)}, activity_ids=[activity_id]))
        limit, source = activity.capacity, "capacity"
        if limit is None and activity.mode != "online":
            limit, source = t.get(f"capacity_{activity.form}") or None, "form"
        days = per_day.get(activity_id, {})
        if limit and days:
            day, peak = max(days.items(), key=lambda item: (item[1], str(item[0])))
            if peak > limit:
                found.append(scope.found(
                    "over_capacity", f"over_capacity:{activity_id}", peak,
                    {"peak": peak, "day": str(day), "limit": limit, "limit_from": source, "form": activity.form},
                    activity_ids=[activity_id]))
        if total["volunteers"] >= t["volunteer_min"] and total["volunteers"] * 100 > t["volunteer_ratio"] * attendance:
            found.append(scope.found(
                "volunteer_ratio", f"volunteer_ratio:{activity_id}", total["volunteers"],
                {"volunteers": total["volunteers"], "attendance": attendance}, activity_ids=[activity_id]))
    return found


def far_approved(scope):
    """Check-ins held because they were scanned more than `far_hours` outside the activity,
    then approved by a site lead all the same."""
    limit_ms = scope.t["far_hours"] * HOUR
    found = []
    for activity_id, n, first, last in db.session.execute(
            select(Checkin.activity_id, func.count(), func.min(Checkin.scanned_at), func.max(Checkin.scanned_at))
            .join(Activity, Activity.id == Checkin.activity_id)
            .where(accepted(scope.ids), Checkin.resolved_at.is_not(None),
                   or_(epoch(Checkin.scanned_at) < epoch(Activity.starts_at) - limit_ms,
                       epoch(Checkin.scanned_at) > epoch(Activity.ends_at) + limit_ms))
            .group_by(Checkin.activity_id)):
        accounts = db.session.scalars(select(Checkin.resolved_by_id).distinct().where(
            accepted([activity_id]), Checkin.resolved_by_id.is_not(None))).all()
        found.append(scope.found("far_approved", f"far_approved:{activity_id}", n,
                                 {"checkins": int(n), "first_at": iso(first), "last_at": iso(last)},
                                 activity_ids=[activity_id], account_ids=accounts))
    return found


def _moved_minutes(old, new):
    try:
        return abs((datetime.fromisoformat(new) - datetime.fromisoformat(old)).total_seconds()) / 60
    except (TypeError, ValueError):
        return float("inf")


def changed_after_submission(scope):
    """Changes to what a figure depends on, made after the activity's first counted scan or
    after the unit submitted its table (activity_edits): any change of capacity, venue, mode,
    form or cancellation; times moved by more than `edit_minutes`."""
    per_activity = defaultdict(list)
    for edit in db.session.scalars(
            select(ActivityEdit).where(ActivityEdit.activity_id.in_(scope.all_ids),
                                       or_(ActivityEdit.after_first_scan, ActivityEdit.after_submission))
            .order_by(ActivityEdit.at, ActivityEdit.id)):
        if edit.field in TIME_FIELDS and _moved_minutes(edit.old, edit.new) <= scope.t["edit_minutes"]:
            continue
        per_activity[edit.activity_id].append(edit)
    return [scope.found(
        "changed_after_submission", f"changed_after_submission:{activity_id}", len(edits),
        {"fields": sorted({e.field for e in edits}), "after_submission": any(e.after_submission for e in edits),
         "last_at": iso(edits[-1].at)},
        activity_ids=[activity_id], account_ids=[e.user_id for e in edits if e.user_id])
        for activity_id, edits in per_activity.items()]
