"""JSON behind the dashboards' maps: a region's children with their figures, and their outlines.

The page carries no figures in script: static/js/region-map.js reads the URL of `map.json` from
the map's data attribute (CSP: no inline script), fetches both documents and draws the map."""
from flask import Blueprint, Response, abort, jsonify, url_for
from sqlalchemy import select

from ..bureau.scope import BUREAU_ROLES, pick_campaign, region_or_404
from ..extensions import db
from ..regions.models import COUNTRY_CODE, Region
from ..reports import service
from ..reports.counts import counted_activities
from ..web.access import role_required
from . import boundaries

bp = Blueprint("maps", __name__, url_prefix="/region")

CHILD_LEVEL = {"country": "province", "province": "city", "city": "district"}


def children_of(region):
    """The current regions one level below `region` (the country's children are the provinces)."""
    query = select(Region).where(Region.current.is_(True)).order_by(Region.code)
    if region.code == COUNTRY_CODE:
        return db.session.scalars(query.where(Region.level == "province")).all()
    return db.session.scalars(query.where(Region.parent_code == region.code)).all()


def map_figures(campaign, region):
    """{"children": rows of every child region, "direct": rows of units above the children}."""
    level = CHILD_LEVEL[region.level]
    ids = counted_activities(campaign.id, region_code=region.code)
    codes = {child.code for child in children_of(region)}
    rows = service.child_region_rows(region, ids, level)
    return {"children": [row for row in rows if row["key"] in codes],
            "direct": [row for row in rows if row["key"] not in codes]}


@bp.get("/<code>/map.json")
@role_required(*BUREAU_ROLES)
def map_data(code):
    region = region_or_404(code)
    if region.level not in CHILD_LEVEL:
        abort(404)
    campaign = pick_campaign(region)
    if campaign is None:
        abort(404)
    figures = map_figures(campaign, region)
    response = jsonify({
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "campaign_id": campaign.id, "child_level": CHILD_LEVEL[region.level],
        "boundaries_url": url_for(".boundaries_json", code=region.code),
        **figures,
    })
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/<code>/boundaries.json")
@role_required(*BUREAU_ROLES)
def boundaries_json(code):
    region = region_or_404(code)
    if region.level not in CHILD_LEVEL:
        abort(404)

    def grandchildren(child):
        return [r.code for r in children_of(child)]

    text = boundaries.cached(region, children_of(region), grandchildren)
    response = Response(text, mimetype="application/geo+json")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
