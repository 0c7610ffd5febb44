from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

MODES = ("offline", "online", "hybrid")


class Theme(db.Model):
    """One of the nine columns of the statistics table, labelled exactly as the notice."""

    __tablename__ = "themes"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(unique=True)

    def __repr__(self):
        return f"<Theme {self.key}>"


class ActivityForm(db.Model):
    """活动形式: lecture, training, visit … as the table's note lists them."""

    __tablename__ = "activity_forms"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(unique=True)

    def __repr__(self):
        return f"<ActivityForm {self.key}>"


class Activity(db.Model):
    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_org_campaign", "org_id", "campaign_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    theme: Mapped[str] = mapped_column(ForeignKey("themes.key"))
    name: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    form: Mapped[str] = mapped_column(ForeignKey("activity_forms.key"))
    mode: Mapped[str] = mapped_column(String(16), default="offline")
    venue: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    news_links: Mapped[list] = mapped_column(JSON, default=list)
    courses: Mapped[list] = mapped_column(JSON, default=list)
    capacity: Mapped[int | None]
    is_cancelled: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaign = relationship("Campaign")
    org = relationship("Org")

    def __repr__(self):
        return f"<Activity {self.id} {self.name}>"
