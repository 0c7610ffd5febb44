"""What a request to sign in may say (lwpwa.api.declare)."""
from ..api.declare import Body, Secret, Text


def device_name_text(description):
    """The name a token is listed under (its column holds 100 characters); null is none."""
    return Text(100, or_null=None, description=description)


class TokenRequest(Body):
    """A username and password for a bearer token."""
    username: Text(64, required=True)
    password: Secret(256, description="Taken exactly as typed.")
    device_name: device_name_text("Shown in the list of the user's tokens.") = None
