"""Gathering what the tables and the counts API show, in a handful of SQL queries."""
from datetime import datetime

from sqlalchemy import distinct, func, select

from ..activities.models import Activity
from ..activities.reference import THEMES
from ..extensions import db
from ..orgs.models import Org
from ..regions.models import LEVELS, Region, scope_prefix
from . import table
from .counts import activity_totals, counted_activities, day_totals, grouped_totals

SAMPLE_NAMES = 20


def today_in(campaign):
    return datetime.now(campaign.zone).date()


def unit_workbook(campaign, org):
    ids = counted_activities(campaign.id, org_id=org.id)
    activities = db.session.scalars(
        select(Activity).where(Activity.id.in_(ids)).order_by(Activity.starts_at, Activity.id)
    ).all()
    return table.unit_workbook(campaign, org, activities, activity_totals(ids), today_in(campaign))


def region_theme_rows(ids):
    rows = {theme: {"activities": activities, "attendance": attendance, "volunteers": volunteers,
                    "units": 0, "forms": {}, "names": [], "links": 0}
            for theme, activities, attendance, volunteers in grouped_totals(ids, Activity.theme)}
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
    for org_id, theme, activities, attendance, volunteers in grouped_totals(ids, Org.id, Activity.theme):
        unit = per_theme.setdefault(org_id, {"activities": 0, "attendance": 0, "volunteers": 0, "by_theme": {}})
        unit["activities"] += activities
        unit["attendance"] += attendance
        unit["volunteers"] += volunteers
        unit["by_theme"][theme] = attendance
    empty = {"activities": 0, "attendance": 0, "volunteers": 0, "by_theme": {}}
    return [{"id": org_id, "name": name, "region_name": region_name, **per_theme.get(org_id, empty)}
            for org_id, name, region_name in units_in(region)]


def region_workbook(campaign, region):
    ids = counted_activities(campaign.id, region_code=region.code)
    return table.region_workbook(campaign, region, region_theme_rows(ids), region_unit_rows(region, ids),
                                 today_in(campaign))


def stats_rows(campaign, region, group_by):
    """Rows of the counts API: [{"key", "label", "activities", "attendance", "volunteers"}]."""
    ids = counted_activities(campaign.id, region_code=region.code)
    if group_by == "theme":
        found = {theme: rest for theme, *rest in grouped_totals(ids, Activity.theme)}
        return [_row(key, label, found.get(key)) for key, label, _en in THEMES]
    if group_by == "org":
        found = {org_id: rest for org_id, *rest in grouped_totals(ids, Org.id)}
        return [_row(str(org_id), name, found.get(org_id)) for org_id, name, _r in units_in(region)]
    if group_by == "province":
        return child_region_rows(region, ids, "province")
    if group_by == "city":
        return child_region_rows(region, ids, "city")
    if group_by == "county":
        return child_region_rows(region, ids, "district")
    return [_row(day.isoformat(), day.isoformat(), rest) for day, *rest in day_totals(ids)]


def child_region_rows(region, ids, level):
    """Rows by province (2 code digits), city (4) or district (6): every current region of that level in or
    around `region`, each with its counts; units registered above that level (省直单位, or
    a ministry's own) get a row of their own after them."""
    digits = {"province": 2, "city": 4, "district": 6}[level]
    found = {prefix.ljust(6, "0"): rest
             for prefix, *rest in grouped_totals(ids, func.substr(Org.region_code, 1, digits))}
    if region.level == level:
        places = [region]
    elif LEVELS.index(region.level) > LEVELS.index(level):  # a district's city, a city's province
        places = [db.session.get(Region, region.code[:digits].ljust(6, "0"))]
    else:
        places = db.session.scalars(
            select(Region).where(Region.level == level, Region.current.is_(True),
                                 Region.code.like(region.prefix + "%")).order_by(Region.code)).all()
    rows = [_row(place.code, place.name, found.pop(place.code, None)) for place in places]
    for code, counts in sorted(found.items()):
        # Units registered at a city or province itself: 太原市（市直）, 山西省（省直）.
        above = db.session.get(Region, code) or region
        rows.append(_row(code, f"{above.name}（{_DIRECT[above.level]}）", counts))
    return rows


_DIRECT = {"country": "部直", "province": "省直", "city": "市直", "district": "区直"}


def _row(key, label, counts):
    activities, attendance, volunteers = counts or (0, 0, 0)
    return {"key": str(key), "label": label, "activities": activities, "attendance": attendance,
            "volunteers": volunteers}


def stats_totals(campaign, region, rows):
    """Totals of the counts API: the rows' sums (each person-day falls in one row of any
    grouping), and the number of activities counted (an activity may span several days)."""
    ids = counted_activities(campaign.id, region_code=region.code)
    return {"activities": db.session.scalar(select(func.count()).select_from(ids.subquery())),
            "attendance": sum(row["attendance"] for row in rows),
            "volunteers": sum(row["volunteers"] for row in rows)}
