"""Photos, handed-in evidence packages and plans. Files live on disk (storage.py); rows hold
where, how large and their SHA-256, so that anyone holding a file can have it checked."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

MAX_PHOTOS_PER_ACTIVITY = 20
PLAN_KINDS = ("docx", "pdf")


class Photo(db.Model):
    """One activity photo taken on a phone. `client_id` is made on the phone, so a resend is
    recognised (unique) and uploads nothing twice; `slot` 1..20 is unique per activity, so no
    race can store a 21st photo; a removed photo keeps its row (and id) but frees its slot."""

    __tablename__ = "evidence_photos"
    __table_args__ = (
        UniqueConstraint("activity_id", "slot", name="uq_evidence_photos_activity_slot"),
        CheckConstraint(f"slot BETWEEN 1 AND {MAX_PHOTOS_PER_ACTIVITY}", name="slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), unique=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    slot: Mapped[int | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    in_package: Mapped[bool] = mapped_column(default=False)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    activity = relationship("Activity")

    @property
    def status(self):
        return "removed" if self.removed_at else "stored"

    def to_json(self):
        return {"id": self.client_id, "activity_id": self.activity_id, "status": self.status,
                "taken_at": self.taken_at.isoformat() if self.taken_at else None,
                "uploaded_at": self.uploaded_at.isoformat(), "sha256": self.sha256,
                "size_bytes": self.size_bytes, "width": self.width, "height": self.height,
                "in_package": self.in_package}


class EvidencePackage(db.Model):
    """A unit's evidence package as handed in to its bureau: one frozen ZIP per hand-in, built
    from the latest submitted table version; the newest one is what the bureau downloads."""

    __tablename__ = "evidence_packages"
    __table_args__ = (Index("ix_evidence_packages_org_campaign", "org_id", "campaign_id", "handed_in_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    case_activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    handed_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handed_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    photo_count: Mapped[int] = mapped_column(default=0)

    org = relationship("Org")
    submission = relationship("Submission")


class Plan(db.Model):
    """A 实施方案 of a unit (`org_id`) or a bureau (`region_code`) for a campaign, one per kind
    (the Shanxi notice asks for Word and PDF); uploading again replaces it. `owner` is
    "org:<id>" or "region:<code>", so one unique constraint covers both."""

    __tablename__ = "evidence_plans"
    __table_args__ = (UniqueConstraint("campaign_id", "owner", "kind", name="uq_evidence_plans_owner_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    owner: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    kind: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the first file of this kind came: on time or late is decided by it, not by a correction.
    first_uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
