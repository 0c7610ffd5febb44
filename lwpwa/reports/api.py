"""Statistics tables (.xlsx) for a unit or a region, and the read-only counts API."""
import csv
import hashlib
import io
import json
import unicodedata
from urllib.parse import quote

from flask import Blueprint, Response, g, jsonify, request
from flask_babel import gettext as _

from ..accounts.access import region_visible, visible_org_or_404
from ..api.auth import token_required
from ..campaigns.models import Campaign
from ..database import utcnow
from ..errors import not_found
from ..extensions import db
from ..regions.models import COUNTRY_CODE, Region
from . import region_table, service, submitted
from .declarations import OrgReportQuery, RegionReportQuery, StatsQuery
from .xlsx import FORMULA_STARTS, to_bytes

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def campaign_or_404(campaign_id):
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise not_found(_("No such campaign."))
    return campaign


def visible_region_or_404(code):
    region = db.session.get(Region, code) if code and len(code) <= 6 else None
    if region is None or not region_visible(g.api_user, region.code):
        raise not_found()
    return region


def region_asked(code):
    """The region a query names, else the caller's own: a bureau's region, an admin's the
    whole country (an admin sees every region)."""
    return visible_region_or_404(code or g.api_user.region_code or COUNTRY_CODE)


def download(data, mimetype, filename):
    response = Response(data, mimetype=mimetype)
    # RFC 6266: an ASCII fallback and the real (Chinese) name, quoted by Werkzeug and the
    # standard library as send_file does (a quote in a unit's name once added a parameter).
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = "".join("_" if ch in '"\\' or not ch.isprintable() else ch for ch in fallback) or "report"
    response.headers.set("Content-Disposition", "attachment", filename=fallback,
                         **{"filename*": "UTF-8''" + quote(filename, safe="!#$&+-.^_`|~")})
    return response


@bp.get("/orgs/<int:org_id>/report.xlsx")
@token_required("site_lead", "bureau", "admin")
def org_report(org_id):
    org = visible_org_or_404(g.api_user, org_id)
    asked = OrgReportQuery.from_request()
    campaign = campaign_or_404(asked.campaign_id)
    version = asked.version
    workbook = service.unit_workbook(campaign, org, version)
    suffix = f"-第{version}版" if version else ""
    return download(to_bytes(workbook), XLSX, f"{campaign.title}情况统计表-{org.name}{suffix}.xlsx")


@bp.get("/regions/<code>/report.xlsx")
@token_required("bureau", "admin")
def region_report(code):
    region = visible_region_or_404(code)
    asked = RegionReportQuery.from_request()
    campaign = campaign_or_404(asked.campaign_id)
    workbook = region_table.region_workbook(campaign, region, asked.basis)
    return download(to_bytes(workbook), XLSX, f"{campaign.title}情况统计表-{region.name}.xlsx")


@bp.get("/stats")
@token_required("bureau", "admin")
def stats():
    asked = StatsQuery.from_request()
    campaign = campaign_or_404(asked.campaign_id)
    region = region_asked(asked.region)
    group_by, basis, output = asked.group_by, asked.basis, asked.format
    rows, totals = stats_of(campaign, region, group_by, basis)
    # The ETag covers the counts, not the generation time: unchanged counts answer 304.
    tag = hashlib.sha256(json.dumps([campaign.id, region.code, group_by, basis, output, totals, rows],
                                    sort_keys=True).encode()).hexdigest()[:32]
    if tag in request.if_none_match:
        response = Response(status=304)
        response.set_etag(tag)
        return response
    if output == "csv":
        response = download(stats_csv(rows), "text/csv",  # Flask adds "; charset=utf-8" once
                            f"stats-{region.code}-{group_by}.csv")
    else:
        response = jsonify({"campaign_id": campaign.id, "region_code": region.code, "basis": basis,
                            "generated_at": utcnow().isoformat(), "group_by": group_by,
                            "totals": totals, "rows": rows})
    response.set_etag(tag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def stats_of(campaign, region, group_by, basis):
    """(rows, totals) of the counts API on a basis."""
    if basis == "submitted":
        latest = submitted.latest_versions(campaign, region, submitted.parts_for(group_by))
        rows = submitted.submitted_rows(campaign, region, group_by, latest)
        return rows, submitted.submitted_totals(region, rows, latest)
    rows = service.stats_rows(campaign, region, group_by)
    return rows, service.stats_totals(campaign, region, rows)


# The CSV's columns: the first five as they always were, then the parts of each count.
CSV_COLUMNS = ("key", "label", "activities", "attendance", "volunteers", "attendance_scanned",
               "attendance_tallied", "volunteers_scanned", "volunteers_tallied")
SUBMISSION_COLUMNS = ("submission_version", "submission_status", "submission_submitted_at")


def stats_csv(rows):
    """UTF-8 with a BOM so that Excel shows Chinese; text never starts like a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    versions = bool(rows) and "submission" in rows[0]  # rows by unit on the submitted basis
    writer.writerow(CSV_COLUMNS + (SUBMISSION_COLUMNS if versions else ()))
    for row in rows:
        label = row["label"]
        if label.startswith(FORMULA_STARTS):
            label = "'" + label
        values = [label if column == "label" else row[column] for column in CSV_COLUMNS]
        if versions:
            values += [(row["submission"] or {}).get(key, "") for key in ("version", "status", "submitted_at")]
        writer.writerow(values)
    return "\ufeff" + buffer.getvalue()




from ..submissions import api as _submissions_api  # noqa: E402,F401  (its routes are on this blueprint)
