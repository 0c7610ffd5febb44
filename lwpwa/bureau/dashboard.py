"""What a region's dashboard shows: the counts API's rows (reused as they are), the walk-in
tallies apart with the share of participations verified by a scanned code, and every unit's
submission status against the due date."""
from datetime import datetime

from sqlalchemy import select

from ..activities.reference import THEMES
from ..extensions import db
from ..i18n import current_locale
from ..orgs.models import Org
from ..regions.models import Region
from ..reports import service
from ..reports import submitted
from ..reports.counts import FIGURES
from ..submissions.service import CHANGED, MISSING, SUBMITTED, changed_flags
from . import charts

OVERDUE = "overdue"  # missing after the due date
STATUS_ORDER = {OVERDUE: 0, MISSING: 1, CHANGED: 2, SUBMITTED: 3}
# "label" keeps the official order (cities by code, units by place then name): sorting Chinese
# names by code point would be meaningless.
SORT_KEYS = ("label", "activities", "attendance", "attendance_tallied", "verified_share", "volunteers", "status",
             "delta_attendance")


def verified_share(row):
    """The share of participations verified by a scanned code, 0..1, or None with none at all."""
    return row["attendance_scanned"] / row["attendance"] if row["attendance"] else None


def with_shares(rows):
    for row in rows:
        row["verified_share"] = verified_share(row)
    return rows


def unit_statuses(campaign, region, today=None, latest=None):
    """{org_id: {"status", "decision", "version", "submitted_at", "late"}} for every unit.

    `status` compares the live table with the latest version (submitted: the same; changed
    since; missing; missing past the due date); `decision` is the bureau's on that version
    (submitted, accepted, returned). The live tables of all submitted units are made in one
    bulk snapshot (`submissions.freeze.unit_snapshots`), not unit by unit."""
    today = today or datetime.now(campaign.zone).date()
    due = campaign.report_due_on
    latest = latest if latest is not None else submitted.latest_versions(campaign, region)
    orgs = db.session.scalars(select(Org).where(Org.id.in_(list(latest)))).all()
    changed = changed_flags(campaign, orgs, latest)
    statuses = {}
    for org_id, _name, _region_name in service.units_in(region):
        row = latest.get(org_id)
        if row is None:
            statuses[org_id] = {"status": OVERDUE if due and today > due else MISSING, "decision": None,
                                "version": None, "submitted_at": None, "late": False}
            continue
        local_day = row.submitted_at.astimezone(campaign.zone).date()
        statuses[org_id] = {"status": CHANGED if changed[org_id] else SUBMITTED, "decision": row.status,
                            "version": row.version, "submitted_at": row.submitted_at,
                            "late": bool(due and local_day > due)}
    return statuses


def status_counts(statuses, org_ids=None):
    counts = {OVERDUE: 0, MISSING: 0, CHANGED: 0, SUBMITTED: 0}
    for org_id, entry in statuses.items():
        if org_ids is None or org_id in org_ids:
            counts[entry["status"]] += 1
    return counts


def basis_rows(campaign, region, group_by, basis, latest):
    if basis == "submitted":
        return submitted.submitted_rows(campaign, region, group_by, latest)
    return service.stats_rows(campaign, region, group_by)


def with_deltas(rows, live_rows):
    """Each row's "changed since submission", apart: live minus submitted, per count."""
    live = {row["key"]: row for row in live_rows}
    for row in rows:
        other = live.get(row["key"], {})
        row["delta_attendance"] = other.get("attendance", 0) - row["attendance"]
        row["delta_volunteers"] = other.get("volunteers", 0) - row["volunteers"]
        row["live_attendance"] = other.get("attendance", 0)
    return rows


def unit_rows(campaign, region, statuses, basis="live", latest=None):
    """The counts API's rows by unit on a basis, with the unit's place, submission status and
    (submitted basis) the difference of its live table."""
    places = {str(org_id): region_name for org_id, _name, region_name in service.units_in(region)}
    rows = with_shares(basis_rows(campaign, region, "org", basis, latest))
    if basis == "submitted":
        with_deltas(rows, service.stats_rows(campaign, region, "org"))
    for row in rows:
        row["place"] = places.get(row["key"], "")
        row.update(statuses.get(int(row["key"]), {"status": MISSING, "decision": None, "version": None,
                                                  "submitted_at": None, "late": False}))
    return rows


# A dashboard's table by the areas right below it: the country's by province, a province's by
# city (its units' region codes cut to the area's digits); below that, by unit.
AREAS = {"country": ("province", 2), "province": ("city", 4)}


def area_rows(campaign, region, statuses, basis="live", latest=None):
    """The counts API's rows by the areas below the region (AREAS) on a basis, each with how
    many of its units are in which status (and, submitted basis, the difference of the live
    counts)."""
    group_by, digits = AREAS[region.level]
    rows = with_shares(basis_rows(campaign, region, group_by, basis, latest))
    if basis == "submitted":
        with_deltas(rows, service.stats_rows(campaign, region, group_by))
    # A unit's area: its code cut to the area's digits (a unit registered at the region itself,
    # 省直 or 全国（部直）, falls in the row the counts API gives it, keyed by that code).
    members = {}
    for org_id, code in db.session.execute(
            select(Org.id, Org.region_code).where(Org.region_code.like(region.prefix + "%"))):
        members.setdefault(code[:digits].ljust(6, "0"), set()).add(org_id)
    for row in rows:
        units = members.get(row["key"], set())
        row["units"] = len(units)
        row["statuses"] = status_counts(statuses, units)
    return rows


def missing_units(campaign, region, statuses, today=None, limit=200):
    """The units whose table the bureau still waits for (none submitted, or the latest returned),
    with their contacts and how many days past the due date (negative: days left)."""
    today = today or datetime.now(campaign.zone).date()
    due = campaign.report_due_on
    waiting = [org_id for org_id, entry in statuses.items()
               if entry["status"] in (MISSING, OVERDUE) or entry["decision"] == "returned"]
    orgs = db.session.execute(
        select(Org, Region.name).join(Region, Region.code == Org.region_code)
        .where(Org.id.in_(waiting[:limit])).order_by(Org.region_code, Org.name)).all()
    return [{"org": org, "place": place, "returned": statuses[org.id]["decision"] == "returned",
             "days_overdue": (today - due).days if due else None} for org, place in orgs], len(waiting)


def sort_rows(rows, key, descending):
    """Server-side sorting (no script needed): by a column, ties in the official order."""
    if key not in SORT_KEYS or key == "label":
        return list(reversed(rows)) if descending else rows
    if key == "status":
        def sort_key(row):
            return STATUS_ORDER.get(row.get("status"), 9)
    elif key == "verified_share":
        def sort_key(row):  # rows without participations below every share
            return -1 if row["verified_share"] is None else row["verified_share"]
    else:
        def sort_key(row):
            return row.get(key, 0)
    # Stable: ties keep the official order.
    return sorted(rows, key=sort_key, reverse=descending)


def child_regions(region):
    return db.session.scalars(select(Region).where(Region.parent_code == region.code).order_by(Region.code)).all()


def localized_themes(rows):
    """The official Chinese labels in Chinese; the English names on English pages."""
    if current_locale() == "zh_Hans":
        return rows
    names = {key: str(english) for key, _label, english in THEMES}
    return [{**row, "label": names.get(row["key"], row["label"])} for row in rows]


def figures(campaign, region, basis, sort, descending):
    """What every region's dashboard shows of a campaign on a basis (the country's, a
    province's, a city's or a county's): totals with their split (scanned, tallied) and the
    verified share, the difference of the live counts, the units' submission statuses, the
    charts by theme and day, and the table by the areas below (`areas`, AREAS) or by unit
    (`units`), sorted."""
    latest = submitted.latest_versions(campaign, region)
    statuses = unit_statuses(campaign, region, latest=latest)
    themes = localized_themes(basis_rows(campaign, region, "theme", basis, latest))
    days = basis_rows(campaign, region, "day", basis, latest)
    areas = units = None
    if region.level in AREAS:
        rows = areas = area_rows(campaign, region, statuses, basis, latest)
    else:
        rows = units = unit_rows(campaign, region, statuses, basis, latest)
    # Every activity of the region is in exactly one area (unit): the totals are the rows' sum.
    totals = {key: sum(row[key] for row in rows) for key in ("activities", *FIGURES)}
    return {
        "basis": basis, "statuses": statuses, "sort": sort, "descending": descending,
        "areas": sort_rows(areas, sort, descending) if areas is not None else None,
        "units": sort_rows(units, sort, descending) if units is not None else None,
        "totals": totals, "verified_share": verified_share(totals),
        "deltas": {key: sum(row.get(key, 0) for row in rows) for key in ("delta_attendance", "delta_volunteers")},
        "status_counts": status_counts(statuses),
        "themes": themes, "days": days, "theme_chart": charts.bars(themes), "day_chart": charts.line(days) if days else None,
    }
