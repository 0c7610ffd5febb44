"""Region pages for bureaus: the dashboard, the region's statistics table (page, print, .xlsx)."""
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..activities.reference import THEMES
from ..extensions import db
from ..maps import views as maps
from ..national import dashboard as national
from ..reports import region_table, service
from ..reports.api import XLSX, download
from ..reports.counts import FIGURES
from ..reports.table import (NOTES, ROW_LABELS, TABLE_ROWS, chinese_date, print_parts, region_columns,
                             snapshot_title, version_label)
from ..reports.xlsx import to_bytes
from ..regions.models import Region
from ..web.access import role_required
from . import dashboard
from .scope import BUREAU_ROLES, breadcrumbs, campaigns_for, pick_campaign, region_or_404

bp = Blueprint("bureau", __name__, url_prefix="/region")


@bp.get("/")
@role_required(*BUREAU_ROLES)
def home():
    if current_user.region_code:
        return redirect(url_for(".region", code=current_user.region_code))
    provinces = db.session.scalars(select(Region).where(Region.level == "province").order_by(Region.code)).all()
    return render_template("bureau/home.html", provinces=provinces)


def _context(code):
    region = region_or_404(code)
    campaigns = campaigns_for(region)
    campaign = pick_campaign(region, campaigns)
    return region, campaigns, campaign


@bp.get("/<code>/")
@role_required(*BUREAU_ROLES)
def region(code):
    """A region's dashboard; the country's is the national tier's page (lwpwa/national)."""
    region, campaigns, campaign = _context(code)
    page = {"region": region, "campaigns": campaigns, "campaign": campaign, "trail": breadcrumbs(region)}
    if campaign is None:
        return render_template(national.TEMPLATE if region.level == "country" else "bureau/dashboard.html", **page)
    shown = dashboard.figures(campaign, region, page_basis(), request.args.get("sort", "label"),
                              request.args.get("dir") == "desc")
    if region.level == "country":
        return national.render(page, shown)
    missing, missing_count = dashboard.missing_units(campaign, region, shown["statuses"])
    return render_template(
        "bureau/dashboard.html", **page, **shown, missing=missing, missing_count=missing_count,
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
