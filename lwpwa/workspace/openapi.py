"""OpenAPI entries of pairing a phone (see lwpwa/api/openapi.py, which merges them)."""
from ..api.spec import BAD_BODY, PUBLIC, RATE_LIMITED, TOO_LARGE, error, ok, operation, ref
from .declarations import PairRequest

SCHEMAS = {}

OPERATIONS = [
    operation(
        "POST", "/auth/pair", "pairDevice", tag="Auth", security=PUBLIC,
        summary="Exchange a pairing code for a bearer token",
        description="A site lead shows a pairing QR for one volunteer (web page /unit/volunteers). "
                    "The scanner app reads it and posts the text here; the answer is a token of "
                    "that volunteer, like POST /auth/token, so volunteers need no password on "
                    "site. A code expires 10 minutes after it was made and works once: of two "
                    "devices sending the same code, exactly one gets a token. Rate limited: 60 "
                    "requests a minute per address.",
        body=PairRequest,
        responses={201: ok("The new token and its user.", ref("TokenResponse")),
                   400: BAD_BODY,
                   401: error("The code is unknown, expired or already used, or its volunteer "
                              "was deactivated.", "invalid_pairing_code"),
                   413: TOO_LARGE, 429: RATE_LIMITED}),
]
