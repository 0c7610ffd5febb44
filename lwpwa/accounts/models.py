from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

ROLES = ("volunteer", "site_lead", "bureau", "admin")
UNIT_ROLES = ("volunteer", "site_lead")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    # Every user is also a person with a sign-in code, so volunteers on duty are scanned too.
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    display_name: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout-everywhere and password change: old session cookies stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org = relationship("Org")
    region = relationship("Region")

    def __repr__(self):
        return f"<User {self.id} {self.username} {self.role}>"

    @property
    def is_active(self):
        return self.is_active_account

    def get_id(self):
        return f"{self.id}:{self.session_version}"

    def to_json(self):
        return {
            "id": self.id,
            "username": self.username,
            "role": self.role,
            "org_id": self.org_id,
            "region_code": self.region_code,
        }


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak yields no usable token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(100))  # the device's or the script's name
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Tokens that bureaus make for their scripts only read (GET); writes answer 403.
    read_only: Mapped[bool] = mapped_column(default=False, server_default=false())

    user = relationship("User")

    def __repr__(self):
        return f"<ApiToken {self.id} user={self.user_id} {self.name!r}>"


class PairingCode(db.Model):
    """A short-lived, single-use code a site lead shows as a QR so a volunteer's phone gets a
    token without typing a password. Only the digest is stored."""

    __tablename__ = "pairing_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))

    user = relationship("User", foreign_keys=[user_id])

    def __repr__(self):
        return f"<PairingCode {self.id} user={self.user_id}>"
