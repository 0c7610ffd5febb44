"""What a unit's table says, as data that can be frozen, compared and fingerprinted.

A snapshot is plain JSON: the campaign, the unit with its contacts, every counted activity with
the fields the table shows and every figure (`reports.counts.FIGURES`, the scanned and tallied
parts included) in total and per local day, and the table's totals. The live snapshot is built
from the counts table; a submitted version stores one, with its `version` number, and never
changes again.

Canonical serialization (what the fingerprint is the SHA-256 of): `json.dumps(snapshot,
sort_keys=True, ensure_ascii=False)` (Python's default separators ", " and ": "), encoded as
UTF-8. Keys sorted and no floats anywhere make it deterministic; versions stored before
migration 0005 were fingerprinted the same way, so they verify too.
"""
import hashlib
import json
from collections import defaultdict

from sqlalchemy import select

from ..activities.models import Activity
from ..checkins.models import CheckinCount
from ..extensions import db
from ..reports.counts import FIGURES, ZERO, activity_totals, counted_activities
from ..reports.table import table_title

# Per-day parts of a figure, stored per activity (group_by=day on the submitted basis).
DAY_PARTS = ("attendance_scanned", "attendance_tallied", "volunteers_scanned", "volunteers_tallied")
ACTIVITY_FIELDS = (Activity.id, Activity.org_id, Activity.theme, Activity.name, Activity.content, Activity.form,
                   Activity.mode, Activity.courses, Activity.news_links)


def canonical(snapshot):
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode("utf-8")


def fingerprint(snapshot):
    return hashlib.sha256(canonical(snapshot)).hexdigest()


def content_of(snapshot):
    """The snapshot without what numbers it (its version): two versions of the same table, or a
    version and the live table, say the same thing when their contents are equal."""
    return {key: value for key, value in snapshot.items() if key != "version"}


def same_content(first, second):
    return canonical(content_of(first)) == canonical(content_of(second))


def is_version(snapshot, version, digest):
    """Whether a live snapshot says what the version with this number and fingerprint froze:
    the live content numbered as that version hashes to its fingerprint (no need to read the
    stored snapshot)."""
    return fingerprint({**content_of(snapshot), "version": version}) == digest


def org_part(org):
    return {"id": org.id, "name": org.name, "region_code": org.region_code, "lead_name": org.lead_name,
            "reporter_name": org.reporter_name, "phone": org.phone}


def by_day(activity_ids):
    """{activity_id: {iso day: {part: n}}} from the counts table, for the given id query."""
    days = defaultdict(dict)
    for activity_id, kind, day, scanned, headcount in db.session.execute(
        select(CheckinCount.activity_id, CheckinCount.kind, CheckinCount.day, CheckinCount.scanned,
               CheckinCount.headcount).where(CheckinCount.activity_id.in_(activity_ids))
        .order_by(CheckinCount.activity_id, CheckinCount.day, CheckinCount.kind)
    ):
        parts = days[activity_id].setdefault(day.isoformat(), dict.fromkeys(DAY_PARTS, 0))
        name = "attendance" if kind == "attendee" else "volunteers"
        parts[f"{name}_scanned"] += int(scanned)
        parts[f"{name}_tallied"] += int(headcount)
    # A counter row voided down to nothing says nothing: the same figures, the same content.
    return {activity_id: {day: parts for day, parts in per_day.items() if any(parts.values())}
            for activity_id, per_day in days.items()}


def unit_snapshots(campaign, orgs):
    """{org_id: live snapshot} for the given units, in four queries whatever their number."""
    orgs = list(orgs)
    if not orgs:
        return {}
    org_ids = [org.id for org in orgs]
    ids = counted_activities(campaign.id).where(Activity.org_id.in_(org_ids))
    totals = activity_totals(ids)
    days = by_day(ids)
    rows = defaultdict(list)
    for activity_id, org_id, theme, name, content, form, mode, courses, news_links in db.session.execute(
        select(*ACTIVITY_FIELDS).where(Activity.id.in_(ids)).order_by(Activity.starts_at, Activity.id)
    ):
        rows[org_id].append({"id": activity_id, "theme": theme, "name": name, "content": content, "form": form,
                             "mode": mode, "courses": courses or [], "news_links": news_links or [],
                             **totals.get(activity_id, ZERO), "by_day": days.get(activity_id, {})})
    return {org.id: {
        "campaign_id": campaign.id,
        "campaign_title": campaign.title,
        "table_title": table_title(campaign),
        "org": org_part(org),
        "activities": rows[org.id],
        "totals": {"activities": len(rows[org.id]),
                   **{key: sum(r[key] for r in rows[org.id]) for key in FIGURES}},
    } for org in orgs}


def unit_snapshot(campaign, org):
    """What the unit's table says now."""
    return unit_snapshots(campaign, [org])[org.id]


def figures_of(activity):
    """An activity's figures in a snapshot; versions from before the split rows (migration 0005)
    carry only the two counts, whose parts are then unknown and shown as 0."""
    return {key: activity.get(key, 0) for key in FIGURES}


SUMMARY_NAMES = 20  # activity names kept per theme, as the region table shows them


def summarize(snapshot):
    """The sums of a unit's snapshot that the submitted basis reads (stored beside it, in
    `submissions.summary`, so that a province's counts read a few hundred bytes per unit rather
    than every frozen activity): totals, per theme (with the forms, the first names and the news
    links the region table shows), per local day. A function of the snapshot alone."""
    def empty():
        return {"activities": 0, **ZERO}

    def add(total, figures):
        total["activities"] += 1
        for key in FIGURES:
            total[key] += figures[key]

    totals, themes, days = empty(), {}, {}
    for activity in snapshot["activities"]:
        figures = figures_of(activity)
        add(totals, figures)
        theme = themes.setdefault(activity["theme"], {**empty(), "forms": {}, "names": [], "links": 0})
        add(theme, figures)
        theme["forms"][activity["form"]] = theme["forms"].get(activity["form"], 0) + 1
        if len(theme["names"]) < SUMMARY_NAMES:
            theme["names"].append(activity["name"])
        theme["links"] += len(activity.get("news_links") or [])
        for day, parts in activity.get("by_day", {}).items():
            add(days.setdefault(day, empty()),
                {"attendance": parts["attendance_scanned"] + parts["attendance_tallied"],
                 "volunteers": parts["volunteers_scanned"] + parts["volunteers_tallied"], **parts})
    return {"totals": totals, "themes": themes, "days": days}
