"""The corrections of a region's units, for its bureau: every void that took effect (the phones'
undos and the site leads' voids), with the unit, the activity, who, when and why. `?org=ID`
narrows it to one unit (linked from the unit's row of the dashboard's unit table). Counts and
accounts only: no resident is named."""
from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from ..checkins.corrections import LIST_LIMIT, region_corrections
from ..extensions import db
from ..orgs.models import Org
from ..web.access import role_required
from ..workspace.report import kind_labels
from .scope import BUREAU_ROLES, breadcrumbs, campaigns_for, pick_campaign, region_or_404

bp = Blueprint("bureau_corrections", __name__, url_prefix="/region")


@bp.get("/<code>/corrections")
@role_required(*BUREAU_ROLES)
def index(code):
    region = region_or_404(code)
    campaigns = campaigns_for(region)
    campaign = pick_campaign(region, campaigns)
    org = None
    org_id = request.args.get("org", type=int)
    if org_id is not None:
        org = db.session.scalar(select(Org).where(Org.id == org_id, Org.region_code.like(region.prefix + "%")))
        if org is None:
            abort(404)
    rows = region_corrections(campaign.id, region.prefix, org.id if org else None) if campaign else []
    return render_template("bureau/corrections.html", region=region, trail=breadcrumbs(region),
                           campaigns=campaigns, campaign=campaign, org=org, rows=rows, kinds=kind_labels(),
                           zone=campaign.zone if campaign else None, limit=LIST_LIMIT)
