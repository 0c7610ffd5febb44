"""The scanner's own API: the code filter of a campaign, and the signed-in user's own code."""
from flask import Blueprint, g, jsonify

from ..accounts.models import UNIT_ROLES
from ..api.auth import token_required
from ..api.spec import UNIT_WRITERS
from ..campaigns.models import Campaign
from ..errors import not_found
from ..extensions import db
from ..regions.models import level_of, scope_prefix
from ..residents import codes, qr
from ..residents.models import Resident
from ..residents.service import active_code
from .codefilter import code_filter
from .declarations import CodeFilterQuery

bp = Blueprint("pwa_api", __name__, url_prefix="/api/v1")

MAX_ID = 2**31 - 1


def _campaign_or_404(user, campaign_id):
    """Campaigns a scanner records into: those whose region holds the user's unit (admin: any)."""
    campaign = db.session.get(Campaign, campaign_id) if 1 <= campaign_id <= MAX_ID else None
    if campaign is None:
        raise not_found()
    if user.role in UNIT_ROLES:
        org = user.org
        prefix = scope_prefix(campaign.region_code, level_of(campaign.region_code))
        if org is None or not org.region_code.startswith(prefix):
            raise not_found()
    return campaign


@bp.get("/campaigns/<int:campaign_id>/code-filter")
@token_required(*UNIT_WRITERS)
def campaign_code_filter(campaign_id):
    since = CodeFilterQuery.from_request().since
    campaign = _campaign_or_404(g.api_user, campaign_id)
    response = jsonify(code_filter(campaign.id, since))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/me/code")
@token_required()
def my_code():
    """The signed-in user's own sign-in code (every account has one: volunteers are scanned on duty)."""
    user = g.api_user
    resident = db.session.get(Resident, user.resident_id) if user.resident_id else None
    code = active_code(resident) if resident is not None else None
    if code is None:
        raise not_found()
    response = jsonify({"code": code.code, "code_display": codes.grouped(code.code),
                        "qr_svg": qr.svg(code.code, label=codes.grouped(code.code))})
    response.headers["Cache-Control"] = "no-store"
    return response
