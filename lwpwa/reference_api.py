"""Public reference data: themes, activity forms, campaigns and regions."""
from flask import Blueprint, jsonify
from sqlalchemy import select

from .activities.models import ActivityForm, Theme
from .campaigns.declarations import CampaignListQuery
from .campaigns.models import Campaign
from .extensions import db
from .regions.declarations import RegionListQuery
from .regions.models import COUNTRY_CODE, Region

bp = Blueprint("reference_api", __name__, url_prefix="/api/v1")


@bp.get("/themes")
def themes():
    rows = db.session.scalars(select(Theme).order_by(Theme.position))
    return jsonify([{"key": t.key, "label": t.label} for t in rows])


@bp.get("/forms")
def forms():
    rows = db.session.scalars(select(ActivityForm).order_by(ActivityForm.position))
    return jsonify([{"key": f.key, "label": f.label} for f in rows])


@bp.get("/campaigns")
def campaigns():
    region = CampaignListQuery.from_request().region
    query = select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    if region:
        query = query.where(Campaign.region_code == region)
    return jsonify([c.to_json() for c in db.session.scalars(query)])


@bp.get("/regions")
def regions():
    parent = RegionListQuery.from_request().parent
    query = select(Region).where(Region.current.is_(True)).order_by(Region.code)
    if parent and parent != COUNTRY_CODE:
        query = query.where(Region.parent_code == parent)
    else:  # the provinces, municipalities and autonomous regions: the country's children
        query = query.where(Region.level == "province")
    return jsonify([{"code": r.code, "name": r.name, "level": r.level} for r in db.session.scalars(query)])
