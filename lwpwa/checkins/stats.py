"""Counts, computed by SQL: 人次 = distinct (person, day) accepted, plus accepted tallies."""
from sqlalchemy import distinct, func, select

from ..extensions import db
from .models import Checkin


def activity_stats(activity_id):
    per_day = db.session.execute(
        select(
            Checkin.kind,
            Checkin.day,
            func.count(distinct(Checkin.resident_id)).label("scanned"),
            func.coalesce(func.sum(Checkin.headcount), 0).label("headcount"),
        )
        .where(Checkin.activity_id == activity_id, Checkin.status == "accepted")
        .group_by(Checkin.kind, Checkin.day)
    ).all()
    held = db.session.scalar(
        select(func.count()).where(Checkin.activity_id == activity_id, Checkin.status == "held")
    )
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
