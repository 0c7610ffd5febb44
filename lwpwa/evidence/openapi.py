"""OpenAPI entries of the photos API (see lwpwa/api/openapi.py, which merges them)."""
from ..api.spec import (BAD_BODY, COUNT, DATE_TIME, NOT_VISIBLE, UNIT_WRITERS, array, declared_body, error,
                        forbidden_role, nullable, obj, ok, operation, path_id, ref, text)
from .declarations import PhotoUploadForm, PhotoUploadJson
from .models import MAX_PHOTOS_PER_ACTIVITY

UUID = {"type": "string", "format": "uuid", "description": "Made on the device; a resend uses the same id."}

SCHEMAS = {
    "Photo": obj({
        "id": UUID,
        "activity_id": {"type": "integer"},
        "status": {"type": "string", "enum": ["stored", "removed"],
                   "description": "`removed`: the site lead removed it; its id stays known, so a "
                                  "resend still uploads nothing."},
        "taken_at": nullable(DATE_TIME),
        "uploaded_at": DATE_TIME,
        "sha256": text(64, description="SHA-256 of the stored file (hex)."),
        "size_bytes": COUNT, "width": COUNT, "height": COUNT,
        "in_package": {"type": "boolean", "description": "Chosen by the site lead for the evidence package."},
    }, required=("id", "activity_id", "status", "uploaded_at", "sha256", "size_bytes", "width",
                 "height", "in_package")),
    "PhotoList": obj({"activity_id": {"type": "integer"}, "limit": COUNT, "photos": array(ref("Photo"))},
                     required=("activity_id", "limit", "photos")),
}

UPLOAD = operation(
    "POST", "/activities/{activity_id}/photos", "uploadActivityPhoto", tag="Photos", roles=UNIT_WRITERS,
    summary="Upload one activity photo (evidence), exactly once by its id",
    description=(
        "One photo per request, as multipart/form-data (`id`, `taken_at`, `file`) or as JSON with "
        "the file in base64 (`data`). The content must be an image (JPEG, PNG, WebP, GIF, BMP: "
        "checked by content, not by name), else 415 `not_an_image`. The server turns it upright, "
        f"scales it to at most 1600 px and re-encodes it as JPEG without any metadata (EXIF, GPS). "
        f"At most {MAX_PHOTOS_PER_ACTIVITY} photos per activity (409 `too_many_photos`). "
        "Resending an id already stored answers 200 with the stored photo and writes nothing; "
        "an id used for another activity answers 409 `id_conflict`. Photos are never shown "
        "above the unit except inside an evidence package the unit hands in."),
    parameters=[path_id("activity_id", "The activity (of the caller's unit).")],
    body=PhotoUploadJson,
    responses={201: ok("Stored.", ref("Photo")), 200: ok("Already stored under this id: nothing written.", ref("Photo")),
               400: BAD_BODY, 403: forbidden_role(UNIT_WRITERS), 404: NOT_VISIBLE,
               409: error("Too many photos, or the id belongs to another activity.",
                          "too_many_photos", "id_conflict", "conflict"),
               413: error("The file is larger than the server accepts (MAX_CONTENT_LENGTH).", "too_large"),
               415: error("Not an image.", "not_an_image")})
# The same body as multipart/form-data, which is what the PWA sends.
UPLOAD[2]["requestBody"]["content"]["multipart/form-data"] = {"schema": declared_body(PhotoUploadForm)}

OPERATIONS = [
    UPLOAD,
    operation(
        "GET", "/activities/{activity_id}/photos", "listActivityPhotos", tag="Photos", roles=UNIT_WRITERS,
        summary="The photos stored for an activity (not the removed ones)",
        description="For the unit's volunteers and site leads: which ids the server has, so a phone "
                    "can tell what is uploaded. Bureaus never see a unit's photos here.",
        parameters=[path_id("activity_id", "The activity (of the caller's unit).")],
        responses={200: ok("The photos.", ref("PhotoList")), 403: forbidden_role(UNIT_WRITERS),
                   404: NOT_VISIBLE}),
]
