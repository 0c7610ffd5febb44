"""The submissions API (API.md "Submissions"), and its extension to a region's own table.

Routes live on the reports blueprint (`reports_api`, /api/v1): a submission is the record of a
statistics table. Who may do what:

- a unit's versions: its site lead (or an admin) submits; the unit and the bureaus above it read;
  a bureau whose region holds the unit (or an admin) accepts or returns;
- a region's versions: the bureau of exactly that region (or an admin) submits; the bureaus that
  see the region read; a bureau whose region holds it and is larger (or an admin) decides;
- verify: any signed-in bureau or admin, or a user of the unit the version belongs to.
Anything else that exists answers 404, like what does not.
"""
from flask import g, jsonify, request
from flask_babel import gettext as _

from ..accounts.access import region_visible, visible_org_or_404
from ..api.auth import token_required
from ..campaigns.models import Campaign
from ..errors import ApiError, ValidationError, not_found
from ..extensions import db
from ..regions.models import Region, level_of, scope_prefix
from ..reports.api import bp, campaign_or_404, visible_region_or_404
from ..reports.region_table import region_snapshot
from . import regions, service
from . import verify as verification
from .declarations import (AcceptDecision, ReturnDecision, SubmitTable, VerifyFile, VerifyQuery, VerifyUpload,
                           VersionsQuery)
from .freeze import same_content, unit_snapshot
from .models import ACCEPTED, RETURNED, Submission


def covers(campaign, region_code):
    """Whether a campaign (a province's or a city's week) concerns a unit or region there."""
    return region_code.startswith(scope_prefix(campaign.region_code, level_of(campaign.region_code)))


def campaign_from_body(region_code):
    campaign = db.session.get(Campaign, SubmitTable.from_request().campaign_id)
    if campaign is None or not covers(campaign, region_code):
        raise not_found(_("No such campaign."))
    return campaign


def submission_json(submission, changed_since=None):
    body = {
        "id": submission.id,
        "kind": "unit" if submission.org_id is not None else "region",
        "org_id": submission.org_id,
        "region_code": submission.region_code if submission.org_id is None else submission.org.region_code,
        "campaign_id": submission.campaign_id,
        "version": submission.version,
        "status": submission.status,
        "submitted_at": submission.submitted_at.isoformat(),
        "submitted_by": submission.submitted_by.username if submission.submitted_by else None,
        "fingerprint": submission.fingerprint,
        "totals": submission.snapshot.get("totals", {}),
        "comment": submission.comment,
        "decided_by": submission.decided_by.username if submission.decided_by else None,
        "decided_at": submission.decided_at.isoformat() if submission.decided_at else None,
    }
    if changed_since is not None:
        body["changed_since"] = changed_since
    return body


def versions_json(versions, live):
    return [submission_json(v, changed_since=not same_content(live, v.snapshot)) for v in versions]


@bp.post("/orgs/<int:org_id>/submissions")
@token_required("site_lead", "admin")
def submit_unit(org_id):
    org = visible_org_or_404(g.api_user, org_id)
    campaign = campaign_from_body(org.region_code)
    submission = service.submit(campaign, org, g.api_user)
    return jsonify(submission_json(submission)), 201


@bp.get("/orgs/<int:org_id>/submissions")
@token_required("volunteer", "site_lead", "bureau", "admin")
def unit_versions(org_id):
    org = visible_org_or_404(g.api_user, org_id)
    campaign = campaign_or_404(VersionsQuery.from_request().campaign_id)
    versions = service.versions_of(campaign.id, org_id=org.id)
    return jsonify(versions_json(versions, unit_snapshot(campaign, org)) if versions else [])


@bp.post("/regions/<code>/submissions")
@token_required("bureau", "admin")
def submit_region(code):
    region = own_region_or_404(code)
    campaign = campaign_from_body(region.code)
    submission = regions.submit(campaign, region, g.api_user)
    return jsonify(submission_json(submission)), 201


@bp.get("/regions/<code>/submissions")
@token_required("bureau", "admin")
def region_versions(code):
    region = visible_region_or_404(code)
    campaign = campaign_or_404(VersionsQuery.from_request().campaign_id)
    versions = service.versions_of(campaign.id, region_code=region.code)
    return jsonify(versions_json(versions, region_snapshot(campaign, region)) if versions else [])


def own_region_or_404(code):
    """A region whose table the caller submits: a bureau's own region (an admin's any)."""
    region = visible_region_or_404(code)
    if g.api_user.role != "admin" and g.api_user.region_code != region.code:
        raise ApiError(403, "not_your_region", _("Only the bureau of this region submits its table."))
    return region


def submission_for(user, submission_id):
    """The submission if the user may read it, else 404."""
    submission = db.session.get(Submission, submission_id) if submission_id <= 2**31 else None
    if submission is None:
        raise not_found()
    if submission.org_id is not None:
        visible_org_or_404(user, submission.org_id)
    elif not region_visible(user, submission.region_code):
        raise not_found()
    return submission


def may_decide(user, submission):
    """A unit's table: any bureau whose region holds the unit. A region's: a bureau of a larger
    region that holds it (a bureau never decides its own region's table)."""
    if user.role == "admin":
        return True
    if submission.org_id is not None:
        return True  # visibility was checked: the bureau's region holds the unit
    return user.region_code != submission.region_code


# What a decision's body must say: a return needs a comment, an acceptance may have one.
DECISIONS = {ACCEPTED: AcceptDecision, RETURNED: ReturnDecision}


def decision(submission_id, status):
    submission = submission_for(g.api_user, submission_id)
    comment = DECISIONS[status].from_request().comment
    if not may_decide(g.api_user, submission):
        raise ApiError(403, "not_your_decision", _("A bureau above this region decides its table."))
    return jsonify(submission_json(service.decide(submission, g.api_user, status, comment or None)))


@bp.post("/submissions/<int:submission_id>/accept")
@token_required("bureau", "admin")
def accept(submission_id):
    return decision(submission_id, ACCEPTED)


@bp.post("/submissions/<int:submission_id>/return")
@token_required("bureau", "admin")
def return_(submission_id):
    return decision(submission_id, RETURNED)


@bp.get("/submissions/<int:submission_id>")
@token_required("volunteer", "site_lead", "bureau", "admin")
def show(submission_id):
    return jsonify(submission_json(submission_for(g.api_user, submission_id)))


def verify_json(submission):
    """What a fingerprint belongs to: whose table, which campaign, version, time and figures."""
    body = submission_json(submission)
    campaign = db.session.get(Campaign, submission.campaign_id)
    body.update({"campaign_title": submission.snapshot.get("campaign_title", campaign.title),
                 "org_name": submission.org.name if submission.org_id else None,
                 "region_name": db.session.get(Region, body["region_code"]).name})
    return body


def may_verify(user):
    """Any version for a bureau or an admin; the unit's own for its users."""
    def may_see(submission):
        return user.role in ("bureau", "admin") or (submission.org_id is not None and submission.org_id == user.org_id)
    return may_see


@bp.get("/submissions/verify")
@token_required("volunteer", "site_lead", "bureau", "admin")
def verify():
    fingerprint = VerifyQuery.from_request().fingerprint
    submission = verification.by_fingerprint(fingerprint, may_verify(g.api_user))
    if submission is None:
        raise not_found(_("No submitted table has this fingerprint."))
    return jsonify(verify_json(submission))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def uploaded_file():
    """The .xlsx to check: the body itself (Content-Type of .xlsx), a multipart field `file`,
    or JSON {"xlsx_base64"}."""
    if request.mimetype == XLSX:
        return request.get_data()
    if request.mimetype == "multipart/form-data":
        return VerifyUpload.from_request().file
    return VerifyFile.from_request().xlsx_base64


@bp.post("/submissions/verify")
@token_required("volunteer", "site_lead", "bureau", "admin")
def verify_file():
    data = uploaded_file()
    if not data:
        raise ValidationError({"file": _("Send the .xlsx file as the request body.")})
    result = verification.check_file(data, may_verify(g.api_user))
    submission = result.pop("submission")
    result["submission"] = verify_json(submission) if submission else None
    return jsonify(result)
