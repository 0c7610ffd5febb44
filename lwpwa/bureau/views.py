"""Region pages for bureaus: the dashboard, the region's statistics table (page, print, .xlsx)."""
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..activities.reference import THEMES
from ..extensions import db
from ..i18n import current_locale
from ..maps import views as maps
from ..national import dashboard as national
from ..reports import region_table, service, submitted
from ..reports.api import XLSX, download
from ..reports.counts import FIGURES
from ..reports.table import (NOTES, ROW_LABELS, TABLE_ROWS, chinese_date, print_parts, region_columns,
                             snapshot_title, version_label)
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
    if region.level == "country":  # the national tier's page: lwpwa/national
        return national.render(region, campaigns, campaign, page["trail"], localized_themes)
    if campaign is None:
        return render_template("bureau/dashboard.html", **page)
    sort = request.args.get("sort", "label")
    descending = request.args.get("dir") == "desc"
    basis = page_basis()
    latest = submitted.latest_versions(campaign, region)
    statuses = dashboard.unit_statuses(campaign, region, latest=latest)
    themes = localized_themes(dashboard.basis_rows(campaign, region, "theme", basis, latest))
    days = dashboard.basis_rows(campaign, region, "day", basis, latest)
    cities = units = None
    if region.level == "province":
        rows = cities = dashboard.city_rows(campaign, region, statuses, basis, latest)
    else:
        rows = units = dashboard.unit_rows(campaign, region, statuses, basis, latest)
    # Every activity of the region is in exactly one city (unit): the totals are the rows' sum,
    # which spares a second pass over the check-ins.
    totals = {key: sum(row[key] for row in rows) for key in ("activities", *FIGURES)}
    deltas = {key: sum(row.get(key, 0) for row in rows) for key in ("delta_attendance", "delta_volunteers")}
    missing, missing_count = dashboard.missing_units(campaign, region, statuses)
    return render_template(
        "bureau/dashboard.html", **page, basis=basis,
        cities=dashboard.sort_rows(cities, sort, descending) if cities is not None else None,
        units=dashboard.sort_rows(units, sort, descending) if units is not None else None,
        totals=totals, deltas=deltas, verified_share=dashboard.verified_share(totals),
        status_counts=dashboard.status_counts(statuses), missing=missing, missing_count=missing_count,
        theme_chart=charts.bars(themes), day_chart=charts.line(days) if days else None,
        sort=sort, descending=descending,
        themes=themes, days=days,
        map_figures=maps.map_figures(campaign, region) if region.level in maps.CHILD_LEVEL else None,
    )


def page_basis():
    """?basis=live|submitted on the bureau's pages; submitted unless asked (404 on nonsense)."""
    basis = request.args.get("basis", "submitted")
    if basis not in region_table.BASES:
        abort(404)
    return basis


@bp.get("/<code>/table")
@role_required(*BUREAU_ROLES)
def table(code):
    """The region's statistics table as a page; ?print=1 gives the bare A4 print view."""
    region, campaigns, campaign = _context(code)
    if campaign is None:
        abort(404)
    basis = page_basis()
    document = region_table.region_document(campaign, region, basis)
    snapshot = document.snapshot
    columns = region_columns(snapshot["themes"])
    units = snapshot["units"]
    printing = bool(request.args.get("print"))
    template = "bureau/table_print.html" if printing else "bureau/table.html"
    deltas = None
    if basis == "submitted" and not printing:
        # On screen, apart from the record: how far each unit's live counts moved since.
        live = {row["key"]: row["attendance"] for row in service.stats_rows(campaign, region, "org")}
        deltas = {unit["id"]: live.get(str(unit["id"]), 0) - unit["attendance"] for unit in units}
    return render_template(
        template, region=region, campaign=campaign, campaigns=campaigns, trail=breadcrumbs(region),
        basis=basis, document=document, version_label=version_label, deltas=deltas, columns=columns, units=units,
        today=document.on_date, row_labels=ROW_LABELS, table_rows=TABLE_ROWS, notes=NOTES,
        table_title=snapshot_title(document.snapshot), table_date=chinese_date(document.on_date),
        parts=print_parts(columns),
        theme_labels={key: label for key, label, _en in THEMES},
        theme_pairs=[(key, label) for key, label, _en in THEMES],
        unit_theme_totals={key: sum(unit["by_theme"].get(key, 0) for unit in units) for key, _l, _e in THEMES},
        totals={key: sum(c.values[key] for c in columns) for key in FIGURES},
    )


@bp.get("/<code>/report.xlsx")
@role_required(*BUREAU_ROLES)
def report_xlsx(code):
    """The workbook of GET /api/v1/regions/<code>/report.xlsx, for a signed-in browser (on the
    pages' basis: submitted unless ?basis=live)."""
    region, _campaigns, campaign = _context(code)
    if campaign is None:
        abort(404)
    workbook = region_table.region_workbook(campaign, region, page_basis())
    return download(to_bytes(workbook), XLSX, f"{campaign.title}情况统计表-{region.name}.xlsx")
