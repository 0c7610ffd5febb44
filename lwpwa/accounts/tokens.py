"""Bearer tokens: random, shown once, stored as SHA-256, revocable, with an expiry."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..database import holds_write_lock, utcnow, writer_turn
from ..extensions import db
from .models import ApiToken, User

# Writing last_used_at on every request would serialize readers behind one writer lock.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def digest(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(user, name=None, lifetime_days=None):
    """Create a token for `user`; returns (secret, ApiToken). Only the digest is stored."""
    secret = "lw_" + secrets.token_urlsafe(32)
    days = lifetime_days if lifetime_days is not None else current_app.config["TOKEN_LIFETIME_DAYS"]
    token = ApiToken(
        user=user,
        token_hash=digest(secret),
        name=(name or "")[:100] or None,
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    db.session.add(token)
    db.session.flush()
    return secret, token


def find_token(secret):
    """The live token and its active user for `secret`, or None."""
    if not secret or len(secret) > 200:
        return None
    # The user in the same query: every API request needs both.
    token = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.user))
                              .where(ApiToken.token_hash == digest(secret)))
    now = utcnow()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if not token.user.is_active:
        return None
    return token


def touch(token):
    """Record when a token was last used, at most every few minutes."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    if holds_write_lock():
        token.last_used_at = now
        return
    # A request that only read so far must not turn its snapshot into a write (SQLite refuses
    # that when another writer committed meanwhile): write in a short transaction of its own.
    with writer_turn(db.engine), db.engine.begin() as connection:
        connection.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    set_committed_value(token, "last_used_at", now)


def revoke(token):
    token.revoked_at = token.revoked_at or utcnow()


def revoke_all(user: User):
    for token in user_tokens(user):
        revoke(token)


def user_tokens(user):
    """The user's live tokens (not revoked, not expired), newest first."""
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                               (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > utcnow()))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def own_token(user, token_id):
    """The live token `token_id` if it is `user`'s own, else None (the caller answers 404)."""
    if not isinstance(token_id, int) or not 0 < token_id < 2**31:
        return None
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return None
    return token


def token_json(token, current=None):
    return {
        "id": token.id,
        "name": token.name,
        "read_only": bool(token.read_only),
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "current": current is not None and token.id == current.id,
    }
