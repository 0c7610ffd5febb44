"""Deciding a batch of check-ins from a device, exactly once, in the order given.

Every decision is kept in `checkins`. The database, not a read-then-write, makes it exact:
- `client_id` is unique: an id seen before answers its stored status, however often it comes;
- at most one accepted row per (activity, kind, person, day): the insert of a second one does
  nothing, and that item becomes a duplicate, also when two workers race.
One bulk insert (`ON CONFLICT DO NOTHING RETURNING`) decides the whole batch; only the rare
items that lost a race need a second round.
"""
import json
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..activities.models import Activity
from ..api.body import parse_timestamp
from ..campaigns.models import Campaign
from ..extensions import db
from ..residents import codes
from ..residents.models import SignInCode
from .models import KINDS, Checkin

ACCEPTED, DUPLICATE, HELD, REJECTED = "accepted", "duplicate", "held", "rejected"
MAX_HEADCOUNT = 10_000
TABLE = Checkin.__table__


class Item:
    """One item of a batch, parsed, then decided."""

    __slots__ = ("index", "client_id", "activity_id", "kind", "code", "headcount",
                 "device_scanned_at", "row", "status", "reason", "count_key", "raw")

    def __init__(self, index):
        self.index = index
        self.client_id = self.activity_id = self.kind = self.code = self.headcount = None
        self.device_scanned_at = self.row = self.status = self.reason = self.count_key = None
        self.raw = None

    def decide(self, status, reason=None):
        self.status, self.reason = status, reason


def _uuid(value):
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def parse_item(index, data):
    """Shape checks only; an item that fails them is rejected as `invalid`."""
    item = Item(index)
    if not isinstance(data, dict):
        item.raw = data
        item.decide(REJECTED, "invalid")
        return item
    item.client_id = _uuid(data.get("id"))
    activity_id = data.get("activity_id")
    kind = data.get("kind")
    code = data.get("code")
    headcount = data.get("headcount")
    item.device_scanned_at = parse_timestamp(data.get("scanned_at"))
    item.kind = kind if kind in KINDS else None
    if isinstance(activity_id, int) and not isinstance(activity_id, bool) and 0 < activity_id < 2**31:
        item.activity_id = activity_id
    has_code, has_headcount = code is not None, headcount is not None
    valid = (
        item.client_id is not None
        and item.activity_id is not None
        and item.kind is not None
        and item.device_scanned_at is not None
        and has_code != has_headcount
    )
    if valid and has_headcount:
        valid = (isinstance(headcount, int) and not isinstance(headcount, bool)
                 and 1 <= headcount <= MAX_HEADCOUNT)
        item.headcount = headcount if valid else None
    if valid and has_code:
        item.code = codes.parse(code)
        valid = item.code is not None
    if not valid:
        item.raw = data
        item.decide(REJECTED, "invalid")
    return item


def _insert():
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(TABLE).on_conflict_do_nothing()


def _lookup_activities(ids):
    if not ids:
        return {}
    rows = db.session.execute(
        select(Activity.id, Activity.org_id, Activity.starts_at, Activity.ends_at, Campaign.timezone)
        .join(Campaign, Campaign.id == Activity.campaign_id)
        .where(Activity.id.in_(ids))
    )
    return {row.id: row for row in rows}


def _lookup_codes(texts):
    if not texts:
        return {}
    rows = db.session.execute(
        select(SignInCode.code, SignInCode.id, SignInCode.resident_id, SignInCode.is_revoked)
        .where(SignInCode.code.in_(texts))
    )
    return {row.code: row for row in rows}


def _stored_answers(client_ids):
    if not client_ids:
        return {}
    rows = db.session.execute(
        select(Checkin.client_id, Checkin.status, Checkin.reason).where(Checkin.client_id.in_(client_ids))
    )
    return {row.client_id: (row.status, row.reason) for row in rows}


def _raw_text(value):
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text[:500]


def sync_batch(user, device_id, sent_at, raw_items, received_at):
    """Decide every item; returns the list of results in the order given."""
    clock_error = received_at - sent_at
    margin = timedelta(hours=current_app.config["SYNC_HOLD_MARGIN_HOURS"])
    items = [parse_item(i, data) for i, data in enumerate(raw_items)]
    live = [item for item in items if item.status is None]

    stored = _stored_answers({item.client_id for item in items if item.client_id})
    activities = _lookup_activities({item.activity_id for item in live})
    code_rows = _lookup_codes({item.code for item in live if item.code})
    zones = {}
    first_of_id = {}
    claimed_keys = set()
    for item in items:
        if item.client_id in stored:
            item.decide(*stored[item.client_id])
            continue
        if item.client_id is not None:
            if item.client_id in first_of_id:  # the same id twice in one batch: one decision
                continue
            first_of_id[item.client_id] = item
        if item.status is None:
            _decide(item, user, activities, code_rows, clock_error, margin, zones, claimed_keys)
        item.row = _row(item, user, device_id, received_at, clock_error, activities, code_rows, zones)

    _write(items)
    for item in items:
        if item.status is None:  # a repeat of an id decided earlier in this batch
            first = first_of_id[item.client_id]
            item.decide(first.status, first.reason)
    return [{"id": _echo_id(raw_items[item.index], item), "status": item.status, "reason": item.reason}
            for item in items]


def _echo_id(data, item):
    if item.client_id:
        return item.client_id if data.get("id") == item.client_id else data.get("id")
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, (str, int)) and len(str(value)) <= 64 else None


def _decide(item, user, activities, code_rows, clock_error, margin, zones, claimed_keys):
    activity = activities.get(item.activity_id)
    if activity is None:
        return item.decide(REJECTED, "unknown_activity")
    if not (user.role == "admin" or user.org_id == activity.org_id):
        return item.decide(REJECTED, "forbidden_activity")
    code_row = None
    if item.code is not None:
        code_row = code_rows.get(item.code)
        if code_row is None:
            return item.decide(REJECTED, "unknown_code")
        if code_row.is_revoked:
            return item.decide(REJECTED, "revoked_code")
    scanned_at = item.device_scanned_at + clock_error
    if scanned_at < activity.starts_at - margin or scanned_at > activity.ends_at + margin:
        return item.decide(HELD)
    if code_row is None:
        return item.decide(ACCEPTED)  # a tally: every item counts, its id makes it once
    zone = zones.get(activity.timezone) or zones.setdefault(activity.timezone, ZoneInfo(activity.timezone))
    item.count_key = (item.activity_id, item.kind, code_row.resident_id, scanned_at.astimezone(zone).date())
    if item.count_key in claimed_keys:
        return item.decide(DUPLICATE)
    claimed_keys.add(item.count_key)
    item.decide(ACCEPTED)


def _row(item, user, device_id, received_at, clock_error, activities, code_rows, zones):
    activity = activities.get(item.activity_id)
    code_row = code_rows.get(item.code) if item.code else None
    scanned_at = item.device_scanned_at + clock_error if item.device_scanned_at else None
    day = None
    if activity is not None and scanned_at is not None:
        zone = zones.get(activity.timezone) or zones.setdefault(activity.timezone, ZoneInfo(activity.timezone))
        day = scanned_at.astimezone(zone).date()
    return {
        "client_id": item.client_id,
        "device_id": device_id,
        "recorded_by_id": user.id,
        "activity_id": item.activity_id if activity is not None else None,
        "kind": item.kind,
        "code_id": code_row.id if code_row else None,
        "resident_id": code_row.resident_id if code_row else None,
        "headcount": item.headcount,
        "device_scanned_at": item.device_scanned_at,
        "scanned_at": scanned_at,
        "received_at": received_at,
        "day": day,
        "status": item.status,
        "reason": item.reason,
        "raw": _raw_text(item.raw) if item.status == REJECTED else None,
    }


def _write(items):
    """Insert every new decision; settle the items whose insert lost to a stored row."""
    pending = [item for item in items if item.row is not None]
    while pending:
        inserted = _insert_rows([item.row for item in pending])
        lost = [item for item in pending if item.client_id is not None and item.client_id not in inserted]
        if not lost:
            return
        # Lost to the same id stored meanwhile (another request), or to an accepted row that
        # already counts this person today: the first answers as stored, the second is a duplicate.
        stored = _stored_answers({item.client_id for item in lost})
        pending = []
        for item in lost:
            if item.client_id in stored:
                item.decide(*stored[item.client_id])
            else:
                item.decide(DUPLICATE)
                item.row["status"] = DUPLICATE
                pending.append(item)


def _insert_rows(rows):
    result = db.session.execute(_insert().returning(TABLE.c.client_id), rows)
    return {client_id for (client_id,) in result}
