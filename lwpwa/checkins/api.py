"""POST /api/v1/sync (devices upload check-ins) and per-activity stats."""
from flask import Blueprint, current_app, g, jsonify
from flask_babel import gettext as _

from ..accounts.access import visible_activity_or_404
from ..api.auth import token_required
from ..api.body import Validator, json_body
from ..database import begin_write, commit_request, takes_write_lock_late, utcnow
from ..errors import ApiError
from .stats import activity_stats
from .items import parse_batch
from .sync import sync_batch

bp = Blueprint("checkins_api", __name__, url_prefix="/api/v1")


@bp.post("/sync")
@takes_write_lock_late
@token_required("volunteer", "site_lead", "admin")
def sync():
    received_at = utcnow()
    # Reading the body, the shape checks and the decisions only read, and the answer is built
    # after the commit: the write lock is held for the insert alone (see sync_batch).
    body = json_body()
    v = Validator(body)
    device_id = v.string("device_id", required=True, max_length=64)
    sent_at = v.timestamp("sent_at", required=True, bounded=False)  # not stored: any clock
    items = body.get("checkins")
    if not isinstance(items, list):
        v.fail("checkins", _("Must be a list of check-ins."))
    v.raise_if_errors()
    limit = current_app.config["SYNC_MAX_ITEMS"]
    if len(items) > limit:
        raise ApiError(413, "batch_too_large",
                       _("At most %(n)d check-ins per request; send the rest in another.", n=limit))
    parsed = parse_batch(items)
    results = sync_batch(g.api_user, device_id, sent_at, items, received_at, items=parsed,
                         before_write=lambda: begin_write(references_checked=True),
                         after_write=commit_request)
    summary = {"accepted": 0, "duplicate": 0, "held": 0, "rejected": 0}
    for result in results:
        summary[result["status"]] += 1
    return jsonify({"server_time": utcnow().isoformat(), "results": results, "summary": summary})


@bp.get("/activities/<int:activity_id>/stats")
@token_required()
def stats(activity_id):
    activity = visible_activity_or_404(g.api_user, activity_id)
    return jsonify(activity_stats(activity.id))
