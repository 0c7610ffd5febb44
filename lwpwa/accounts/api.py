"""POST/DELETE /api/v1/auth/token: devices and scripts exchange a password for a token."""
from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..api.auth import token_required
from ..errors import ApiError, not_found
from ..extensions import db, limiter
from . import tokens
from .declarations import TokenRequest
from .models import User
from .passwords import hash_password, needs_rehash, verify_password

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


def _username_key():
    data = request.get_json(silent=True, force=True)  # lwpwa.http.Request: never raises
    username = data.get("username") if isinstance(data, dict) else None
    return "login-user:" + (username.strip().lower()[:64] if isinstance(username, str) else "")


def _failed(response):
    return response.status_code == 401


@bp.post("/auth/token")
# A venue's Wi-Fi shares one address: generous per address, strict per username on failures.
@limiter.limit("120 per minute")
@limiter.limit("10 per 15 minutes", key_func=_username_key, deduct_when=_failed)
def create_token():
    asked = TokenRequest.from_request()
    user = authenticate_password(asked.username, asked.password)
    if user is None:
        raise ApiError(401, "invalid_credentials", _("Wrong username or password."))
    secret, _token = tokens.issue_token(user, name=asked.device_name)
    return jsonify({"token": secret, "user": user.to_json()}), 201


def authenticate_password(username, password):
    """The active user with this username and password, or None (same cost either way)."""
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


@bp.delete("/auth/token")
@token_required(read_only_ok=True)  # a bureau's read-only script token may sign itself out
def revoke_token():
    tokens.revoke(g.api_token)
    return "", 204


@bp.get("/auth/tokens")
@token_required()
def list_tokens():
    """Every live token of the caller's own account (its phones and scripts)."""
    return jsonify([tokens.token_json(t, current=g.api_token) for t in tokens.user_tokens(g.api_user)])


@bp.delete("/auth/tokens/<int:token_id>")
@token_required()
def revoke_own_token(token_id):
    token = tokens.own_token(g.api_user, token_id)
    if token is None:
        raise not_found()
    tokens.revoke(token)
    return "", 204


@bp.get("/me")
@token_required()
def me():
    return jsonify(g.api_user.to_json())
