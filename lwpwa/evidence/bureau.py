"""A bureau's evidence pages (/region/<code>/…): its units' handed-in packages in one ZIP, its
own 工作总结 draft from its units' submitted versions, and who has handed in a plan (and who
is late), with the bureau's own plan upload. Scoped like every bureau page: another region 404."""
import os
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..reports.submitted import latest_versions
from ..submissions.models import Submission
from ..bureau.scope import BUREAU_ROLES, breadcrumbs, campaigns_for, pick_campaign, region_or_404
from ..extensions import db
from ..http import body_limit
from ..orgs.models import Org
from ..regions.models import Region
from ..reports import service
from ..reports.api import download
from ..web.access import role_required
from ..workspace.forms import ConfirmForm
from . import docs, plans, storage
from .figures import summary_figures
from .package import latest_packages, safe_name
from .web import DOCX, ZIP, plan_upload

bp = Blueprint("evidence_bureau", __name__, url_prefix="/region")


@bp.app_template_global()
def evidence_handed_in(campaign, org_ids):
    """{org_id: latest EvidencePackage} for a bureau's list of units (org ids as ints or strings)."""
    return latest_packages(campaign, [int(org_id) for org_id in org_ids])


def context(code):
    region = region_or_404(code)
    campaign = pick_campaign(region, campaigns_for(region))
    if campaign is None:
        abort(404)
    return region, campaign


def region_summary(campaign, region):
    latest = latest_versions(campaign, region, parts=("totals",))  # each unit's latest submitted version
    snapshots = db.session.scalars(select(Submission.snapshot).where(Submission.id.in_([row.id for row in latest.values()])))
    figures = summary_figures(campaign, list(snapshots))
    return docs.summary_docx(campaign, region.name, figures, region_level=True)


def summary_docx(code):
    region, campaign = context(code)
    return download(region_summary(campaign, region), DOCX, f"{campaign.title}工作总结（草稿）-{region.name}.docx")


def evidence_zip(code):
    """Every unit's newest handed-in package, as it was handed in, plus the summary draft. Built
    in a temporary file and streamed from it: a city's packages can run to gigabytes."""
    region, campaign = context(code)
    units = service.units_in(region)
    packages = latest_packages(campaign, [org_id for org_id, _n, _r in units])
    listing = ["单位\t所在地区\t佐证材料\t报送时间\tSHA-256"]
    handle, path = tempfile.mkstemp(prefix="lwpwa-evidence-", suffix=".zip")
    with os.fdopen(handle, "wb") as out, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"00-{region.name}工作总结（草稿）.docx", region_summary(campaign, region))
        for org_id, name, place in units:
            package = packages.get(org_id)
            if package is None or not storage.package_path(package).exists():
                listing.append(f"{name}\t{place}\t{'未报送' if package is None else '文件缺失'}\t\t")
                continue
            # Stored, not deflated again: a ZIP of photos and Word files does not shrink.
            archive.write(storage.package_path(package), f"{safe_name(place)}-{safe_name(name)}-{org_id}.zip",
                          compress_type=zipfile.ZIP_STORED)
            listing.append(f"{name}\t{place}\t已报送\t{package.handed_in_at.astimezone(campaign.zone):%Y-%m-%d %H:%M}"
                           f"\t{package.sha256}")
        archive.writestr("00-清单.txt", ("\n".join(listing) + "\n").encode("utf-8"))
    response = download(stream_file(path), ZIP, f"{campaign.title}佐证材料-{region.name}.zip")
    response.headers["Content-Length"] = str(os.path.getsize(path))
    response.call_on_close(lambda: Path(path).unlink(missing_ok=True))
    return response


def stream_file(path, chunk=1024 * 1024):
    """The file's bytes in chunks; the file is opened only while they are sent."""
    with open(path, "rb") as source:
        while data := source.read(chunk):
            yield data


def plan_rows(campaign, region):
    """(rows, own plans): one row per unit (city or district) or per city (province)."""
    if region.level == "province":
        owners = [(f"region:{r.code}", r.name, r.code, None) for r in db.session.scalars(
            select(Region).where(Region.parent_code == region.code).order_by(Region.code))]
    else:
        owners = [(f"org:{org_id}", name, place, org_id) for org_id, name, place in service.units_in(region)]
    own_key = f"region:{region.code}"
    found = plans.plans_by_owner(campaign, [key for key, *_rest in owners] + [own_key])
    today = datetime.now(campaign.zone).date()
    rows = [{"owner": key, "name": name, "place": place, "org_id": org_id, "plans": found[key],
             "status": plans.plan_status(campaign, found[key], today)} for key, name, place, org_id in owners]
    return rows, found[own_key]


@body_limit("PLAN_MAX_BYTES")
def plans_page(code):
    region, campaign = context(code)
    may_upload = current_user.role == "admin" or current_user.region_code == region.code
    if request.method == "POST":
        if not may_upload:
            abort(403)
        response = plan_upload(campaign, region_code=region.code)
        if response is not None:
            return response
        return redirect(url_for("evidence_bureau.plans", code=region.code, campaign=campaign.id))
    rows, own = plan_rows(campaign, region)
    return render_template("evidence/bureau_plans.html", region=region, campaign=campaign,
                           campaigns=campaigns_for(region), trail=breadcrumbs(region), rows=rows, own=own,
                           own_status=plans.plan_status(campaign, own), may_upload=may_upload,
                           confirm=ConfirmForm(), max_mb=_max_mb())


def _max_mb():
    return current_app.config["PLAN_MAX_BYTES"] // (1024 * 1024)


def plan_file(code):
    """?org=ID (a unit of the region) or ?city=CODE (the region itself or a region inside it), &kind=."""
    region, campaign = context(code)
    kind = request.args.get("kind", "pdf")
    org_id = request.args.get("org", type=int)
    if org_id is not None:
        org = db.session.get(Org, org_id)
        if org is None or not org.region_code.startswith(region.prefix):
            abort(404)
        owner = f"org:{org.id}"
    else:
        city = request.args.get("city") or region.code
        if not city.isdigit() or not city.startswith(region.prefix):
            abort(404)
        owner = f"region:{city}"
    plan = plans.plan_of(campaign, owner, kind) if kind in plans.PLAN_KINDS else None
    if plan is None:
        flash(_("No such plan has been handed in."), "error")
        return redirect(url_for("evidence_bureau.plans", code=region.code, campaign=campaign.id))
    return download(plans.read_plan(plan), plans.MIMETYPES[plan.kind], plan.filename)


ROUTES = (
    ("/<code>/evidence.zip", "evidence_zip", evidence_zip, ["GET"]),
    ("/<code>/summary.docx", "summary_docx", summary_docx, ["GET"]),
    ("/<code>/plans", "plans", plans_page, ["GET", "POST"]),
    ("/<code>/plans/file", "plan_file", plan_file, ["GET"]),
)
for rule, endpoint, view, methods in ROUTES:
    bp.add_url_rule(rule, endpoint, role_required(*BUREAU_ROLES)(view), methods=methods)

