"""Tables of the anomaly flags (see lwpwa/flags/__init__.py for the design)."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db

KINDS = ("two_places", "same_audience", "replay", "tally_share", "over_capacity", "late_entry",
         "after_hours", "volunteer_ratio", "far_approved", "changed_after_submission")
STATUSES = ("open", "explained", "reviewed")


class Flag(db.Model):
    """One anomaly of a campaign, kept while its rule holds and after (then `active` is false),
    with the unit's explanation and the bureau's review. `key` names what it is about (the
    rule and the activities, device or account), so that recomputing finds the same row."""

    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),
                      Index("ix_flags_campaign_org", "campaign_id", "org_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))  # the unit that answers for it
    activity_ids: Mapped[list] = mapped_column(JSON, default=list)
    device_ids: Mapped[list] = mapped_column(JSON, default=list)
    account_ids: Mapped[list] = mapped_column(JSON, default=list)
    count: Mapped[int] = mapped_column(default=0)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # counts, times, ids; the thresholds used
    active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    status: Mapped[str] = mapped_column(String(16), default="open", server_default=text("'open'"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    explanation: Mapped[str | None] = mapped_column(Text)
    explained_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    explained_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self):
        return f"<Flag {self.id} {self.key} {self.count}>"


class FlagActivity(db.Model):
    """Which activities a flag concerns: the site leads of their units see it, and recomputing
    a unit replaces the flags linked to its activities."""

    __tablename__ = "flag_activities"

    flag_id: Mapped[int] = mapped_column(ForeignKey("flags.id"), primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), primary_key=True, index=True)


class FlagEvent(db.Model):
    """A flag's history: raised, changed, cleared, raised again, explained, reviewed."""

    __tablename__ = "flag_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("flags.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    count: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)


class FlagDirty(db.Model):
    """Activities whose flags must be recomputed: marked by the writes of check-ins and of
    activities, in their transaction (one upsert that bumps `version`); cleared by the
    recomputation only if `version` is still the one it read."""

    __tablename__ = "flag_dirty"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), primary_key=True)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))


class FlagThresholds(db.Model):
    """A campaign's thresholds where the province changed the defaults (thresholds.py)."""

    __tablename__ = "flag_thresholds"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ActivityEdit(db.Model):
    """One change to a field a figure depends on (times, capacity, venue, mode, form,
    cancellation), with whether it came after the first counted scan or after the unit
    submitted its table."""

    __tablename__ = "activity_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    field: Mapped[str] = mapped_column(String(32))
    old: Mapped[str | None] = mapped_column(String(200))
    new: Mapped[str | None] = mapped_column(String(200))
    after_first_scan: Mapped[bool] = mapped_column(default=False)
    after_submission: Mapped[bool] = mapped_column(default=False)
