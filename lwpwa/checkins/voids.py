"""Corrections: undoing a counted check-in or tally, exactly once, the counts in the same
transaction.

A counted check-in is never edited or deleted. A void changes its status from `accepted` to
`voided` by one conditional `UPDATE ... WHERE status = 'accepted'`: of any number of
transactions voiding one check-in at once, only the one whose UPDATE changed the row (rowcount
1, here the row it RETURNs) takes its share off `checkin_counts` (counters.Counts.remove); the
others find it voided. Each void is also a row of `corrections` (who, when, why, and which
check-in), written in the same savepoint as the UPDATE: when that row loses at its unique
`client_id` (the same undo stored meanwhile by another request), the UPDATE is rolled back with
it and the stored answer is given instead.

Two ways in:
- the phone's undo, a sync item `{"id", "kind": "void", "voids", "scanned_at"}` (sync.py decides
  it in the batch's order, here: `decide`, then `void_stored` and `settle_in_batch` in the write
  phase): only the same user's item, made at most VOID_WINDOW before the undo's corrected time,
  and not once the unit's table is accepted by its bureau;
- a site lead's (or admin's) void with a reason, from the web page or the API (`void_checkin`).

Once voided, a check-in no longer holds the one-count-per-person index (it counts only
`accepted` rows): the same person may be counted again that day by a later scan.
"""
from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..activities.models import Activity
from ..extensions import db
from ..submissions.locks import table_accepted
from .counters import Counts
from .items import ACCEPTED, DUPLICATE, REJECTED, VOIDED
from .models import Checkin, Correction
from .store import as_utc, driver_query

VOID_WINDOW = timedelta(minutes=15)
# An undo may carry a time a little before its target's: the two may come in two batches, each
# corrected by its own clock error, and those differ by the network's delay.
CLOCK_SLACK = timedelta(minutes=1)
NOT_ALLOWED = "void_not_allowed"

CHECKINS = Checkin.__table__
CORRECTIONS = Correction.__table__


class NotCounted(Exception):
    """The check-in is not (or no longer) counted: nothing to void."""


class TableAccepted(Exception):
    """The unit's table is accepted by its bureau: no correction until it is returned."""


class Target(NamedTuple):
    """A stored check-in that a void names."""

    id: int
    client_id: str
    status: str
    recorded_by_id: int | None
    scanned_at: object
    activity_id: int | None
    org_id: int | None
    campaign_id: int | None


_TARGETS_SQL = ("SELECT c.id, c.client_id, c.status, c.recorded_by_id, c.scanned_at, c.activity_id,"
                " a.org_id, a.campaign_id FROM checkins c LEFT JOIN activities a ON a.id = c.activity_id")


def lookup_targets(client_ids):
    """{client_id: Target} of the stored check-ins with these ids."""
    if not client_ids:
        return {}
    rows = driver_query(_TARGETS_SQL, "c.client_id", client_ids)
    return {row[1]: Target(row[0], row[1], row[2], row[3], as_utc(row[4]), *row[5:]) for row in rows}


def stored_void_answers(client_ids):
    """{client_id: (status, reason)} of the undos stored with these ids."""
    if not client_ids:
        return {}
    rows = driver_query("SELECT client_id, status, reason FROM corrections", "client_id", client_ids)
    return {client_id: (status, reason) for client_id, status, reason in rows}


class TableLocks(dict):
    """table_accepted, asked once per (unit, campaign) in a batch."""

    def accepted(self, org_id, campaign_id):
        key = (org_id, campaign_id)
        if key not in self:
            self[key] = org_id is not None and bool(table_accepted(org_id, campaign_id))
        return self[key]


def _in_window(target_time, void_time):
    if target_time is None or void_time is None:
        return False
    return target_time - CLOCK_SLACK <= void_time <= target_time + VOID_WINDOW


def decide(item, earlier_items, targets, user, places, tables, voided_ids, claimed_keys):
    """Decide a void in the batch's order, before the write phase. `earlier_items`: the items
    of this batch decided so far, by id; `targets`: the stored check-ins it may name. A void
    that may take effect is decided `accepted` here and confirmed (or not) by the write phase;
    its target is marked, so that a later void of it in this batch is a duplicate, and a later
    scan of the same person in this batch may count again (the target's key is released)."""
    earlier = earlier_items.get(item.voids)
    if earlier is not None:
        if earlier.voids is not None or earlier.status != ACCEPTED:
            return item.decide(REJECTED, NOT_ALLOWED)  # a void, or never counted
        if earlier.voided_by is not None or earlier.client_id in voided_ids:
            return item.decide(DUPLICATE)
        place = places[earlier.activity_id]
        if not _in_window(earlier.scanned_at, item.scanned_at) or tables.accepted(place.org_id, place.campaign_id):
            return item.decide(REJECTED, NOT_ALLOWED)
        earlier.voided_by = item
        item.target = earlier
        claimed_keys.discard(earlier.count_key)
        voided_ids.add(earlier.client_id)
        return item.decide(ACCEPTED)
    target = item.target = targets.get(item.voids)  # a refused undo points at it too
    if target is None or target.recorded_by_id != user.id:
        return item.decide(REJECTED, NOT_ALLOWED)
    if target.status == VOIDED or target.client_id in voided_ids:
        return item.decide(DUPLICATE)
    if target.status != ACCEPTED or not _in_window(target.scanned_at, item.scanned_at) \
            or tables.accepted(target.org_id, target.campaign_id):
        return item.decide(REJECTED, NOT_ALLOWED)
    voided_ids.add(target.client_id)
    return item.decide(ACCEPTED)


def _insert_correction(values):
    """INSERT ... ON CONFLICT (client_id) DO NOTHING; whether the row went in."""
    dialect = db.session.connection().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(CORRECTIONS).values(**values).on_conflict_do_nothing(index_elements=["client_id"])
    return db.session.execute(statement.returning(CORRECTIONS.c.id)).first() is not None


def _void_row(checkin_id):
    """accepted -> voided, if it still is accepted; returns what it counted as (activity_id,
    kind, day, resident_id, headcount), or None when this transaction did not void it."""
    return db.session.execute(
        update(CHECKINS).where(CHECKINS.c.id == checkin_id, CHECKINS.c.status == ACCEPTED)
        .values(status=VOIDED)
        .returning(CHECKINS.c.activity_id, CHECKINS.c.kind, CHECKINS.c.day, CHECKINS.c.resident_id,
                   CHECKINS.c.headcount)).first()


class PhoneVoids:
    """The write phase of a batch's voids (sync.sync_batch calls it under the write lock)."""

    def __init__(self, user, device_id, received_at, counts):
        self.user, self.device_id, self.received_at, self.counts = user, device_id, received_at, counts
        self.written = set()  # undos whose correction row is written (or found stored)

    def _values(self, item, checkin_id, status, reason):
        return {"client_id": item.client_id, "checkin_id": checkin_id, "target_client_id": item.voids,
                "by_id": self.user.id, "source": "phone", "device_id": self.device_id, "status": status,
                "reason": reason, "device_made_at": item.device_scanned_at, "made_at": item.scanned_at,
                "received_at": self.received_at}

    def void_stored(self, items):
        """Voids of check-ins stored before this batch, before the batch's inserts (a scan after
        the undo may count the same person again), in the order of their targets' ids: two
        requests voiding the same check-ins lock them in one order."""
        pending = [item for item in items if item.status == ACCEPTED and isinstance(item.target, Target)]
        for item in sorted(pending, key=lambda item: (item.target.client_id, item.client_id)):
            self._void_one(item, item.target.id)

    def _void_one(self, item, checkin_id):
        self.written.add(item.client_id)
        savepoint = db.session.begin_nested()
        counted = _void_row(checkin_id)
        if counted is None:
            current = db.session.scalar(select(CHECKINS.c.status).where(CHECKINS.c.id == checkin_id))
            item.decide(DUPLICATE) if current == VOIDED else item.decide(REJECTED, NOT_ALLOWED)
        if not _insert_correction(self._values(item, checkin_id, item.status, item.reason)):
            savepoint.rollback()  # the same undo, stored meanwhile by another request
            item.decide(*stored_void_answers({item.client_id}).get(item.client_id, (DUPLICATE, None)))
            return
        savepoint.commit()
        if counted is not None:
            self.counts.remove(*counted)

    def void_in_batch(self, pending):
        """Undos of check-ins of this batch, once those are inserted: voided as stored ones, from
        what is stored now (the check-in as this request inserted it, or as another request
        stored the same id meanwhile, or a duplicate if the person was counted meanwhile)."""
        pending = [item for item in pending if item.status == ACCEPTED]
        targets = lookup_targets({item.voids for item in pending})
        for item in sorted(pending, key=lambda item: (item.voids, item.client_id)):
            target = targets.get(item.voids)
            if target is None or target.recorded_by_id != self.user.id:
                item.decide(REJECTED, NOT_ALLOWED)
                continue  # kept by store_refused
            item.target = target
            self._void_one(item, target.id)

    def store_refused(self, items):
        """Refused and duplicate undos are kept too, so that a resend answers the same."""
        for item in items:
            if item.status == ACCEPTED or item.voids is None or item.client_id in self.written:
                continue
            target = item.target if isinstance(item.target, Target) else None
            if not _insert_correction(self._values(item, target.id if target else None, item.status, item.reason)):
                item.decide(*stored_void_answers({item.client_id}).get(item.client_id, (item.status, item.reason)))


def void_checkin(checkin, user, note, received_at):
    """A site lead's (or admin's) void of a counted check-in of the unit, with its reason.
    Raises TableAccepted or NotCounted; returns the Correction."""
    activity = db.session.get(Activity, checkin.activity_id)
    if table_accepted(activity.org_id, activity.campaign_id):
        raise TableAccepted()
    counted = _void_row(checkin.id)
    if counted is None:
        raise NotCounted()
    correction = Correction(checkin_id=checkin.id, target_client_id=checkin.client_id, by_id=user.id,
                            source="site_lead", status=ACCEPTED, note=note, made_at=received_at,
                            received_at=received_at)
    db.session.add(correction)
    counts = Counts()
    counts.remove(*counted)
    counts.apply()
    db.session.flush()
    db.session.expire(checkin)
    return correction
