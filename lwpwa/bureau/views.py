"""Region pages for bureaus: the dashboard, the region's statistics table (page, print, .xlsx)."""
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..activities.reference import THEMES
from ..extensions import db
from ..i18n import current_locale
from ..reports import service
from ..reports.api import XLSX, download
from ..reports.counts import FIGURES
from ..reports.table import NOTES, ROW_LABELS, TABLE_ROWS, chinese_date, print_parts, region_columns, table_title
from ..reports.counts import counted_activities
from ..reports.xlsx import to_bytes
from ..regions.models import Region
from ..web.access import role_required
from . import charts, dashboard
from .scope import BUREAU_ROLES, breadcrumbs, campaigns_for, pick_campaign, region_or_404

bp = Blueprint("bureau", __name__, url_prefix="/region")


@bp.get("/")
@role_required(*BUREAU_ROLES)
def home():
    if current_user.region_code:
        return redirect(url_for(".region", code=current_user.region_code))
    provinces = db.session.scalars(select(Region).where(Region.level == "province").order_by(Region.code)).all()
    return render_template("bureau/home.html", provinces=provinces)


def localized_themes(rows):
    """The official Chinese labels in Chinese; the English names on English pages."""
    if current_locale() == "zh_Hans":
        return rows
    names = {key: str(english) for key, _label, english in THEMES}
    return [{**row, "label": names.get(row["key"], row["label"])} for row in rows]


def _context(code):
    region = region_or_404(code)
    campaigns = campaigns_for(region)
    campaign = pick_campaign(region, campaigns)
    return region, campaigns, campaign


@bp.get("/<code>/")
@role_required(*BUREAU_ROLES)
def region(code):
    region, campaigns, campaign = _context(code)
    page = {"region": region, "campaigns": campaigns, "campaign": campaign, "trail": breadcrumbs(region)}
    if campaign is None:
        return render_template("bureau/dashboard.html", **page)
    sort = request.args.get("sort", "label")
    descending = request.args.get("dir") == "desc"
    statuses = dashboard.unit_statuses(campaign, region)
    themes = localized_themes(service.stats_rows(campaign, region, "theme"))
    days = service.stats_rows(campaign, region, "day")
    cities = units = None
    if region.level == "province":
        rows = cities = dashboard.city_rows(campaign, region, statuses)
    else:
        rows = units = dashboard.unit_rows(campaign, region, statuses)
    # Every activity of the region is in exactly one city (unit): the totals are the rows' sum,
    # which spares a second pass over the check-ins.
    totals = {key: sum(row[key] for row in rows) for key in ("activities", *FIGURES)}
    return render_template(
        "bureau/dashboard.html", **page,
        cities=dashboard.sort_rows(cities, sort, descending) if cities is not None else None,
        units=dashboard.sort_rows(units, sort, descending) if units is not None else None,
        totals=totals, verified_share=dashboard.verified_share(totals),
        status_counts=dashboard.status_counts(statuses),
        theme_chart=charts.bars(themes), day_chart=charts.line(days) if days else None,
        sort=sort, descending=descending,
        themes=themes, days=days,
    )


@bp.get("/<code>/table")
@role_required(*BUREAU_ROLES)
def table(code):
    """The region's statistics table as a page; ?print=1 gives the bare A4 print view."""
    region, campaigns, campaign = _context(code)
    if campaign is None:
        abort(404)
    ids = counted_activities(campaign.id, region_code=region.code)
    theme_rows = service.region_theme_rows(ids)
    units = service.region_unit_rows(region, ids)
    columns = region_columns(theme_rows)
    template = "bureau/table_print.html" if request.args.get("print") else "bureau/table.html"
    return render_template(
        template, region=region, campaign=campaign, campaigns=campaigns, trail=breadcrumbs(region),
        columns=columns, units=units, today=service.today_in(campaign), row_labels=ROW_LABELS,
        table_title=table_title(campaign), table_date=chinese_date(None), parts=print_parts(columns),
        table_rows=TABLE_ROWS, notes=NOTES,
        theme_labels={key: label for key, label, _en in THEMES},
        theme_pairs=[(key, label) for key, label, _en in THEMES],
        unit_theme_totals={key: sum(unit["by_theme"].get(key, 0) for unit in units) for key, _l, _e in THEMES},
        totals={key: sum(c.values[key] for c in columns) for key in FIGURES},
    )


@bp.get("/<code>/report.xlsx")
@role_required(*BUREAU_ROLES)
def report_xlsx(code):
    """The same workbook as GET /api/v1/regions/<code>/report.xlsx, for a signed-in browser."""
    region, _campaigns, campaign = _context(code)
    if campaign is None:
        abort(404)
    workbook = service.region_workbook(campaign, region)
    return download(to_bytes(workbook), XLSX, f"{campaign.title}情况统计表-{region.name}.xlsx")
