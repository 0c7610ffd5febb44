"""Deciding a batch of check-ins from a device, exactly once, in the order given.

Every decision is kept in `checkins`. The database, not a read-then-write, makes it exact:
- `client_id` is unique: an id seen before answers its stored status, however often it comes;
- at most one accepted row per (activity, kind, person, day): the insert of a second one does
  nothing, and that item becomes a duplicate, also when two workers race.
One bulk insert (`ON CONFLICT DO NOTHING RETURNING`) decides the whole batch; only the rare
items that lost a race need a second round.

Speed (bench/sync_ingest.py): the rows are written by one multi-row INSERT on the driver's
cursor, with values already in the form the column types would store (naive UTC, and on SQLite
the text SQLAlchemy writes), so there is no per-value work in the ORM; the rows go in the order
of their ids, so that two requests inserting the same ids wait for each other in one order and
cannot deadlock on the `client_id` index (PostgreSQL); a deadlock that remains possible through
the per-person index is retried from a savepoint. On PostgreSQL each column goes as one array
(`INSERT ... SELECT FROM unnest`, lookups by `= ANY`), in binary: psycopg parses a query's
placeholders on every call, and thousands of them cost more than the query. On SQLite, api.sync
checks the items' shapes before it takes the write lock.
"""
import json
import re
import uuid
from datetime import timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from ..activities.models import Activity
from ..api.body import parse_timestamp
from ..campaigns.models import Campaign
from ..extensions import db
from ..residents import codes
from .models import KINDS, Checkin

ACCEPTED, DUPLICATE, HELD, REJECTED = "accepted", "duplicate", "held", "rejected"
MAX_HEADCOUNT = 10_000
TABLE = Checkin.__table__
COLUMNS = ("client_id", "device_id", "recorded_by_id", "activity_id", "kind", "code_id",
           "resident_id", "headcount", "device_scanned_at", "scanned_at", "received_at", "day",
           "status", "reason", "raw")
STATUS_INDEX = COLUMNS.index("status")
DEADLOCK_RETRIES = 5

# A canonical UUID (what str(uuid.UUID(x)) makes) is taken as it is; anything else is parsed.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
# A code already in canonical form (what codes.normalize makes) only needs its check character:
# the same Luhn mod 32 as codes.check_character, from two tables instead of a loop.
_CANONICAL_CODE = re.compile(f"[{codes.ALPHABET}]{{{codes.CODE_LENGTH}}}\\Z")
_N = len(codes.ALPHABET)
_TIMES_ONE = {ch: i for i, ch in enumerate(codes.ALPHABET)}
_TIMES_TWO = {ch: (2 * i) // _N + (2 * i) % _N for i, ch in enumerate(codes.ALPHABET)}


class Item:
    """One item of a batch, parsed, then decided."""

    __slots__ = ("index", "client_id", "activity_id", "kind", "code", "headcount",
                 "device_scanned_at", "scanned_at", "row", "status", "reason", "count_key", "raw")

    def __init__(self, index):
        self.index = index
        self.client_id = self.activity_id = self.kind = self.code = self.headcount = None
        self.device_scanned_at = self.scanned_at = self.row = self.status = self.reason = None
        self.count_key = self.raw = None

    def decide(self, status, reason=None):
        self.status, self.reason = status, reason


def _uuid(value):
    if not isinstance(value, str) or len(value) > 64:
        return None
    if len(value) == 36 and _CANONICAL_UUID.match(value):
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _check_character(body):
    """codes.check_character without the loop: factor 2 from the last character, alternating."""
    total = sum(map(_TIMES_TWO.__getitem__, body[-1::-2])) + sum(map(_TIMES_ONE.__getitem__, body[-2::-2]))
    return codes.ALPHABET[(_N - total % _N) % _N]


# Should codes.py ever change its check, this copy must not silently disagree.
for _body in ("0123456789ABCDEF", "ZYXWVTSRQPNMKJHG", "7" * codes.BODY_LENGTH, codes.new_code()[:-1]):
    if _check_character(_body) != codes.check_character(_body):
        raise RuntimeError("sync.parse_code disagrees with codes.check_character")


def parse_code(text):
    """codes.parse, with a fast path for a code already in canonical form (as scanners send it)."""
    if isinstance(text, str) and len(text) == codes.CODE_LENGTH and _CANONICAL_CODE.match(text):
        return text if _check_character(text[:-1]) == text[-1] else None
    return codes.parse(text)


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
        item.code = parse_code(code)
        valid = item.code is not None
    if not valid:
        item.raw = data
        item.decide(REJECTED, "invalid")
    return item


def _lookup_activities(ids):
    if not ids:
        return {}
    rows = db.session.execute(
        select(Activity.id, Activity.org_id, Activity.starts_at, Activity.ends_at, Campaign.timezone)
        .join(Campaign, Campaign.id == Activity.campaign_id)
        .where(Activity.id.in_(ids))
    )
    return {row.id: row for row in rows}


def _driver_query(select_sql, column, values):
    """Rows of `select_sql WHERE column IN values` on the driver's cursor, in this transaction:
    no ORM or type processing for what is read on every sync. PostgreSQL gets the values as one
    array (`= ANY(%s)`): psycopg parses a query's placeholders on every call, which for a
    thousand of them costs more than the query."""
    connection = db.session.connection()
    sqlite = connection.dialect.name == "sqlite"
    values = list(values)
    cursor = connection.connection.cursor()
    try:
        if not sqlite:
            cursor.execute(f"{select_sql} WHERE {column} = ANY(%b)", (values,))
            return cursor.fetchall()
        rows = []
        for start in range(0, len(values), 1000):
            chunk = values[start:start + 1000]
            cursor.execute(f"{select_sql} WHERE {column} IN ({', '.join('?' * len(chunk))})", chunk)
            rows.extend(cursor.fetchall())
        return rows
    finally:
        cursor.close()


def _lookup_codes(texts):
    """{code: (code id, resident id, revoked)}"""
    if not texts:
        return {}
    rows = _driver_query("SELECT code, id, resident_id, is_revoked FROM sign_in_codes", "code", texts)
    return {code: (code_id, resident_id, bool(revoked)) for code, code_id, resident_id, revoked in rows}


def _stored_answers(client_ids):
    if not client_ids:
        return {}
    rows = _driver_query("SELECT client_id, status, reason FROM checkins", "client_id", client_ids)
    return {client_id: (status, reason) for client_id, status, reason in rows}


def _raw_text(value):
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text[:500]


def parse_batch(raw_items):
    """Shape checks of every item: no database, so a caller may do it before taking the write
    lock (see api.sync)."""
    return [parse_item(i, data) for i, data in enumerate(raw_items)]


def sync_batch(user, device_id, sent_at, raw_items, received_at, items=None):
    """Decide every item; returns the list of results in the order given. `items`: what
    parse_batch(raw_items) returned, if the caller parsed them already."""
    clock_error = received_at - sent_at
    margin = timedelta(hours=current_app.config["SYNC_HOLD_MARGIN_HOURS"])
    if items is None:
        items = parse_batch(raw_items)
    live = [item for item in items if item.status is None]

    stored = _stored_answers({item.client_id for item in items if item.client_id})
    activities = _lookup_activities({item.activity_id for item in live})
    code_rows = _lookup_codes({item.code for item in live if item.code})
    store = _Store(db.session.connection().dialect.name, user, device_id, received_at)
    zones = {}
    places = {activity_id: _Place(activity, user, margin, zones)
              for activity_id, activity in activities.items()}
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
        if item.device_scanned_at is not None:
            try:
                item.scanned_at = item.device_scanned_at + clock_error
            except OverflowError:  # a clock error that leads out of the calendar: not a time
                if item.status is None:
                    item.raw = raw_items[item.index]
                    item.decide(REJECTED, "invalid")
        if item.status is None:
            _decide(item, places, code_rows, claimed_keys)
        item.row = store.row(item, places, code_rows)

    _write(items, store)
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


def _zone(zones, name):
    zone = zones.get(name)
    if zone is None:
        zone = zones[name] = ZoneInfo(name)
    return zone


def _local_day(moment, zone):
    try:
        return moment.astimezone(zone).date()
    except OverflowError:  # the first or last hours of the calendar
        return None


class _Place:
    """What deciding needs of one activity, worked out once per batch."""

    __slots__ = ("allowed", "earliest", "latest", "zone")

    def __init__(self, activity, user, margin, zones):
        self.allowed = user.role == "admin" or user.org_id == activity.org_id
        self.earliest = activity.starts_at - margin
        self.latest = activity.ends_at + margin
        self.zone = _zone(zones, activity.timezone)


def _decide(item, places, code_rows, claimed_keys):
    place = places.get(item.activity_id)
    if place is None:
        return item.decide(REJECTED, "unknown_activity")
    if not place.allowed:
        return item.decide(REJECTED, "forbidden_activity")
    code_row = None
    if item.code is not None:
        code_row = code_rows.get(item.code)
        if code_row is None:
            return item.decide(REJECTED, "unknown_code")
        if code_row[2]:
            return item.decide(REJECTED, "revoked_code")
    scanned_at = item.scanned_at
    if scanned_at < place.earliest or scanned_at > place.latest:
        return item.decide(HELD)
    if code_row is None:
        return item.decide(ACCEPTED)  # a tally: every item counts, its id makes it once
    item.count_key = (item.activity_id, item.kind, code_row[1], scanned_at.astimezone(place.zone).date())
    if item.count_key in claimed_keys:
        return item.decide(DUPLICATE)
    claimed_keys.add(item.count_key)
    item.decide(ACCEPTED)


def _naive_utc(moment):
    """What UTCDateTime stores: naive UTC; None when that falls outside the calendar."""
    if moment is None:
        return None
    try:
        return (moment - moment.utcoffset()).replace(tzinfo=None)
    except OverflowError:
        return None


def _sqlite_text(value):
    """SQLAlchemy's SQLite DATETIME text: "YYYY-MM-DD HH:MM:SS.ffffff", always microseconds."""
    return None if value is None else value.isoformat(" ", "microseconds")


class _Store:
    """Rows for `checkins` as tuples in COLUMNS order, with values already as the column types
    would bind them, and the multi-row INSERT that writes them on the driver's cursor."""

    def __init__(self, dialect, user, device_id, received_at):
        self.dialect = dialect
        self.sqlite = dialect == "sqlite"
        self.user_id = user.id
        self.device_id = device_id
        self.received_at = self.moment(received_at)

    def moment(self, value):
        value = _naive_utc(value)
        return _sqlite_text(value) if self.sqlite else value

    def row(self, item, places, code_rows):
        place = places.get(item.activity_id)
        code_row = code_rows.get(item.code) if item.code else None
        scanned_at = item.scanned_at
        day = None
        if item.count_key is not None:  # decided already, for this activity
            day = item.count_key[3]
        elif place is not None and scanned_at is not None:
            day = _local_day(scanned_at, place.zone)
        if day is not None and self.sqlite:
            day = day.isoformat()
        device_scanned_at = scanned = None
        if item.device_scanned_at is not None:
            device_scanned_at = _naive_utc(item.device_scanned_at)
            scanned = _naive_utc(scanned_at)
            if self.sqlite:
                device_scanned_at = _sqlite_text(device_scanned_at)
                scanned = _sqlite_text(scanned)
        return (
            item.client_id,
            self.device_id,
            self.user_id,
            item.activity_id if place is not None else None,
            item.kind,
            code_row[0] if code_row else None,
            code_row[1] if code_row else None,
            item.headcount,
            device_scanned_at,
            scanned,
            self.received_at,
            day,
            item.status,
            item.reason,
            _raw_text(item.raw) if item.status == REJECTED else None,
        )

    def insert(self, rows):
        """Insert `rows`, skipping any that conflict; returns the client ids inserted."""
        # The same order in every request: two requests with the same ids lock them in the
        # same order, and wait for each other instead of deadlocking.
        rows = sorted(rows, key=lambda row: row[0] or "")
        connection = db.session.connection().connection  # the driver's, in this transaction
        cursor = connection.cursor()
        try:
            inserted = set()
            for start in range(0, len(rows), 1000):
                chunk = rows[start:start + 1000]
                inserted.update(self._insert_chunk(cursor, chunk))
            return inserted
        finally:
            cursor.close()

    def _insert_chunk(self, cursor, rows):
        if self.sqlite:  # one writer at a time (BEGIN IMMEDIATE): no deadlock possible
            cursor.execute(_sqlite_insert_sql(len(rows)), [value for row in rows for value in row])
            return {client_id for (client_id,) in cursor.fetchall()}
        # One array per column: 15 parameters, not 15 per row (see _driver_query).
        params = [list(column) for column in zip(*rows)]
        for attempt in range(DEADLOCK_RETRIES):
            cursor.execute("SAVEPOINT sync_insert")
            try:
                cursor.execute(_postgresql_insert_sql(), params)
                inserted = {client_id for (client_id,) in cursor.fetchall()}
            except Exception as exc:
                # Two requests each holding a row the other's insert waits for, through the
                # one-count-per-person index: the database aborts one; it tries again.
                if getattr(exc, "sqlstate", None) != "40P01" or attempt == DEADLOCK_RETRIES - 1:
                    raise
                cursor.execute("ROLLBACK TO SAVEPOINT sync_insert")
                continue
            cursor.execute("RELEASE SAVEPOINT sync_insert")
            return inserted
        raise AssertionError("unreachable")


@lru_cache(maxsize=1024)
def _sqlite_insert_sql(count):
    values = "(" + ", ".join("?" * len(COLUMNS)) + ")"
    return (f"INSERT INTO {TABLE.name} ({', '.join(COLUMNS)}) VALUES " + ", ".join([values] * count)
            + " ON CONFLICT DO NOTHING RETURNING client_id")


@lru_cache(maxsize=1)
def _postgresql_insert_sql():
    dialect = postgresql.dialect()
    # Arrays of the columns' types without their lengths: a cast to VARCHAR(n) would cut a
    # longer text silently, where the insert into the column refuses it.
    arrays = ", ".join("%b::" + re.sub(r"\(\d+\)", "", TABLE.c[name].type.compile(dialect=dialect)) + "[]"
                       for name in COLUMNS)
    return (f"INSERT INTO {TABLE.name} ({', '.join(COLUMNS)}) SELECT * FROM unnest({arrays}) "
            "ON CONFLICT DO NOTHING RETURNING client_id")


def _write(items, store):
    """Insert every new decision; settle the items whose insert lost to a stored row."""
    pending = [item for item in items if item.row is not None]
    while pending:
        inserted = store.insert([item.row for item in pending])
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
                row = list(item.row)
                row[STATUS_INDEX] = DUPLICATE
                item.row = tuple(row)
                pending.append(item)
