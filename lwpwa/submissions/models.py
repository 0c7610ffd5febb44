from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

SUBMITTED, ACCEPTED, RETURNED = "submitted", "accepted", "returned"
STATUSES = (SUBMITTED, ACCEPTED, RETURNED)


class Submission(db.Model):
    """One numbered version of a statistics table handed upward: the record.

    A unit's table (`org_id`) goes to the bureaus above the unit; a bureau's own region table
    (`region_code`, built from its units' submitted versions) goes to the bureaus above that
    region. Exactly one of the two is set. `snapshot` is the frozen content (every activity with
    every figure of the table, the contacts, the version number) and `fingerprint` the SHA-256 of
    its canonical serialization (`submissions.freeze`): neither ever changes after the insert.
    Only `status`, `comment`, `decided_by_id` and `decided_at` do, once, when a bureau decides.

    Versions count 1, 2, … per (unit or region, campaign); the unique constraints make two
    submissions racing for the same number fail instead of both getting it.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("org_id", "campaign_id", "version", name="uq_submissions_org_campaign_version"),
        UniqueConstraint("region_code", "campaign_id", "version", name="uq_submissions_region_campaign_version"),
        CheckConstraint("(org_id IS NULL) <> (region_code IS NULL)", name="unit_or_region"),
        CheckConstraint("status IN ('submitted', 'accepted', 'returned')", name="status"),
        Index("ix_submissions_fingerprint", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=SUBMITTED, server_default=SUBMITTED)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fingerprint: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(String(1000))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org = relationship("Org")
    campaign = relationship("Campaign")
    region = relationship("Region")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    def __repr__(self):
        whose = f"org={self.org_id}" if self.org_id else f"region={self.region_code}"
        return f"<Submission {self.id} {whose} campaign={self.campaign_id} v{self.version} {self.status}>"
