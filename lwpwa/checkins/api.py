"""POST /api/v1/sync (devices upload check-ins), per-activity stats, and corrections (a site
lead's void of a counted check-in, the list of an activity's corrections)."""
from flask import Blueprint, current_app, g, jsonify
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.access import visible_activity_or_404
from ..accounts.models import User
from ..activities.models import Activity
from ..api.auth import token_required
from ..database import begin_write, commit_request, takes_write_lock_late, utcnow
from ..errors import ApiError, not_found
from ..extensions import db
from . import voids
from .corrections import activity_corrections, checkin_document, correction_document
from .declarations import VoidRequest
from .items import read_request, uuid_or_none
from .models import Checkin
from .stats import activity_stats
from .sync import sync_batch

bp = Blueprint("checkins_api", __name__, url_prefix="/api/v1")


@bp.post("/sync")
@takes_write_lock_late
@token_required("volunteer", "site_lead", "admin")
def sync():
    received_at = utcnow()
    # Reading the body (declarations.SyncRequest), the shape checks and the decisions only
    # read, and the answer is built after the commit: the write lock is held for the insert
    # alone (see sync_batch).
    device_id, sent_at, items, raw_items = read_request(current_app.config["SYNC_MAX_ITEMS"])
    results = sync_batch(g.api_user, device_id, sent_at, raw_items, received_at, items=items,
                         before_write=lambda: begin_write(references_checked=True),
                         after_write=commit_request)
    summary = {"accepted": 0, "duplicate": 0, "held": 0, "rejected": 0}
    for result in results:
        # `voided` (a resend of a check-in undone since) is listed only when it occurs: the
        # four of API.md are always there.
        summary[result["status"]] = summary.get(result["status"], 0) + 1
    return jsonify({"server_time": utcnow().isoformat(), "results": results, "summary": summary})


@bp.get("/activities/<int:activity_id>/stats")
@token_required()
def stats(activity_id):
    activity = visible_activity_or_404(g.api_user, activity_id)
    return jsonify(activity_stats(activity.id))


@bp.post("/checkins/<client_id>/void")
@token_required("site_lead", "admin")
def void(client_id):
    """Void a counted check-in of the caller's unit (`client_id`: the id made on the device)."""
    checkin, activity = _unit_checkin_or_404(g.api_user, client_id)
    body = VoidRequest.from_request()
    try:
        voids.void_checkin(checkin, g.api_user, body.reason, utcnow())
    except voids.TableAccepted:
        raise ApiError(409, "table_accepted", _("The bureau accepted this unit's table: corrections "
                                                "wait until it returns the table.")) from None
    except voids.NotCounted:
        raise ApiError(409, "not_counted", _("This check-in is not counted: there is nothing to void.")) from None
    recorder = db.session.get(User, checkin.recorded_by_id) if checkin.recorded_by_id else None
    return jsonify(checkin_document(checkin, activity.campaign.zone, recorder.username if recorder else None))


def _unit_checkin_or_404(user, client_id):
    """The check-in with this device-made id in an activity of the user's unit (any unit for
    an admin); another unit's, or one refused without an activity, is not found."""
    client_id = uuid_or_none(client_id)
    row = None
    if client_id is not None:
        row = db.session.execute(select(Checkin, Activity).join(Activity, Activity.id == Checkin.activity_id)
                                 .where(Checkin.client_id == client_id)).first()
    if row is None or not (user.role == "admin" or row[1].org_id == user.org_id):
        raise not_found(_("No such check-in."))
    return row


@bp.get("/activities/<int:activity_id>/corrections")
@token_required()
def corrections(activity_id):
    activity = visible_activity_or_404(g.api_user, activity_id)
    zone = activity.campaign.zone
    return jsonify([correction_document(correction, checkin, username, zone)
                    for correction, checkin, username, _activity in activity_corrections(activity.id)])
