"""Bearer-token authentication for the JSON API."""
from functools import wraps

from flask import g, request
from flask_babel import gettext as _

from ..accounts import tokens
from ..errors import ApiError


def bearer_secret():
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def authenticate(read_only_ok=False):
    """Sets g.api_user and g.api_token from the Authorization header, or raises 401.
    A read-only token may only read, except where `read_only_ok` (signing itself out)."""
    token = tokens.find_token(bearer_secret())
    if token is None:
        raise ApiError(401, "invalid_token", _("A valid API token is required."),
                       headers={"WWW-Authenticate": 'Bearer realm="lwpwa"'})
    if token.read_only and not read_only_ok and request.method not in ("GET", "HEAD", "OPTIONS"):
        raise ApiError(403, "read_only_token", _("This token may only read."))
    tokens.touch(token)
    g.api_token = token
    g.api_user = token.user
    return token.user


def token_required(*roles, read_only_ok=False):
    """Require a valid token, and one of `roles` if any are given (else 403 forbidden_role)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = authenticate(read_only_ok=read_only_ok)
            if roles and user.role not in roles:
                raise ApiError(403, "forbidden_role", _("Your role may not do this."))
            return view(*args, **kwargs)

        wrapper.required_roles = roles
        return wrapper

    return decorator
