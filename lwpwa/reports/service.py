"""Gathering what the tables and the counts API show, in a handful of SQL queries."""
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import distinct, func, select

from ..activities.models import Activity
from ..activities.reference import THEMES
from ..extensions import db
from ..orgs.models import Org
from ..regions.models import Region, scope_prefix
from . import table
from .counts import FIGURES, ZERO, counted_activities, day_totals, grouped_totals

SAMPLE_NAMES = 20


def today_in(campaign):
    return datetime.now(campaign.zone).date()


def unit_workbook(campaign, org):
    """The unit's live table, dated the day of its submitted version when it says the same,
    else undated (a draft: 年 月 日 left blank, as in the attachment)."""
    from ..submissions import service as submissions  # submissions import reports: not at load

    snapshot = submissions.table_snapshot(campaign, org)
    return snapshot_workbook(campaign, snapshot, table_date(campaign, org, snapshot))


def table_date(campaign, org, snapshot):
    """The local day of the latest submitted version if the snapshot is that version, else None."""
    from ..submissions import service as submissions

    latest = submissions.latest_submission(campaign, org)
    if latest is None or submissions.fingerprint(snapshot) != latest.fingerprint:
        return None
    return latest.submitted_at.astimezone(campaign.zone).date()


def snapshot_workbook(campaign, snapshot, on_date):
    """The unit's table from a snapshot (submissions.table_snapshot, or a submission's own)."""
    activities = [SimpleNamespace(**row) for row in snapshot["activities"]]
    totals = {row["id"]: {key: row.get(key, 0) for key in FIGURES} for row in snapshot["activities"]}
    org = SimpleNamespace(**snapshot["org"])
    return table.unit_workbook(campaign, org, activities, totals, on_date)


def region_theme_rows(ids):
    rows = {theme: {**counts, "units": 0, "forms": {}, "names": [], "links": 0}
            for theme, counts in grouped_totals(ids, Activity.theme)}
    in_ids = Activity.id.in_(ids)
    for theme, units, links in db.session.execute(
        select(Activity.theme, func.count(distinct(Activity.org_id)),
               func.coalesce(func.sum(func.json_array_length(Activity.news_links)), 0))
        .where(in_ids).group_by(Activity.theme)
    ):
        rows[theme]["units"], rows[theme]["links"] = units, int(links)
    for theme, form, n in db.session.execute(
        select(Activity.theme, Activity.form, func.count()).where(in_ids).group_by(Activity.theme, Activity.form)
    ):
        rows[theme]["forms"][form] = n
    ranked = (
        select(Activity.theme, Activity.name,
               func.row_number().over(partition_by=Activity.theme,
                                      order_by=(Activity.starts_at, Activity.id)).label("rank"))
        .where(in_ids).subquery()
    )
    for theme, name in db.session.execute(
        select(ranked.c.theme, ranked.c.name).where(ranked.c.rank <= SAMPLE_NAMES).order_by(ranked.c.rank)
    ):
        rows[theme]["names"].append(name)
    return rows


def units_in(region):
    prefix = scope_prefix(region.code, region.level)
    return db.session.execute(
        select(Org.id, Org.name, Region.name)
        .join(Region, Region.code == Org.region_code)
        .where(Org.region_code.like(prefix + "%"))
        .order_by(Org.region_code, Org.name)
    ).all()


def region_unit_rows(region, ids):
    per_theme = {}
    for org_id, theme, counts in grouped_totals(ids, Org.id, Activity.theme):
        unit = per_theme.setdefault(org_id, {"activities": 0, **ZERO, "by_theme": {}})
        for key in ("activities", *FIGURES):
            unit[key] += counts[key]
        unit["by_theme"][theme] = counts["attendance"]
    return [{"id": org_id, "name": name, "region_name": region_name,
             **per_theme.get(org_id, {"activities": 0, **ZERO, "by_theme": {}})}
            for org_id, name, region_name in units_in(region)]


def region_workbook(campaign, region):
    ids = counted_activities(campaign.id, region_code=region.code)
    # Undated: a bureau's table is a working sum until the bureau seals it (年 月 日 blank).
    return table.region_workbook(campaign, region, region_theme_rows(ids), region_unit_rows(region, ids), None)


def stats_rows(campaign, region, group_by):
    """Rows of the counts API: [{"key", "label", "activities", *FIGURES}]."""
    ids = counted_activities(campaign.id, region_code=region.code)
    if group_by == "theme":
        found = dict(grouped_totals(ids, Activity.theme))
        return [_row(key, label, found.get(key)) for key, label, _en in THEMES]
    if group_by == "org":
        found = dict(grouped_totals(ids, Org.id))
        return [_row(str(org_id), name, found.get(org_id)) for org_id, name, _r in units_in(region)]
    if group_by == "city":
        city_of = func.substr(Org.region_code, 1, 4)
        found = {prefix + "00": counts for prefix, counts in grouped_totals(ids, city_of)}
        cities = [region] if region.level == "city" else db.session.scalars(
            select(Region).where(Region.parent_code == region.code).order_by(Region.code)).all()
        if region.level == "district":
            cities = [db.session.get(Region, region.parent_code)]
        rows = [_row(city.code, city.name, found.pop(city.code, None)) for city in cities]
        # Units registered at the province itself (省直单位) belong to no city: a row of their own.
        for code, counts in sorted(found.items()):
            rows.append(_row(code, f"{region.name}（省直）", counts))
        return rows
    return [_row(day.isoformat(), day.isoformat(), counts) for day, counts in day_totals(ids)]


def _row(key, label, counts):
    return {"key": str(key), "label": label, **(counts or {"activities": 0, **ZERO})}


def stats_totals(campaign, region, rows):
    """Totals of the counts API: the rows' sums (each person-day falls in one row of any
    grouping), and the number of activities counted (an activity may span several days)."""
    ids = counted_activities(campaign.id, region_code=region.code)
    return {"activities": db.session.scalar(select(func.count()).select_from(ids.subquery())),
            **{key: sum(row[key] for row in rows) for key in FIGURES}}
