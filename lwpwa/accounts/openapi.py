"""OpenAPI entries of an account's own tokens (see lwpwa/api/openapi.py, which merges them)."""
from ..api.spec import DATE_TIME, array, error, nullable, obj, ok, operation, path_id, ref, text

SCHEMAS = {
    "OwnToken": obj({
        "id": {"type": "integer", "minimum": 1},
        "name": nullable(text(100, description="The device's or script's name.")),
        "read_only": {"type": "boolean"},
        "created_at": DATE_TIME,
        "last_used_at": nullable(DATE_TIME),
        "expires_at": nullable(DATE_TIME),
        "current": {"type": "boolean", "description": "Whether this request is made with it."},
    }, required=("id", "name", "read_only", "created_at", "last_used_at", "expires_at", "current")),
}

OPERATIONS = [
    operation(
        "GET", "/auth/tokens", "listOwnTokens", tag="Auth",
        summary="The live tokens of the caller's own account",
        description="Every phone and script signed in to this account (never the secrets, which "
                    "are stored hashed), newest first. The web page /account/devices shows the same.",
        responses={200: ok("The tokens.", array(ref("OwnToken")))}),
    operation(
        "DELETE", "/auth/tokens/{token_id}", "revokeOwnToken", tag="Auth",
        summary="Revoke one of the caller's own tokens",
        description="Signs that device or script out at once. A token of another account answers "
                    "404, like one that does not exist.",
        parameters=[path_id("token_id", "The token's id, from GET /auth/tokens.")],
        responses={204: ok("Revoked."),
                   403: error("A read-only token may only revoke itself (DELETE /auth/token).",
                              "read_only_token"),
                   404: error("No such live token of this account.", "not_found")}),
]
