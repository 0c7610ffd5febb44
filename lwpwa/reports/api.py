"""Statistics tables (.xlsx) for a unit or a region, and the read-only counts API."""
import csv
import hashlib
import io
import json
from urllib.parse import quote

from flask import Blueprint, Response, g, jsonify, request
from flask_babel import gettext as _

from ..accounts.access import region_visible, visible_org_or_404
from ..api.auth import token_required
from ..api.body import query_int
from ..campaigns.models import Campaign
from ..database import utcnow
from ..errors import ValidationError, not_found
from ..extensions import db
from ..regions.models import Region
from . import service
from .xlsx import FORMULA_STARTS, to_bytes

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GROUPS = ("org", "theme", "day", "province", "city", "county")


def campaign_from_query():
    campaign_id = query_int("campaign_id")
    if campaign_id is None:
        raise ValidationError({"campaign_id": _("This field is required.")})
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise not_found(_("No such campaign."))
    return campaign


def visible_region_or_404(code):
    region = db.session.get(Region, code) if code and len(code) <= 6 else None
    if region is None or not region_visible(g.api_user, region.code):
        raise not_found()
    return region


def download(data, mimetype, filename):
    response = Response(data, mimetype=mimetype)
    # RFC 6266: an ASCII fallback and the real (Chinese) name for browsers that read it.
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{filename.encode('ascii', 'ignore').decode() or 'report'}\"; "
        f"filename*=UTF-8''{quote(filename)}")
    return response


@bp.get("/orgs/<int:org_id>/report.xlsx")
@token_required("site_lead", "bureau", "admin")
def org_report(org_id):
    org = visible_org_or_404(g.api_user, org_id)
    campaign = campaign_from_query()
    workbook = service.unit_workbook(campaign, org)
    return download(to_bytes(workbook), XLSX, f"{campaign.title}情况统计表-{org.name}.xlsx")


@bp.get("/regions/<code>/report.xlsx")
@token_required("bureau", "admin")
def region_report(code):
    region = visible_region_or_404(code)
    campaign = campaign_from_query()
    workbook = service.region_workbook(campaign, region)
    return download(to_bytes(workbook), XLSX, f"{campaign.title}情况统计表-{region.name}.xlsx")


@bp.get("/stats")
@token_required("bureau", "admin")
def stats():
    campaign = campaign_from_query()
    code = request.args.get("region") or g.api_user.region_code
    if not code:
        raise ValidationError({"region": _("This field is required.")})
    region = visible_region_or_404(code)
    group_by = request.args.get("group_by", "org")
    if group_by not in GROUPS:
        raise ValidationError({"group_by": _("Must be one of: %(choices)s.", choices=", ".join(GROUPS))})
    output = request.args.get("format", "json")
    if output not in ("json", "csv"):
        raise ValidationError({"format": _("Must be one of: %(choices)s.", choices="json, csv")})
    rows = service.stats_rows(campaign, region, group_by)
    totals = service.stats_totals(campaign, region, rows)
    # The ETag covers the counts, not the generation time: unchanged counts answer 304.
    tag = hashlib.sha256(json.dumps([campaign.id, region.code, group_by, output, totals, rows],
                                    sort_keys=True).encode()).hexdigest()[:32]
    if tag in request.if_none_match:
        response = Response(status=304)
        response.set_etag(tag)
        return response
    if output == "csv":
        response = download(stats_csv(rows), "text/csv; charset=utf-8",
                            f"stats-{region.code}-{group_by}.csv")
    else:
        response = jsonify({"campaign_id": campaign.id, "region_code": region.code,
                            "generated_at": utcnow().isoformat(), "group_by": group_by,
                            "totals": totals, "rows": rows})
    response.set_etag(tag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def stats_csv(rows):
    """UTF-8 with a BOM so that Excel shows Chinese; text never starts like a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["key", "label", "activities", "attendance", "volunteers"])
    for row in rows:
        label = row["label"]
        if label.startswith(FORMULA_STARTS):
            label = "'" + label
        writer.writerow([row["key"], label, row["activities"], row["attendance"], row["volunteers"]])
    return "\ufeff" + buffer.getvalue()


