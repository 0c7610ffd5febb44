"""What a phone's pairing request may say (lwpwa.api.declare)."""
from ..accounts.declarations import device_name_text
from ..api.declare import Body, Text


class PairRequest(Body):
    """A scanned pairing code for a bearer token."""
    code: Text(120, required=True, description="What the site lead's pairing QR holds: "
                                               "`LWPAIR:<secret>` (the bare secret is accepted too).")
    device_name: device_name_text("Shown in the site lead's list of paired devices.") = None
