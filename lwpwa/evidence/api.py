"""The photos API: phones upload each photo in its own request, resumable by the photo's id."""
from flask import Blueprint, g, jsonify, request

from ..accounts.access import can_record_into, visible_activity_or_404
from ..api.auth import token_required
from ..api.spec import UNIT_WRITERS
from ..errors import not_found
from . import photos
from .declarations import PhotoUploadForm, PhotoUploadJson
from .models import MAX_PHOTOS_PER_ACTIVITY

bp = Blueprint("evidence_api", __name__, url_prefix="/api/v1")


def recordable_activity_or_404(activity_id):
    activity = visible_activity_or_404(g.api_user, activity_id)
    if not can_record_into(g.api_user, activity):
        raise not_found()
    return activity


def upload_fields():
    """The declared upload: multipart/form-data (`id`, `taken_at`, `file`), or a JSON body
    with the file as base64 in `data` (for clients without multipart)."""
    if request.mimetype == "multipart/form-data":
        upload = PhotoUploadForm.from_request()
        return upload.id, upload.taken_at, upload.file
    upload = PhotoUploadJson.from_request()
    return upload.id, upload.taken_at, upload.data


@bp.post("/activities/<int:activity_id>/photos")
@token_required(*UNIT_WRITERS)
def upload(activity_id):
    activity = recordable_activity_or_404(activity_id)
    photo, created = photos.store_photo(g.api_user, activity, *upload_fields())
    return jsonify(photo.to_json()), 201 if created else 200


@bp.get("/activities/<int:activity_id>/photos")
@token_required(*UNIT_WRITERS)
def index(activity_id):
    activity = recordable_activity_or_404(activity_id)
    return jsonify({"activity_id": activity.id, "limit": MAX_PHOTOS_PER_ACTIVITY,
                    "photos": [photo.to_json() for photo in photos.activity_photos(activity.id)]})
