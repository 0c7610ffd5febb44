"""What a photo upload may say, sent as multipart/form-data (what the PWA sends) or as JSON
with the file in base64: one declaration of each, sharing their field types (lwpwa.api.declare)."""
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..api.declare import Base64, Body, File, Form, Timestamp, declared, refuse
from ..errors import ValidationError

# A version-4 id or any other of the same shape: the phone makes it, the server keeps it.
_PHOTO_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
# The largest request is MAX_CONTENT_LENGTH (4 MiB by default); base64 of that is shorter than this.
MAX_BASE64 = 6 * 1024 * 1024


def _photo_id(value):
    if not isinstance(value, str) or not _PHOTO_ID.match(value):
        refuse(_("Must be a UUID made on the device."))
    return value.lower()


PHOTO_ID = declared(_photo_id, {
    "type": "string", "format": "uuid",
    "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "description": "Made on the device; a resend uses the same id."})
TAKEN_AT = "When the photo was taken, by the phone's clock"


class PhotoUploadForm(Form):
    id: PHOTO_ID
    taken_at: Timestamp(description=TAKEN_AT + " (left out or empty: not known).") = None
    file: File(min_length=0, description="The image file.")


class PhotoUploadJson(Body):
    id: PHOTO_ID
    taken_at: Timestamp(description=TAKEN_AT + " (left out or null: not known).", or_null=None) = None
    data: Base64(MAX_BASE64, _l("Must be the file in base64."), description="The image file, base64.")

    @classmethod
    def check(cls, data):
        try:
            return super().check(data)
        except ValidationError as error:
            # No file at all is refused under the name the form gives it, however it was sent.
            if data.get("data") is None and "data" in error.fields:
                error.fields["file"] = error.fields.pop("data")
            raise
