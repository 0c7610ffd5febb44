from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

AGE_GROUPS = ("under_14", "14_17", "18_59", "60_plus")


class Resident(db.Model):
    """A person who signs in: self-registered, a printed card, or a user's own code.

    Personal fields are optional and erasable; check-ins point here, so erasing a person's
    data never changes a count.
    """

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # registration | card | user
    display_name: Mapped[str | None] = mapped_column(String(64))
    age_group: Mapped[str | None] = mapped_column(String(16))
    community: Mapped[str | None] = mapped_column(String(100))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), index=True)  # card issuer
    key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    guardian_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    codes = relationship("SignInCode", back_populates="resident", order_by="SignInCode.id")

    def __repr__(self):
        return f"<Resident {self.id} {self.source}>"


class SignInCode(db.Model):
    """The text a QR code holds: random, no personal data, revocable and reissuable."""

    __tablename__ = "sign_in_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    is_revoked: Mapped[bool] = mapped_column(default=False)
    # Both indexed: the scanners' code filter reads what changed since its last version.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    resident = relationship("Resident", back_populates="codes")

    def __repr__(self):
        return f"<SignInCode {self.code} revoked={self.is_revoked}>"
