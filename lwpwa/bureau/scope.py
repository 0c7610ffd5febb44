"""Which regions and campaigns a bureau (or admin) user may look at; anything else is a 404."""
from datetime import datetime

from flask import abort, request
from flask_login import current_user
from sqlalchemy import or_, select

from ..accounts.access import region_visible
from ..api.body import query_id
from ..campaigns.models import Campaign
from ..extensions import db
from ..regions.models import COUNTRY_CODE, Region

BUREAU_ROLES = ("bureau", "admin")


def region_or_404(code):
    region = db.session.get(Region, code) if code and len(code) <= 6 and code.isdigit() else None
    if region is None or not region_visible(current_user, region.code):
        abort(404)
    return region


def campaigns_for(region):
    """The weeks that concern a region: the national ones, its province's, its city's, and those
    held inside it."""
    code = region.code
    return db.session.scalars(
        select(Campaign)
        .where(or_(Campaign.region_code.in_({COUNTRY_CODE, code[:2] + "0000", code[:4] + "00", code}),
                   Campaign.region_code.like(region.prefix + "%")))
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    ).all()


def pick_campaign(region, campaigns=None):
    """?campaign=ID (or campaign_id) if it concerns the region (else 404); otherwise the week running today,
    else the latest one. None when the region has no campaign at all."""
    campaigns = campaigns if campaigns is not None else campaigns_for(region)
    # ?campaign= as the pages link it; ?campaign_id= as in the API's URLs.
    wanted = query_id("campaign") or query_id("campaign_id")
    if wanted is not None:
        chosen = next((c for c in campaigns if c.id == wanted), None)
        if chosen is None:
            abort(404)
        return chosen
    for campaign in campaigns:
        if campaign.starts_on <= datetime.now(campaign.zone).date() <= campaign.ends_on:
            return campaign
    return campaigns[0] if campaigns else None


def breadcrumbs(region):
    """The region's ancestors that the user may see, outermost first, then the region."""
    trail = [region]
    while trail[0].parent_code:
        parent = db.session.get(Region, trail[0].parent_code)
        if parent is None or not region_visible(current_user, parent.code):
            break
        trail.insert(0, parent)
    if trail[0].level == "province" and region_visible(current_user, COUNTRY_CODE):
        trail.insert(0, db.session.get(Region, COUNTRY_CODE))  # provinces have no parent row
    return trail
