"""The photos API: phones upload each photo in its own request, resumable by the photo's id."""
import base64
import binascii

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _

from ..accounts.access import can_record_into, visible_activity_or_404
from ..api.auth import token_required
from ..api.body import json_body
from ..api.spec import UNIT_WRITERS
from ..errors import ValidationError, not_found
from . import photos
from .models import MAX_PHOTOS_PER_ACTIVITY

bp = Blueprint("evidence_api", __name__, url_prefix="/api/v1")


def recordable_activity_or_404(activity_id):
    activity = visible_activity_or_404(g.api_user, activity_id)
    if not can_record_into(g.api_user, activity):
        raise not_found()
    return activity


def upload_fields():
    """(id, taken_at, bytes) from multipart/form-data (`id`, `taken_at`, `file`), or from a JSON
    body with the file as base64 in `data` (for clients without multipart)."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        return request.form.get("id"), request.form.get("taken_at"), upload.read() if upload else None
    body = json_body()
    encoded = body.get("data")
    data = None
    if encoded is not None:
        try:
            data = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else None
        except (binascii.Error, ValueError):
            data = None
        if data is None:
            raise ValidationError({"data": _("Must be the file in base64.")})
    return body.get("id"), body.get("taken_at"), data


@bp.post("/activities/<int:activity_id>/photos")
@token_required(*UNIT_WRITERS)
def upload(activity_id):
    activity = recordable_activity_or_404(activity_id)
    client_id, taken_at, data = upload_fields()
    photo, created = photos.store_photo(g.api_user, activity, client_id, taken_at, data)
    return jsonify(photo.to_json()), 201 if created else 200


@bp.get("/activities/<int:activity_id>/photos")
@token_required(*UNIT_WRITERS)
def index(activity_id):
    activity = recordable_activity_or_404(activity_id)
    return jsonify({"activity_id": activity.id, "limit": MAX_PHOTOS_PER_ACTIVITY,
                    "photos": [photo.to_json() for photo in photos.activity_photos(activity.id)]})
