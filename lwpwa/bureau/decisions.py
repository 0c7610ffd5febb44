"""Bureau pages of the record: a unit's versions with accept / return (a comment), a region's
own table submitted upward, and the tables of the regions below to decide. Every form carries a
CSRF token; decisions are the API's own (`submissions.service.decide`, the same 409s)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import TextAreaField

from ..accounts.access import can_see_org, region_visible
from ..errors import ApiError, ValidationError
from ..extensions import db
from ..orgs.models import Org
from ..regions.models import Region
from ..reports.region_table import region_snapshot
from ..submissions import regions as region_submissions
from ..submissions import service
from ..submissions.api import DECISIONS, may_decide
from ..submissions.declarations import COMMENT_LENGTH
from ..submissions.freeze import same_content, unit_snapshot
from ..submissions.models import ACCEPTED, RETURNED, Submission
from ..web.access import role_required
from .scope import BUREAU_ROLES, breadcrumbs, campaigns_for, pick_campaign, region_or_404

bp = Blueprint("bureau_decisions", __name__, url_prefix="/region")


class DecisionForm(FlaskForm):
    """The CSRF token and the comment's field; the comment is read by the API's declaration
    of a decision (lwpwa.submissions.declarations), the same rule for both."""
    comment = TextAreaField(_l("Comment to the unit (required to return the table)"),
                            render_kw={"maxlength": COMMENT_LENGTH})


class SubmitForm(FlaskForm):
    """Only the CSRF token: the region and campaign are in the URL."""


def unit_or_404(org_id):
    org = db.session.get(Org, org_id) if 0 < org_id < 2**31 else None
    if org is None or not can_see_org(current_user, org):
        abort(404)
    return org


@bp.get("/units/<int:org_id>/submissions")
@role_required(*BUREAU_ROLES)
def unit_versions(org_id):
    org = unit_or_404(org_id)
    region = db.session.get(Region, org.region_code)
    campaign = pick_campaign(region, campaigns_for(region))
    if campaign is None:
        abort(404)
    versions = service.versions_of(campaign.id, org_id=org.id)
    live = unit_snapshot(campaign, org)
    latest = versions[0] if versions else None
    return render_template(
        "bureau/unit_versions.html", org=org, region=region, campaign=campaign, trail=breadcrumbs(region),
        versions=versions, latest=latest, live=live,
        changed={v.id: not same_content(live, v.snapshot) for v in versions},
        form=DecisionForm(), decidable=latest is not None and latest.status == "submitted")


def submission_or_404(submission_id):
    submission = db.session.get(Submission, submission_id) if 0 < submission_id < 2**31 else None
    if submission is None:
        abort(404)
    if submission.org_id is not None:
        unit_or_404(submission.org_id)
    elif not region_visible(current_user, submission.region_code):
        abort(404)
    return submission


def back_to(submission):
    if submission.org_id is not None:
        return url_for(".unit_versions", org_id=submission.org_id, campaign=submission.campaign_id)
    parent = db.session.get(Region, submission.region_code).parent_code
    code = parent if parent and region_visible(current_user, parent) else submission.region_code
    return url_for(".region_versions", code=code, campaign=submission.campaign_id)


def decide(submission_id, status):
    submission = submission_or_404(submission_id)
    if not may_decide(current_user, submission):
        abort(403)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(back_to(submission))
    typed = form.comment.data or ""
    try:
        comment = DECISIONS[status].check({"comment": typed}).comment
    except ValidationError as refused:  # a return without a comment is told what it is for
        flash(refused.fields["comment"] if typed.strip() else _("Say in a comment what the unit should correct."),
              "error")
        return redirect(back_to(submission))
    try:
        service.decide(submission, current_user, status, comment or None)
    except ApiError as refused:
        flash(refused.message, "error")
    else:
        flash(_("Version %(n)d was accepted.", n=submission.version) if status == ACCEPTED
              else _("Version %(n)d was returned with your comment.", n=submission.version), "info")
    return redirect(back_to(submission))


@bp.post("/submissions/<int:submission_id>/accept")
@role_required(*BUREAU_ROLES)
def accept(submission_id):
    return decide(submission_id, ACCEPTED)


@bp.post("/submissions/<int:submission_id>/return")
@role_required(*BUREAU_ROLES)
def return_(submission_id):
    return decide(submission_id, RETURNED)


def child_tables(campaign, region):
    """The regions right below whose bureaus submit a table (have a bureau account), with their
    latest version: what this bureau receives and decides."""
    from ..accounts.models import User
    codes = set(db.session.scalars(select(User.region_code).where(
        User.role == "bureau", User.region_code.in_(select(Region.code).where(Region.parent_code == region.code)))))
    children = db.session.scalars(select(Region).where(Region.code.in_(codes)).order_by(Region.code)).all()
    return [(child, service.latest_of(campaign.id, region_code=child.code)) for child in children]


@bp.get("/<code>/submissions")
@role_required(*BUREAU_ROLES)
def region_versions(code):
    region = region_or_404(code)
    campaign = pick_campaign(region, campaigns_for(region))
    if campaign is None:
        abort(404)
    versions = service.versions_of(campaign.id, region_code=region.code)
    current = region_snapshot(campaign, region, "submitted")
    return render_template(
        "bureau/region_versions.html", region=region, campaign=campaign, campaigns=campaigns_for(region),
        trail=breadcrumbs(region), versions=versions, current=current,
        changed={v.id: not same_content(current, v.snapshot) for v in versions},
        own=current_user.role == "admin" or current_user.region_code == region.code,
        children=child_tables(campaign, region), form=DecisionForm(), submit_form=SubmitForm())


@bp.post("/<code>/submit")
@role_required(*BUREAU_ROLES)
def submit_region(code):
    region = region_or_404(code)
    campaign = pick_campaign(region, campaigns_for(region))
    if campaign is None:
        abort(404)
    if current_user.role != "admin" and current_user.region_code != region.code:
        abort(403)
    if SubmitForm().validate_on_submit():
        try:
            submission = region_submissions.submit(campaign, region, current_user)
        except ApiError as refused:
            flash(refused.message, "error")
        else:
            flash(_("Version %(n)d of the region's table was submitted.", n=submission.version), "info")
    return redirect(url_for(".region_versions", code=region.code, campaign=campaign.id,
                            **({"basis": request.args["basis"]} if "basis" in request.args else {})))
