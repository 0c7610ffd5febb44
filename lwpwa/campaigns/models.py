from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class Campaign(db.Model):
    """One year's activity week for a province (or a city): dates, due dates, time zone."""

    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("region_code", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slogan: Mapped[str | None] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    # A province's week held under a national one (region 000000): the national figures count both.
    # (No foreign key in the schema: see migration 0008. create-campaign checks it.)
    parent_id: Mapped[int | None] = mapped_column(index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    plan_due_on: Mapped[date | None]
    report_due_on: Mapped[date | None]
    notice: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self):
        return f"<Campaign {self.id} {self.title}>"

    @property
    def zone(self):
        return ZoneInfo(self.timezone)

    def to_json(self):
        return {
            "id": self.id,
            "title": self.title,
            "slogan": self.slogan,
            "region_code": self.region_code,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "plan_due_on": self.plan_due_on.isoformat() if self.plan_due_on else None,
            "report_due_on": self.report_due_on.isoformat() if self.report_due_on else None,
            "timezone": self.timezone,
            "parent_id": self.parent_id,
        }
