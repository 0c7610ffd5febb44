"""The figures a 工作总结 is written from, taken from submitted table versions (a unit's latest,
or every unit's latest in a region): activities per theme, 人次 scanned and tallied, volunteers,
days, the “智慧助老” share and the verified (scanned) share."""
from datetime import timedelta

from sqlalchemy import func, select

from ..activities.models import Activity
from ..activities.reference import THEMES
from ..checkins.models import CheckinCount
from ..extensions import db


def split_counts(activity_ids):
    """{activity_id: {"attendance_scanned", "attendance_tallied", "volunteers_scanned",
    "volunteers_tallied"}} from the counter rows."""
    out = {}
    if not activity_ids:
        return out
    rows = db.session.execute(
        select(CheckinCount.activity_id, CheckinCount.kind, func.sum(CheckinCount.scanned),
               func.sum(CheckinCount.headcount))
        .where(CheckinCount.activity_id.in_(activity_ids))
        .group_by(CheckinCount.activity_id, CheckinCount.kind))
    for activity_id, kind, scanned, tallied in rows:
        entry = out.setdefault(activity_id, {})
        prefix = "attendance" if kind == "attendee" else "volunteers"
        entry[f"{prefix}_scanned"], entry[f"{prefix}_tallied"] = int(scanned or 0), int(tallied or 0)
    return out


def activity_days(activity_ids, zone):
    """The distinct local days on which the activities took place."""
    days = set()
    for starts_at, ends_at in db.session.execute(
            select(Activity.starts_at, Activity.ends_at).where(Activity.id.in_(activity_ids))):
        day, last = starts_at.astimezone(zone).date(), (ends_at - timedelta(seconds=1)).astimezone(zone).date()
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


def share(part, whole):
    return round(100 * part / whole, 1) if whole else 0.0


def summary_figures(campaign, snapshots):
    """Figures summed over snapshots (submission.snapshot dicts). A snapshot that carries the
    scanned/tallied split per activity is taken as it is; else the split comes from the counters
    of the same activities (their totals equal the snapshot's unless changed since)."""
    rows = [row for snapshot in snapshots for row in snapshot["activities"]]
    ids = [row["id"] for row in rows]
    live = split_counts(ids)
    themes = {key: {"label": label, "activities": 0, "attendance": 0, "volunteers": 0}
              for key, label, _en in THEMES}
    totals = {"activities": len(rows), "attendance": 0, "volunteers": 0, "attendance_scanned": 0,
              "attendance_tallied": 0, "volunteers_scanned": 0, "volunteers_tallied": 0}
    for row in rows:
        theme = themes[row["theme"]]
        theme["activities"] += 1
        theme["attendance"] += row["attendance"]
        theme["volunteers"] += row["volunteers"]
        totals["attendance"] += row["attendance"]
        totals["volunteers"] += row["volunteers"]
        split = live.get(row["id"], {})
        for key in ("attendance_scanned", "attendance_tallied", "volunteers_scanned", "volunteers_tallied"):
            totals[key] += int(row.get(key, split.get(key, 0)))
    smart = themes["smart_seniors"]
    return {
        **totals,
        "units": len(snapshots),
        "themes": list(themes.values()),
        "days": len(activity_days(ids, campaign.zone)) if ids else 0,
        "smart_seniors_activities": smart["activities"],
        "smart_seniors_attendance": smart["attendance"],
        "smart_seniors_share": share(smart["attendance"], totals["attendance"]),
        "verified_share": share(totals["attendance_scanned"], totals["attendance"]),
        "news_links": sum(len(row.get("news_links") or []) for row in rows),
    }
