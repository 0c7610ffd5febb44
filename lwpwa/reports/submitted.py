"""Counts on the submitted basis: for each unit, its latest submitted version, and nothing of a
unit that has none (API.md "Reports and counts for bureaus", `basis=submitted`).

"Its latest submitted version" is read as the newest version the unit submitted, whatever a
bureau decided about it: `submitted` (waiting), `accepted`, or `returned`. A returned table stays
the unit's record, flagged `returned` in `submission.status`, until the unit submits the next
version; falling back to an older version would count figures the unit itself replaced, and
counting nothing would make the region's figures jump. Every figure comes from the frozen
snapshot (the activity's theme and days as submitted), only the unit's place from `orgs`.

One query reads the latest versions' summaries (the unique (org_id, campaign_id, version) index
finds each unit's newest; `submissions.summary` holds the sums of its frozen snapshot, per
theme and per day); the grouping is Python over at most a few dozen sums per unit.
"""
from collections import defaultdict, namedtuple

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from ..activities.reference import THEMES
from ..extensions import db
from ..orgs.models import Org
from ..submissions.freeze import summarize
from ..submissions.models import Submission
from .counts import FIGURES, ZERO
from .service import SAMPLE_NAMES, _row, area_rows, units_in

Latest = namedtuple("Latest", "id org_id version status submitted_at fingerprint summary")
LATEST_COLUMNS = (Submission.id, Submission.org_id, Submission.version, Submission.status,
                  Submission.submitted_at, Submission.fingerprint)


def latest_versions(campaign, region, parts=None):
    """{org_id: row (id, org_id, version, status, submitted_at, fingerprint, summary)} of the
    latest version of every unit of the region that has one. Only the summary is read (a few
    hundred bytes per unit, not every frozen activity), and of it only `parts` if given
    ("totals", "themes", "days": the database extracts them, so a province's counts by unit
    decode a small object per unit); a version without a summary (stored before migration 0005)
    is summed from its snapshot."""
    later = aliased(Submission)
    extracted = [Submission.summary[part].label(part) for part in parts or ()]
    query = (
        select(*LATEST_COLUMNS, *(extracted or [Submission.summary]))
        .join(Org, Org.id == Submission.org_id)
        .where(Submission.campaign_id == campaign.id, Org.region_code.like(region.prefix + "%"),
               ~exists().where(later.org_id == Submission.org_id, later.campaign_id == Submission.campaign_id,
                               later.version > Submission.version))
    )
    rows = {}
    for row in db.session.execute(query):
        fixed, rest = row[:len(LATEST_COLUMNS)], row[len(LATEST_COLUMNS):]
        found = dict(zip(parts, rest)) if parts else rest[0]
        if parts and all(value is None for value in rest):
            found = None  # no summary at all
        rows[row.org_id] = Latest(*fixed, found)
    missing = [row.id for row in rows.values() if row.summary is None]
    if missing:
        summaries = {submission_id: summarize(snapshot) for submission_id, snapshot in db.session.execute(
            select(Submission.id, Submission.snapshot).where(Submission.id.in_(missing)))}
        rows = {org_id: (row._replace(summary=summaries[row.id]) if row.summary is None else row)
                for org_id, row in rows.items()}
    return rows


def submission_part(row):
    return {"version": row.version, "status": row.status, "submitted_at": row.submitted_at.isoformat()}


def _empty():
    return {"activities": 0, **ZERO}


def _add(total, counts):
    for key in ("activities", *FIGURES):
        total[key] += counts.get(key, 0)


PARTS = {"theme": ("totals", "themes"), "day": ("totals", "days")}  # else ("totals",)


def parts_for(group_by):
    """The summary parts the rows of a grouping read."""
    return PARTS.get(group_by, ("totals",))


def submitted_rows(campaign, region, group_by, latest, units=None):
    """Rows of the counts API on the submitted basis, as `service.stats_rows` makes them live;
    rows by unit carry `submission` ({version, status, submitted_at} or null)."""
    if group_by == "org":
        return [{**_row(str(org_id), name, latest[org_id].summary["totals"] if org_id in latest else None),
                 "submission": submission_part(latest[org_id]) if org_id in latest else None}
                for org_id, name, _region_name in (units if units is not None else units_in(region))]
    part = {"theme": "themes", "day": "days"}.get(group_by)
    found = defaultdict(_empty)
    if part is not None:
        for row in latest.values():
            for key, counts in row.summary[part].items():
                _add(found[key], counts)
        if group_by == "theme":
            return [_row(key, label, found.get(key)) for key, label, _en in THEMES]
        return [_row(day, day, found[day]) for day in sorted(found)]
    codes = dict(db.session.execute(select(Org.id, Org.region_code).where(Org.id.in_(list(latest)))).all())
    for org_id, row in latest.items():
        _add(found[codes[org_id]], row.summary["totals"])
    return area_rows(region, group_by, dict(found))


def submitted_totals(region, rows, latest, units=None):
    """Totals on the submitted basis: every frozen activity once, the figures summed, and the
    number of the region's units without any version."""
    count = len(units) if units is not None else db.session.scalar(
        select(func.count()).select_from(Org).where(Org.region_code.like(region.prefix + "%")))
    return {"activities": sum(row.summary["totals"]["activities"] for row in latest.values()),
            **{key: sum(row[key] for row in rows) for key in FIGURES},
            "units_missing": count - len(latest)}


def theme_rows(latest):
    """The region table's columns per theme (as `service.region_rows` makes them live),
    from the latest versions' summaries."""
    rows = {}
    for row in latest.values():
        for key, counts in row.summary["themes"].items():
            theme = rows.setdefault(key, {**_empty(), "units": 0, "forms": defaultdict(int), "names": [], "links": 0})
            _add(theme, counts)
            theme["units"] += 1
            for form, n in counts["forms"].items():
                theme["forms"][form] += n
            theme["names"].extend(counts["names"][:SAMPLE_NAMES - len(theme["names"])])
            theme["links"] += counts["links"]
    for theme in rows.values():
        theme["forms"] = dict(theme["forms"])
    return rows


def unit_rows(region, latest):
    """The 按单位 sheet's rows: every unit of the region with its latest version's figures (0
    and no version for a unit without one)."""
    rows = []
    for org_id, name, region_name in units_in(region):
        row = latest.get(org_id)
        totals = {**_empty(), **(row.summary["totals"] if row else {})}
        by_theme = {key: counts["attendance"] for key, counts in row.summary["themes"].items()} if row else {}
        rows.append({"id": org_id, "name": name, "region_name": region_name, **totals, "by_theme": by_theme,
                     "submission": {**submission_part(row), "fingerprint": row.fingerprint} if row else None})
    return rows
