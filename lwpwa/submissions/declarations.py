"""What a request about submitted tables may say: one declaration each, for the API and the
bureau's decision form alike (lwpwa.api.declare)."""
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..api.declare import Base64, Body, File, Form, Int, Query, Text, declared, refuse
from ..reports.declarations import CAMPAIGN_ID

COMMENT_LENGTH = 1000
MAX_BASE64 = 6 * 1024 * 1024

# As typed or pasted by a person: either case, spaces or a line break around it.
_TYPED_FINGERPRINT = re.compile(r"[\t\n\r ]*([0-9A-Fa-f]{64})[\t\n\r ]*\Z")


def _fingerprint(value):
    found = _TYPED_FINGERPRINT.match(value) if isinstance(value, str) else None
    if found is None:
        refuse(_("A fingerprint is 64 hexadecimal characters."))
    return found.group(1).lower()


Fingerprint = declared(_fingerprint, {
    "type": "string", "pattern": "^[\\t\\n\\r ]*[0-9A-Fa-f]{64}[\\t\\n\\r ]*$",
    "description": "The 校验码 printed on the table: 64 hexadecimal characters (either case; spaces "
                   "around it are ignored)."})


class SubmitTable(Body):
    """The campaign whose table is submitted (the unit or region is in the path)."""
    campaign_id: Int(description="The campaign (activity week); it must cover the unit or region.")


class AcceptDecision(Body):
    comment: Text(COMMENT_LENGTH, description="To the unit (optional).", or_null=None) = None


class ReturnDecision(Body):
    comment: Text(COMMENT_LENGTH, required=True, description="What the unit should correct.")


class VersionsQuery(Query):
    campaign_id: CAMPAIGN_ID


class VerifyQuery(Query):
    fingerprint: Fingerprint


class VerifyFile(Body):
    """The .xlsx to check, for clients that cannot send it as the body itself."""
    xlsx_base64: Base64(MAX_BASE64, _l("Must be base64."), description="The downloaded .xlsx, base64.")


class VerifyUpload(Form):
    """The .xlsx to check as a file part, as a browser's form sends it."""
    file: File(description="The downloaded .xlsx.")
