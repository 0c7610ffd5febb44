"""Gathering what the tables and the counts API show, in a handful of SQL queries."""
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import func, select

from ..activities.models import Activity
from ..activities.reference import THEMES
from ..extensions import db
from ..orgs.models import Org
from ..regions.models import LEVELS, Region, scope_prefix
from ..submissions.documents import unit_document
from . import table
from .counts import FIGURES, ZERO, counted_activities, counted_count, day_totals, grouped_totals, unit_totals

SAMPLE_NAMES = 20


def today_in(campaign):
    return datetime.now(campaign.zone).date()


def unit_workbook(campaign, org, version=None):
    """The unit's table: version `version`, or the live one (see submissions.documents)."""
    document = unit_document(campaign, org, version)
    return table.unit_workbook(table.snapshot_title(document.snapshot), document.snapshot,
                               document.on_date, document.stamp)


def region_rows(region, ids):
    """The region table on the live basis: (its columns per theme, its rows per unit), the
    counts from one grouping by unit and theme (a theme's figures and its number of units are
    sums over that grouping), each theme's forms and links from a second, sample names from a
    third."""
    themes, per_unit = {}, {}
    for org_id, theme, counts in grouped_totals(ids, Org.id, Activity.theme):
        column = themes.setdefault(theme, {"activities": 0, **ZERO, "units": 0, "forms": {}, "names": [], "links": 0})
        unit = per_unit.setdefault(org_id, {"activities": 0, **ZERO, "by_theme": {}})
        for key in ("activities", *FIGURES):
            column[key] += counts[key]
            unit[key] += counts[key]
        column["units"] += 1
        unit["by_theme"][theme] = counts["attendance"]
    in_ids = Activity.id.in_(ids)
    for theme, form, n, links in db.session.execute(
        select(Activity.theme, Activity.form, func.count(),
               func.coalesce(func.sum(func.json_array_length(Activity.news_links)), 0))
        .where(in_ids).group_by(Activity.theme, Activity.form)
    ):
        themes[theme]["forms"][form] = n
        themes[theme]["links"] += int(links)
    ranked = (
        select(Activity.theme, Activity.name,
               func.row_number().over(partition_by=Activity.theme,
                                      order_by=(Activity.starts_at, Activity.id)).label("rank"))
        .where(in_ids).subquery()
    )
    for theme, name in db.session.execute(
        select(ranked.c.theme, ranked.c.name).where(ranked.c.rank <= SAMPLE_NAMES).order_by(ranked.c.rank)
    ):
        themes[theme]["names"].append(name)
    units = [{"id": org_id, "name": name, "region_name": region_name,
              **per_unit.get(org_id, {"activities": 0, **ZERO, "by_theme": {}})}
             for org_id, name, region_name in units_in(region)]
    return themes, units


def units_in(region):
    prefix = scope_prefix(region.code, region.level)
    return db.session.execute(
        select(Org.id, Org.name, Region.name)
        .join(Region, Region.code == Org.region_code)
        .where(Org.region_code.like(prefix + "%"))
        .order_by(Org.region_code, Org.name)
    ).all()


AREA_GROUPS = {"province": "province", "city": "city", "county": "district"}  # group_by: region level
OWN_UNITS = {"country": "部直", "province": "省直", "city": "市直"}


def area_of(code, group_by):
    """The code of the area (province, city or county) a unit's region code lies in."""
    return {"province": code[:2] + "0000", "city": code[:4] + "00"}.get(group_by, code)


def areas_for(region, group_by):
    """The areas a region's rows are by: every one of the level inside the region, or the one
    area that holds a region already at or below that level."""
    level = AREA_GROUPS[group_by]
    if LEVELS.index(region.level) >= LEVELS.index(level):
        return [db.session.get(Region, area_of(region.code, group_by))]
    return db.session.scalars(
        select(Region).where(Region.level == level, Region.current.is_(True), Region.code.like(region.prefix + "%"),
                             Region.code != region.code).order_by(Region.code)).all()


def area_rows(region, group_by, by_region_code):
    """Rows by area from {unit region code: counts}: one per area in code order, then one for
    each set of units registered above the level (省直 / 市直: they belong to no such area)."""
    found = {}
    for code, counts in by_region_code.items():
        area = found.setdefault(area_of(code, group_by), {"activities": 0, **ZERO})
        for key in area:
            area[key] += counts[key]
    rows = [_row(area.code, area.name, found.pop(area.code, None)) for area in areas_for(region, group_by)]
    for code, counts in sorted(found.items()):
        above = db.session.get(Region, code)
        name = above.name if above else code
        rows.append(_row(code, f"{name}（{OWN_UNITS.get(above.level if above else '', '直属')}）", counts))
    return rows


def stats_rows(campaign, region, group_by):
    """Rows of the counts API on the live basis: [{"key", "label", "activities", *FIGURES}]."""
    ids = counted_activities(campaign.id, region_code=region.code)
    if group_by == "theme":
        found = dict(grouped_totals(ids, Activity.theme))
        return [_row(key, label, found.get(key)) for key, label, _en in THEMES]
    if group_by == "org":
        found = dict(unit_totals(campaign.id, region.code, Org.id))
        return [_row(str(org_id), name, found.get(org_id)) for org_id, name, _r in units_in(region)]
    if group_by in AREA_GROUPS:
        return area_rows(region, group_by, dict(unit_totals(campaign.id, region.code, Org.region_code)))
    return [_row(day.isoformat(), day.isoformat(), counts) for day, counts in day_totals(ids)]



def _row(key, label, counts):
    return {"key": str(key), "label": label, **(counts or {"activities": 0, **ZERO})}


def stats_totals(campaign, region, rows):
    """Totals of the counts API: the rows' sums (each person-day falls in one row of any
    grouping), and the number of activities counted (an activity may span several days)."""
    return {"activities": counted_count(campaign.id, region.code),
            **{key: sum(row[key] for row in rows) for key in FIGURES}}
