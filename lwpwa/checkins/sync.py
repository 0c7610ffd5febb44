"""Deciding a batch of check-ins from a device, exactly once, in the order given.

Every decision is kept in `checkins`. The database, not a read-then-write, makes it exact:
- `client_id` is unique: an id seen before answers its stored status, however often it comes;
- at most one accepted row per (activity, kind, person, day): the insert of a second one does
  nothing, and that item becomes a duplicate, also when two workers race.
One bulk insert (`ON CONFLICT DO NOTHING`) decides the whole batch; only the rare
items that lost a race need a second round. Then the rows inserted as accepted are added to
`checkin_counts` (counters.py), in the same transaction, by one upsert.

An item of kind `void` (the phone's undo) voids an earlier check-in of the same user instead
(voids.py): decided in the batch's order like the others, written in rounds with the inserts
so that the database meets them in that order (`_write_with_undos`).

Parsing is in items.py, the database side in store.py.
"""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app

from ..extensions import db
from . import voids
from .items import ACCEPTED, DUPLICATE, HELD, REJECTED, VOIDED, local_day, parse_batch, utc_day
from .counters import Counts
from .store import Store, add_accepted, lookup_activities, lookup_codes, naive_utc, stored_answers, write_rows


def sync_batch(user, device_id, sent_at, raw_items, received_at, items=None, counts=None,
               before_write=None, after_write=None):
    """Decide every item; returns the list of results in the order given. `items`: what
    parse_batch(raw_items) returned, if the caller parsed them already.

    Everything up to the insert only reads, so the caller may take the write lock just before
    it (`before_write`, called once the rows are ready) and commit right after it
    (`after_write`, called once the rows and counts are written, before the answers are
    built): on SQLite, where writers take turns, a turn is then only the insert and the commit.
    What changed meanwhile is settled by the insert itself: an id stored by another request,
    or a person counted by it, loses at the unique indexes and answers as stored, or as a
    duplicate (write_rows).

    The rows inserted as accepted are added to `checkin_counts` by one upsert after the
    inserts (see counters.py). A caller that syncs several batches in one transaction passes a
    `counters.Counts` to gather them in, and applies it once after the last batch."""
    clock_error = received_at - sent_at
    margin = timedelta(hours=current_app.config["SYNC_HOLD_MARGIN_HOURS"])
    if items is None:
        items = parse_batch(raw_items)
    live = [item for item in items if item.status is None]

    stored = stored_answers({item.client_id for item in items if item.client_id})
    # Undos (kind "void", voids.py): their own ids are stored in `corrections`, and they name
    # check-ins stored before (or earlier in this batch).
    undos = [item for item in live if item.voids is not None]
    targets = {}
    if undos:
        stored.update(voids.stored_void_answers({item.client_id for item in undos} - stored.keys()))
        targets = voids.lookup_targets({item.voids for item in undos})
    activities = lookup_activities({item.activity_id for item in live if item.voids is None})
    code_rows = lookup_codes({item.code for item in live if item.code})
    store = Store(db.session.connection().dialect.name, user, device_id, received_at, clock_error)
    zones = {}
    places = {activity_id: _Place(activity, user, margin, zones)
              for activity_id, activity in activities.items()}
    first_of_id = {}
    claimed_keys = set()
    fresh_undos, voided_ids, tables, key_rounds = [], set(), voids.TableLocks(), {}
    for item in items:
        if item.client_id in stored:
            item.decide(*stored[item.client_id])
            continue
        if item.client_id is not None:
            if item.client_id in first_of_id:  # the same id twice in one batch: one decision
                continue
            first_of_id[item.client_id] = item
        device = item.device_scanned_at
        if device is not None:
            try:
                item.scanned_at = device + clock_error
            except OverflowError:  # a clock error that leads out of the calendar: not a time
                if item.status is None:
                    item.raw = raw_items[item.index]
                    item.decide(REJECTED, "invalid")
            # Both times in naive UTC, once: what is stored, and what the decision compares.
            try:
                utc = device.replace(tzinfo=None) - device.utcoffset()
            except OverflowError:
                utc = None
            if utc is not None and item.scanned_at is not None:
                try:
                    item.utc = (utc, utc + clock_error)
                except OverflowError:
                    item.utc = (utc, None)
            else:
                item.utc = (utc, None if item.scanned_at is None else naive_utc(item.scanned_at))
        if item.status is None and item.voids is not None:
            voids.decide(item, first_of_id, targets, user, places, tables, voided_ids, claimed_keys, key_rounds)
            fresh_undos.append(item)
            continue  # an undo is a row of `corrections`, written below
        if item.status is None:
            _decide(item, places, code_rows, claimed_keys, user, raw_items)
            if key_rounds and item.count_key in key_rounds:  # a person counted again after an undo
                item.round = key_rounds[item.count_key]
        item.row = store.row(item, places, code_rows)

    if before_write is not None:
        before_write()
    own = Counts() if counts is None else counts
    if fresh_undos:
        inserted = _write_with_undos(items, fresh_undos, store, voids.PhoneVoids(user, device_id, received_at, own))
    else:
        inserted = write_rows(items, store)
    add_accepted(items, inserted, own)
    if counts is None:
        own.apply()
    if after_write is not None:
        after_write()
    for item in items:
        if item.status is None:  # a repeat of an id decided earlier in this batch
            first = first_of_id[item.client_id]
            item.decide(first.status, first.reason)
    if fresh_undos:
        _answer_voided_after_their_undo(items, fresh_undos)
    return [{"id": item.echo_id, "status": item.status, "reason": item.reason} for item in items]


def _write_with_undos(items, undos, store, phone_voids):
    """The writes of a batch with undos, in rounds, so that what the batch's order decides is
    what the database sees (voids.decide sets the rounds): the inserts of round 0, then the
    undos of round 0, then the scans that count a person again after such an undo (round 1),
    their undos, and so on; most batches have one round. A scan before an undo of its person's
    stored check-in is inserted first, and is a duplicate; one after it counts. An undone
    check-in of this batch is inserted as it was decided and then voided like a stored one: if
    it lost its insert (to a person counted meanwhile, or to the same id stored by another
    request), the undo finds what is stored."""
    inserted = set()
    for number in range(max(item.round for item in items) + 1):
        inserted |= write_rows([item for item in items if item.round == number], store)
        phone_voids.void([undo for undo in undos if undo.round == number])
    phone_voids.store_refused(undos)
    return inserted


def _answer_voided_after_their_undo(items, undos):
    """Items are answered in the order given: a check-in's id that comes again after the undo
    that voided it (in this batch) answers `voided`, as any later resend of it will."""
    undone_at = {item.voids: item.index for item in undos if item.status == ACCEPTED}
    for item in items:
        if item.voids is None and item.status == ACCEPTED and undone_at.get(item.client_id, len(items)) < item.index:
            item.decide(VOIDED)


def _zone(zones, name):
    zone = zones.get(name)
    if zone is None:
        zone = zones[name] = ZoneInfo(name)
    return zone


class _Place:
    """What deciding needs of one activity, worked out once per batch."""

    __slots__ = ("allowed", "earliest", "latest", "zone", "org_id", "campaign_id", "earliest_utc", "latest_utc")

    def __init__(self, activity, user, margin, zones):
        self.allowed = user.role == "admin" or user.org_id == activity.org_id
        self.org_id, self.campaign_id = activity.org_id, activity.campaign_id
        # An activity dated at the calendar's very edge has no time 6 hours beyond it.
        try:
            self.earliest = activity.starts_at - margin
        except OverflowError:
            self.earliest = datetime.min.replace(tzinfo=timezone.utc)
        try:
            self.latest = activity.ends_at + margin
        except OverflowError:
            self.latest = datetime.max.replace(tzinfo=timezone.utc)
        self.zone = _zone(zones, activity.timezone)
        # The same bounds in naive UTC, to compare with an item's naive UTC time.
        self.earliest_utc = self.earliest.astimezone(timezone.utc).replace(tzinfo=None)
        self.latest_utc = self.latest.astimezone(timezone.utc).replace(tzinfo=None)


def _decide(item, places, code_rows, claimed_keys, user, raw_items):
    place = places.get(item.activity_id)
    if place is None or not place.allowed:
        # Another unit's activity and one that does not exist answer alike (ids reveal
        # nothing); only an admin, who may record into any activity, learns that there is none.
        # Kept under the sender, not under that unit's activity (store.row), with what was sent.
        item.raw = raw_items[item.index]
        if place is None and user.role == "admin":
            return item.decide(REJECTED, "unknown_activity")
        return item.decide(REJECTED, "forbidden_activity")
    code_row = None
    if item.code is not None:
        code_row = code_rows.get(item.code)
        if code_row is None:
            return item.decide(REJECTED, "unknown_code")
        if code_row[2]:
            return item.decide(REJECTED, "revoked_code")
    scanned_utc = item.utc[1] if item.utc is not None else None
    if scanned_utc is not None:  # as below, with naive UTC times (no time zone to consult)
        if scanned_utc < place.earliest_utc or scanned_utc > place.latest_utc:
            return item.decide(HELD)
        day = utc_day(scanned_utc, place.zone)
    else:
        scanned_at = item.scanned_at
        if scanned_at < place.earliest or scanned_at > place.latest:
            return item.decide(HELD)
        day = local_day(scanned_at, place.zone)
    if day is None:  # the first or last hours of the calendar: no day to count it on
        return item.decide(HELD)
    if code_row is None:
        return item.decide(ACCEPTED)  # a tally: every item counts, its id makes it once
    item.count_key = (item.activity_id, item.kind, code_row[1], day)
    if item.count_key in claimed_keys:
        return item.decide(DUPLICATE)
    claimed_keys.add(item.count_key)
    item.decide(ACCEPTED)
