"""Pairing a volunteer's phone: the site lead shows a QR holding `LWPAIR:<secret>`; the PWA
scans it and exchanges it for a bearer token (POST /api/v1/auth/pair).

The secret has 256 random bits and is stored only as its SHA-256; it expires after ten minutes
and works once: it is claimed by one `UPDATE … WHERE used_at IS NULL`, so of two phones racing
with the same code exactly one wins.
"""
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from ..accounts import tokens
from ..accounts.models import PairingCode, User
from ..database import utcnow
from ..extensions import db

PREFIX = "LWPAIR:"
LIFETIME = timedelta(minutes=10)


def create_code(volunteer, created_by, now=None):
    """A new pairing code for `volunteer`; returns (payload for the QR, PairingCode)."""
    secret = secrets.token_urlsafe(32)
    now = now or utcnow()
    code = PairingCode(code_hash=tokens.digest(secret), user_id=volunteer.id, created_by_id=created_by.id,
                       created_at=now, expires_at=now + LIFETIME)
    db.session.add(code)
    db.session.flush()
    return PREFIX + secret, code


def secret_of(payload):
    """The secret of a scanned payload (`LWPAIR:…`) or of a bare secret; None if malformed."""
    if not isinstance(payload, str):
        return None
    payload = payload.strip()
    if payload.startswith(PREFIX):
        payload = payload[len(PREFIX):]
    if not 20 <= len(payload) <= 100:
        return None
    return payload


def redeem(payload, device_name=None, now=None):
    """Exchange a pairing code for a token: (secret, ApiToken, user), or None if the code is
    unknown, expired, already used, or its volunteer is no longer active."""
    secret = secret_of(payload)
    if secret is None:
        return None
    now = now or utcnow()
    code_hash = tokens.digest(secret)
    claimed = db.session.execute(
        update(PairingCode)
        .where(PairingCode.code_hash == code_hash, PairingCode.used_at.is_(None), PairingCode.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return None
    code = db.session.scalar(select(PairingCode).where(PairingCode.code_hash == code_hash))
    user = db.session.get(User, code.user_id)
    if user is None or not user.is_active:
        return None
    token_secret, token = tokens.issue_token(user, name=device_name or "paired phone")
    code.token_id = token.id
    db.session.flush()
    return token_secret, token, user
