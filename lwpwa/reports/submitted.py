"""Counts on the submitted basis: for each unit, its latest submitted version, and nothing of a
unit that has none (API.md "Reports and counts for bureaus", `basis=submitted`).

"Its latest submitted version" is read as the newest version the unit submitted, whatever a
bureau decided about it: `submitted` (waiting), `accepted`, or `returned`. A returned table stays
the unit's record, flagged `returned` in `submission.status`, until the unit submits the next
version; falling back to an older version would count figures the unit itself replaced, and
counting nothing would make the region's figures jump. Every figure comes from the frozen
snapshot (the activity's theme and days as submitted), only the unit's place from `orgs`.

One query reads the latest versions (the unique (org_id, campaign_id, version) index finds
each unit's newest); the grouping is Python over their frozen activities.
"""
from collections import defaultdict

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from ..activities.reference import THEMES
from ..extensions import db
from ..orgs.models import Org
from ..submissions.freeze import figures_of
from ..submissions.models import Submission
from .counts import FIGURES, ZERO
from .service import AREA_GROUPS, SAMPLE_NAMES, _row, area_rows, units_in

LATEST_COLUMNS = (Submission.id, Submission.org_id, Submission.version, Submission.status,
                  Submission.submitted_at, Submission.fingerprint, Submission.snapshot)


def latest_versions(campaign, region):
    """{org_id: row (id, org_id, version, status, submitted_at, fingerprint, snapshot)} of the
    latest version of every unit of the region that has one."""
    later = aliased(Submission)
    query = (
        select(*LATEST_COLUMNS)
        .join(Org, Org.id == Submission.org_id)
        .where(Submission.campaign_id == campaign.id, Org.region_code.like(region.prefix + "%"),
               ~exists().where(later.org_id == Submission.org_id, later.campaign_id == Submission.campaign_id,
                               later.version > Submission.version))
    )
    return {row.org_id: row for row in db.session.execute(query)}


def submission_part(row):
    return {"version": row.version, "status": row.status, "submitted_at": row.submitted_at.isoformat()}


def _add(total, figures):
    total["activities"] += 1
    for key in FIGURES:
        total[key] += figures[key]


def _empty():
    return {"activities": 0, **ZERO}


def unit_totals(row):
    total = _empty()
    for activity in row.snapshot["activities"]:
        _add(total, figures_of(activity))
    return total


def submitted_rows(campaign, region, group_by, latest):
    """Rows of the counts API on the submitted basis, as `service.stats_rows` makes them live;
    rows by unit carry `submission` ({version, status, submitted_at} or null)."""
    if group_by == "org":
        rows = []
        for org_id, name, _region_name in units_in(region):
            row = latest.get(org_id)
            rows.append({**_row(str(org_id), name, unit_totals(row) if row else None),
                         "submission": submission_part(row) if row else None})
        return rows
    if group_by == "theme":
        found = defaultdict(_empty)
        for row in latest.values():
            for activity in row.snapshot["activities"]:
                _add(found[activity["theme"]], figures_of(activity))
        return [_row(key, label, found.get(key)) for key, label, _en in THEMES]
    if group_by in AREA_GROUPS:
        codes = dict(db.session.execute(select(Org.id, Org.region_code).where(Org.id.in_(list(latest)))).all())
        found = defaultdict(_empty)
        for org_id, row in latest.items():
            total = unit_totals(row)
            for key in total:
                found[codes[org_id]][key] += total[key]
        return area_rows(region, group_by, dict(found))
    days = defaultdict(_empty)
    for row in latest.values():
        for activity in row.snapshot["activities"]:
            for day, parts in activity.get("by_day", {}).items():
                _add(days[day], {"attendance": parts["attendance_scanned"] + parts["attendance_tallied"],
                                 "volunteers": parts["volunteers_scanned"] + parts["volunteers_tallied"],
                                 **parts})
    return [_row(day, day, days[day]) for day in sorted(days)]


def submitted_totals(region, rows, latest):
    """Totals on the submitted basis: every frozen activity once, the figures summed, and the
    number of the region's units without any version."""
    activities = sum(len(row.snapshot["activities"]) for row in latest.values())
    return {"activities": activities, **{key: sum(row[key] for row in rows) for key in FIGURES},
            "units_missing": len(units_in(region)) - len(latest)}


def theme_rows(latest):
    """The region table's columns per theme (as `service.region_theme_rows` makes them live),
    from the frozen activities of the latest versions, units in the region's order."""
    rows = {}
    for row in latest.values():
        for activity in row.snapshot["activities"]:
            theme = rows.setdefault(activity["theme"], {**_empty(), "units": set(), "forms": defaultdict(int),
                                                        "names": [], "links": 0})
            _add(theme, figures_of(activity))
            theme["units"].add(row.org_id)
            theme["forms"][activity["form"]] += 1
            if len(theme["names"]) < SAMPLE_NAMES:
                theme["names"].append(activity["name"])
            theme["links"] += len(activity.get("news_links") or [])
    for theme in rows.values():
        theme["units"], theme["forms"] = len(theme["units"]), dict(theme["forms"])
    return rows


def unit_rows(region, latest):
    """The 按单位 sheet's rows: every unit of the region with its latest version's figures (0
    and no version for a unit without one)."""
    rows = []
    for org_id, name, region_name in units_in(region):
        row = latest.get(org_id)
        totals, by_theme = _empty(), defaultdict(int)
        for activity in row.snapshot["activities"] if row else ():
            figures = figures_of(activity)
            _add(totals, figures)
            by_theme[activity["theme"]] += figures["attendance"]
        rows.append({"id": org_id, "name": name, "region_name": region_name, **totals, "by_theme": dict(by_theme),
                     "submission": {**submission_part(row), "fingerprint": row.fingerprint} if row else None})
    return rows
