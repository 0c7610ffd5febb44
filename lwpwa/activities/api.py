"""Activities: planned by a unit's site lead, listed for whoever may see them."""
from flask import Blueprint, g, jsonify

from ..accounts.access import visible_activity_or_404
from ..api.auth import token_required
from ..api.body import json_body
from . import service
from .declarations import ActivityListQuery

bp = Blueprint("activities_api", __name__, url_prefix="/api/v1")


@bp.post("/activities")
@token_required("site_lead", "admin")
def create():
    activity = service.create_activity(g.api_user, json_body())
    return jsonify(service.activity_to_json(activity)), 201


@bp.get("/activities")
@token_required()
def index():
    activities = service.list_activities(g.api_user, **ActivityListQuery.from_request().values())
    return jsonify([service.activity_to_json(a) for a in activities])


@bp.get("/activities/<int:activity_id>")
@token_required()
def show(activity_id):
    return jsonify(service.activity_to_json(visible_activity_or_404(g.api_user, activity_id)))


@bp.patch("/activities/<int:activity_id>")
@token_required("site_lead", "admin")
def update(activity_id):
    activity = visible_activity_or_404(g.api_user, activity_id)
    service.update_activity(g.api_user, activity, json_body())
    return jsonify(service.activity_to_json(activity))
