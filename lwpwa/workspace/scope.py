"""What a site lead may see: its own unit, the campaigns covering it, and their objects.

Anything of another unit answers 404, never 403, so that ids of other units reveal nothing.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, request
from flask_login import current_user
from sqlalchemy import select

from ..activities.models import Activity
from ..api.body import query_id
from ..campaigns.models import Campaign
from ..checkins.models import Checkin
from ..extensions import db
from ..regions.models import level_of, scope_prefix


# Ids beyond the columns' range (32-bit integers, 64-bit for check-ins) cannot exist: answer 404
# before the database driver overflows.
MAX_ID, MAX_BIG_ID = 2**31 - 1, 2**63 - 1


def id_or_404(value, maximum=MAX_ID):
    if not isinstance(value, int) or not 1 <= value <= maximum:
        abort(404)
    return value


def current_org():
    org = current_user.org
    if org is None:
        abort(404)
    return org


def unit_campaigns(org):
    """The campaigns whose region contains the unit, newest first."""
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc()))
    return [c for c in campaigns
            if org.region_code.startswith(scope_prefix(c.region_code, level_of(c.region_code)))]


def default_campaign(campaigns):
    """The campaign running today, else the next to come, else the latest one."""
    for campaign in campaigns:
        today = datetime.now(campaign.zone).date()
        if campaign.starts_on <= today <= campaign.ends_on:
            return campaign
    upcoming = [c for c in campaigns if c.starts_on > datetime.now(c.zone).date()]
    if upcoming:
        return min(upcoming, key=lambda c: c.starts_on)
    return campaigns[0] if campaigns else None


def unit_zone(org):
    """The time zone the unit's pages show times in: its current campaign's."""
    campaign = default_campaign(unit_campaigns(org))
    return campaign.zone if campaign else ZoneInfo("Asia/Shanghai")


def selected_campaign(org, campaign_id=None):
    """The campaign named by ?campaign= (404 unless it covers the unit), else the default."""
    campaigns = unit_campaigns(org)
    if campaign_id is None:
        campaign_id = query_id("campaign")
    if campaign_id is not None:
        id_or_404(campaign_id)
        for campaign in campaigns:
            if campaign.id == campaign_id:
                return campaign
        abort(404)
    campaign = default_campaign(campaigns)
    if campaign is None:
        abort(404)
    return campaign


def unit_activity_or_404(org, activity_id):
    id_or_404(activity_id)
    activity = db.session.scalar(select(Activity).where(Activity.id == activity_id,
                                                        Activity.org_id == org.id))
    if activity is None:
        abort(404)
    return activity


def unit_checkin_or_404(org, checkin_id):
    id_or_404(checkin_id, MAX_BIG_ID)
    checkin = db.session.scalar(
        select(Checkin).join(Activity, Activity.id == Checkin.activity_id)
        .where(Checkin.id == checkin_id, Activity.org_id == org.id))
    if checkin is None:
        abort(404)
    return checkin
