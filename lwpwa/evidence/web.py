"""The site lead's evidence pages (/unit/…): photos per activity, the evidence package, plans.
Every page shows only the lead's own unit; another unit's activity or photo answers 404."""
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..activities.models import Activity
from ..errors import ApiError
from ..checkins.stats import activity_stats
from ..reports.api import XLSX, download
from ..reports.sign_in_sheet import sign_in_workbook
from ..reports.xlsx import to_bytes
from ..submissions import service as submissions

from ..extensions import db
from ..http import body_limit
from ..web.access import role_required
from ..workspace.forms import ConfirmForm
from ..workspace.scope import current_org, unit_activity_or_404
from ..workspace.report import sign_in_rows
from ..workspace.scope import selected_campaign
from . import package as packages, photos, plans, storage
from .models import MAX_PHOTOS_PER_ACTIVITY, Photo

ZIP = "application/zip"
DOCX = plans.MIMETYPES["docx"]

bp = Blueprint("evidence", __name__, url_prefix="/unit")

PHOTO_ACTIONS = ("remove", "include", "exclude")


def unit_photo_or_404(activity, photo_id):
    photo = db.session.scalar(select(Photo).where(Photo.client_id == str(photo_id).lower()[:36],
                                                  Photo.activity_id == activity.id,
                                                  Photo.removed_at.is_(None)))
    if photo is None:
        abort(404)
    return photo


def activity_photos_page(activity_id):
    org = current_org()
    activity = unit_activity_or_404(org, activity_id)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit() or request.form.get("action") not in PHOTO_ACTIONS:
            abort(400)
        photo = unit_photo_or_404(activity, request.form.get("photo", ""))
        action = request.form["action"]
        if action == "remove":
            photos.remove(photo)
            flash(_("The photo was removed."), "info")
        else:
            photo.in_package = action == "include"
        return redirect(url_for("evidence.activity_photos", activity_id=activity.id))
    return render_template("evidence/photos.html", org=org, activity=activity,
                           photos=photos.activity_photos(activity.id), limit=MAX_PHOTOS_PER_ACTIVITY,
                           confirm=form)


def photo_file(activity_id, photo_id):
    org = current_org()
    activity = unit_activity_or_404(org, activity_id)
    photo = unit_photo_or_404(activity, photo_id)
    try:
        data = photos.photo_bytes(photo)
    except FileNotFoundError:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def photo_counts(org, campaign):
    """{activity_id: (stored, chosen)} of the unit's activities in the campaign."""
    rows = db.session.execute(
        select(Photo.activity_id, func.count(), func.count().filter(Photo.in_package.is_(True)))
        .join(Activity, Activity.id == Photo.activity_id)
        .where(Activity.org_id == org.id, Activity.campaign_id == campaign.id, Photo.removed_at.is_(None))
        .group_by(Photo.activity_id))
    return {activity_id: (stored, chosen) for activity_id, stored, chosen in rows}


def case_activity(org, campaign, value):
    """The activity chosen for the 典型案例 (a form or query value), or None."""
    if not value or not str(value).isdigit():
        return None
    activity = unit_activity_or_404(org, int(value))
    if activity.campaign_id != campaign.id:
        abort(404)
    return activity


def package_page():
    org = current_org()
    campaign = selected_campaign(org)
    activities = db.session.scalars(
        select(Activity).where(Activity.org_id == org.id, Activity.campaign_id == campaign.id,
                               Activity.is_cancelled.is_(False))
        .order_by(Activity.starts_at, Activity.id)).all()
    return render_template("evidence/package.html", org=org, campaign=campaign, activities=activities,
                           counts=photo_counts(org, campaign),
                           # Shandong asks every city for at least one “智慧助老” case: offer one first.
                           default_case=next((a.id for a in activities if a.theme == "smart_seniors"), None),
                           submission=submissions.latest_submission(campaign, org),
                           handed_in=packages.latest_package(campaign, org.id), confirm=ConfirmForm())


def package_zip():
    """The package as it would be handed in now (from the latest submitted version)."""
    org = current_org()
    campaign = selected_campaign(org)
    submission = submissions.latest_submission(campaign, org)
    if submission is None:
        flash(_("Submit the statistics table first: the package holds the submitted version."), "error")
        return redirect(url_for("evidence.package", campaign=campaign.id))
    data, _count = packages.build(campaign, org, submission, case_activity(org, campaign, request.args.get("case")))
    return download(data, ZIP, f"{campaign.title}佐证材料-{org.name}.zip")


def hand_in():
    org = current_org()
    campaign = selected_campaign(org)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        packages.hand_in(campaign, org, current_user, case_activity(org, campaign, request.form.get("case")))
    except ApiError as exc:
        if exc.status != 409:
            raise
        flash(exc.message, "error")
        return redirect(url_for("evidence.package", campaign=campaign.id))
    flash(_("The evidence package was handed in to the bureau."), "info")
    return redirect(url_for("evidence.package", campaign=campaign.id))


def handed_in_zip():
    org = current_org()
    campaign = selected_campaign(org)
    package = packages.latest_package(campaign, org.id)
    if package is None:
        flash(_("No evidence package has been handed in yet."), "error")
        return redirect(url_for("evidence.package", campaign=campaign.id))
    try:
        data = storage.read(storage.package_path(package))
    except FileNotFoundError:
        abort(404)
    return download(data, ZIP, f"{campaign.title}佐证材料-{org.name}.zip")


def plan_upload(campaign, org=None, region_code=None):
    """Take the posted plan file (form field `file`); flash what happened. A page answers the
    flash after its redirect; only a request larger than allowed ends in the 413 page."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    upload = request.files.get("file")
    try:
        plan = plans.store_plan(campaign, current_user, upload.filename if upload else None,
                                upload.read() if upload else b"", org=org, region_code=region_code)
    except ApiError as exc:
        flash(exc.message, "error")
        return None
    flash(_("The plan (%(kind)s) was handed in.", kind=plan.kind.upper()), "info")
    return None


@body_limit("PLAN_MAX_BYTES")
def plans_page():
    org = current_org()
    campaign = selected_campaign(org)
    if request.method == "POST":
        plan_upload(campaign, org=org)
        return redirect(url_for("evidence.plans", campaign=campaign.id))
    mine = plans.plans_by_owner(campaign, [plans.owner_key(org)])[plans.owner_key(org)]
    return render_template("evidence/plans.html", org=org, campaign=campaign, plans=mine,
                           status=plans.plan_status(campaign, mine), confirm=ConfirmForm(),
                           max_mb=current_app.config["PLAN_MAX_BYTES"] // (1024 * 1024))


def plan_file():
    org = current_org()
    campaign = selected_campaign(org)
    kind = request.args.get("kind", "pdf")
    plan = plans.plan_of(campaign, plans.owner_key(org), kind) if kind in plans.PLAN_KINDS else None
    if plan is None:
        flash(_("No such plan has been handed in."), "error")
        return redirect(url_for("evidence.plans", campaign=campaign.id))
    return download(plans.read_plan(plan), plans.MIMETYPES[plan.kind], plan.filename)


def sign_in_xlsx(activity_id):
    """The activity's sign-in sheet as .xlsx (masked names), paged for A4 like the table."""
    org = current_org()
    activity = unit_activity_or_404(org, activity_id)
    workbook = sign_in_workbook(org, activity, activity_stats(activity.id), sign_in_rows(activity))
    return download(to_bytes(workbook), XLSX, f"签到表-{activity.name}.xlsx")


GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]
ROUTES = (
    ("/activities/<int:activity_id>/photos", "activity_photos", activity_photos_page, BOTH),
    ("/activities/<int:activity_id>/photos/<photo_id>.jpg", "photo_file", photo_file, GET),
    ("/activities/<int:activity_id>/sign-in-sheet.xlsx", "sign_in_xlsx", sign_in_xlsx, GET),
    ("/evidence", "package", package_page, GET),
    ("/evidence/package.zip", "package_zip", package_zip, GET),
    ("/evidence/hand-in", "hand_in", hand_in, POST),
    ("/evidence/handed-in.zip", "handed_in_zip", handed_in_zip, GET),
    ("/plans", "plans", plans_page, BOTH),
    ("/plans/file", "plan_file", plan_file, GET),
)

for rule, endpoint, view, methods in ROUTES:
    bp.add_url_rule(rule, endpoint, role_required("site_lead")(view), methods=methods)
