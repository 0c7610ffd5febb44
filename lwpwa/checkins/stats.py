"""Per-activity statistics: 人次 = distinct (person, day) accepted, plus accepted tallies.

The counts come from `checkin_counts` (a handful of rows per activity, one per kind and day,
kept in step with `checkins` by every write: counters.py), not from aggregating the activity's
check-ins on every request: an activity's stats cost the same at 100 or 100,000 check-ins. Held
check-ins are still counted in `checkins`, through the index on (activity_id, status): only those
still waiting for a site lead (a held check-in the lead rejected stays `held`, but is decided),
as the unit's workspace counts them."""
from sqlalchemy import func, select

from ..extensions import db
from .models import Checkin, CheckinCount


def activity_stats(activity_id):
    per_day = db.session.execute(
        select(CheckinCount.kind, CheckinCount.day, CheckinCount.scanned, CheckinCount.headcount)
        .where(CheckinCount.activity_id == activity_id)
    ).all()
    held = db.session.scalar(
        select(func.count()).where(Checkin.activity_id == activity_id, Checkin.status == "held",
                                   Checkin.resolved_at.is_(None))
    )
    return stats_document(activity_id, per_day, held)


def stats_document(activity_id, per_day, held):
    """The stats' JSON from rows of (kind, day, people counted, tallies)."""
    days = {}
    totals = {"attendee": [0, 0], "volunteer": [0, 0]}
    for kind, day, scanned, headcount in per_day:
        entry = days.setdefault(day, {"date": day.isoformat(), "attendance": 0, "volunteers": 0,
                                      "scanned": 0, "headcount": 0})
        if kind == "attendee":
            entry["attendance"] += scanned + headcount
            entry["scanned"] += scanned
            entry["headcount"] += headcount
        else:
            entry["volunteers"] += scanned + headcount
        totals[kind][0] += scanned
        totals[kind][1] += headcount
    return {
        "activity_id": activity_id,
        "attendance": sum(totals["attendee"]),
        "volunteers": sum(totals["volunteer"]),
        "scanned": totals["attendee"][0],
        "headcount": totals["attendee"][1],
        "volunteers_scanned": totals["volunteer"][0],
        "volunteers_headcount": totals["volunteer"][1],
        "held": held,
        "by_day": [days[day] for day in sorted(days)],
    }
