from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import BigId, UTCDateTime
from ..extensions import db

KINDS = ("attendee", "volunteer")
# `voided`: was accepted, then undone by a correction (see Correction); never counted again.
STATUSES = ("accepted", "duplicate", "held", "rejected", "voided")
REJECT_REASONS = (
    "invalid",
    "unknown_code",
    "revoked_code",
    "unknown_activity",
    "forbidden_activity",
    "void_not_allowed",
)
# Where a correction came from: the phone's undo (a sync item of kind `void`), or a site lead
# (web page or API).
CORRECTION_SOURCES = ("phone", "site_lead")


class Checkin(db.Model):
    """One item a device sent: counted or not, it is kept, with both clocks, for audit.

    Exactly-once is enforced by the database, not by reading first: `client_id` is unique, and
    at most one accepted row exists per (activity, kind, person, day).

    Few indexes, on purpose: a sync inserts hundreds of rows at once, and an index whose key is
    random in insert order costs a page write per row. `client_id` (time-ordered version 7
    UUIDs from the scanner), (activity_id, status) and recorded_by_id grow at their ends; only
    the one-count-per-person index is random, and it also serves look-ups by person.
    """

    __tablename__ = "checkins"
    __table_args__ = (
        Index(
            "uq_checkins_counted_person_day",
            "resident_id", "day", "kind", "activity_id",
            unique=True,
            sqlite_where=text("status = 'accepted' AND resident_id IS NOT NULL"),
            postgresql_where=text("status = 'accepted' AND resident_id IS NOT NULL"),
        ),
        Index("ix_checkins_activity_status", "activity_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Made on the device; NULL only for items so malformed that they had no usable id.
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    device_id: Mapped[str | None] = mapped_column(String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    kind: Mapped[str | None] = mapped_column(String(16))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("sign_in_codes.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    headcount: Mapped[int | None]
    device_scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # as the phone said
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # corrected by clock error
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    day: Mapped[date | None]  # local day of scanned_at in the campaign's time zone
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    # What the device sent, kept only for rejected items (trimmed), so audits can see it.
    raw: Mapped[str | None] = mapped_column(String(500))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_note: Mapped[str | None] = mapped_column(String(200))  # why a held item was decided

    def __repr__(self):
        return f"<Checkin {self.client_id} {self.status}>"


class CheckinCount(db.Model):
    """The counts of one activity, kind and local day, kept in step with `checkins` by every
    write that makes a row `accepted`, in the same transaction (sync: store.py; review:
    workspace/review.py; both through counters.py). Reports read these few rows instead of
    aggregating millions of check-ins; `flask --app wsgi recount` compares them with the
    aggregate of `checkins` and can rebuild them.

    `scanned`: accepted rows naming a person (the partial unique index
    `uq_checkins_counted_person_day` makes them distinct (person, day) pairs); `headcount`: the
    sum of accepted tallies. BIGINT for `headcount`: tallies of up to 10,000 each could pass an
    INTEGER's 2^31 on PostgreSQL, and the upsert would then fail every later sync of that day.
    """

    __tablename__ = "checkin_counts"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    scanned: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    headcount: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))

    def __repr__(self):
        return f"<CheckinCount {self.activity_id} {self.kind} {self.day} {self.scanned}+{self.headcount}>"


class Correction(db.Model):
    """A void: a counted check-in undone. The check-in itself is never edited but for its status
    (accepted -> voided, in the same transaction as this row and the counts); this row says who,
    when and why, and points at it (`checkin_id`).

    From a phone, it is the sync item of kind `void`: `client_id` is its id (unique, so a resend
    answers `status`/`reason` as stored, also when it was refused: `rejected` rows name the id
    they asked for in `target_client_id` and may point at nothing). From a site lead, it has no
    `client_id`, is always `accepted`, and `note` says why.
    """

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    checkin_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("checkins.id"), index=True)
    target_client_id: Mapped[str | None] = mapped_column(String(36))
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(String(16))
    device_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # the answer: accepted, duplicate, rejected
    reason: Mapped[str | None] = mapped_column(String(32))  # void_not_allowed
    note: Mapped[str | None] = mapped_column(String(200))  # why (a site lead's reason)
    device_made_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # as the phone said
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)  # corrected by clock error, or now
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self):
        return f"<Correction {self.client_id or self.id} {self.status} of {self.checkin_id}>"
