from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db


class Submission(db.Model):
    """A unit's statistics table handed to the city bureau: a snapshot of what it said, when.

    `fingerprint` is a digest of the table's content; when the live table's fingerprint differs
    from the latest submission's, the unit shows "changed since submission".
    """

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_org_campaign", "org_id", "campaign_id", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fingerprint: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict] = mapped_column(JSON)

    org = relationship("Org")
    campaign = relationship("Campaign")

    def __repr__(self):
        return f"<Submission {self.id} org={self.org_id} campaign={self.campaign_id}>"
