"""The database side of the sync: look-ups and the bulk insert.

Speed (bench/sync_ingest.py): the rows are written by one INSERT on the driver's cursor (on
SQLite an executemany, on PostgreSQL one statement over arrays), with values already in the
form the column types would store (naive UTC, and on SQLite the text SQLAlchemy writes), so
there is no per-value work in the ORM; the rows go in one order in
every request (`insert_order`: by the person's key of the one-count index, then by id), so that
two requests inserting the same ids or counting the same people wait for each other in one
order instead of deadlocking (PostgreSQL); a deadlock that remains possible (a day two requests
see differently) is retried from a savepoint. On PostgreSQL each column goes as one array
(`INSERT ... SELECT FROM unnest`, lookups by `= ANY`), in binary: psycopg parses a query's
placeholders on every call, and thousands of them cost more than the query. The look-ups and
decisions run before the write lock (sync.sync_batch's `before_write`); only the insert and
the counts need it. `write_rows` returns the ids it
inserted, so that only the rows this request inserted as accepted are counted (`add_accepted`,
counters.py).
"""
import re
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy.dialects import postgresql

from ..activities.models import Activity
from ..campaigns.models import Campaign
from ..database import UTCDateTime
from ..extensions import db
from .items import ACCEPTED, DUPLICATE, REJECTED, local_day, raw_text, utc_day
from .models import Checkin

TABLE = Checkin.__table__
COLUMNS = ("client_id", "device_id", "recorded_by_id", "activity_id", "kind", "code_id",
           "resident_id", "headcount", "device_scanned_at", "scanned_at", "received_at", "day",
           "status", "reason", "raw")
STATUS_INDEX = COLUMNS.index("status")
ACTIVITY_INDEX, KIND_INDEX, DAY_INDEX = COLUMNS.index("activity_id"), COLUMNS.index("kind"), COLUMNS.index("day")
RESIDENT_INDEX, HEADCOUNT_INDEX = COLUMNS.index("resident_id"), COLUMNS.index("headcount")
DEADLOCK_RETRIES = 5


class ActivityFacts(NamedTuple):
    """What deciding needs of an activity."""

    id: int
    org_id: int
    starts_at: datetime
    ends_at: datetime
    timezone: str
    campaign_id: int


_ACTIVITIES_SQL = (f"SELECT a.id, a.org_id, a.starts_at, a.ends_at, c.timezone, a.campaign_id"
                   f" FROM {Activity.__tablename__} a JOIN {Campaign.__tablename__} c ON c.id = a.campaign_id")


def lookup_activities(ids):
    """{id: ActivityFacts}, on the driver's cursor (the ORM's select cost more than the query)."""
    if not ids:
        return {}
    rows = driver_query(_ACTIVITIES_SQL, "a.id", ids)
    return {id_: ActivityFacts(id_, org_id, as_utc(starts_at), as_utc(ends_at), zone, campaign_id)
            for id_, org_id, starts_at, ends_at, zone, campaign_id in rows}


def as_utc(value):
    """A stored UTCDateTime as the column type hands it back: aware UTC."""
    return _UTC_DATETIME.process_result_value(value, None)


_UTC_DATETIME = UTCDateTime()


def driver_query(select_sql, column, values):
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
            # Planned afresh every time (prepare=False): psycopg prepares a query it has run five
            # times, and PostgreSQL may then keep a generic plan made while the table was small,
            # a sequential scan that grows with it (bench/load.py: 18 ms a look-up at 60,000
            # check-ins, where the index takes 0.4 ms).
            cursor.execute(f"{select_sql} WHERE {column} = ANY(%b)", (values,), prepare=False)
            return cursor.fetchall()
        rows = []
        for start in range(0, len(values), 1000):
            chunk = values[start:start + 1000]
            cursor.execute(f"{select_sql} WHERE {column} IN ({', '.join('?' * len(chunk))})", chunk)
            rows.extend(cursor.fetchall())
        return rows
    finally:
        cursor.close()


def lookup_codes(texts):
    """{code: (code id, resident id, revoked)}"""
    if not texts:
        return {}
    rows = driver_query("SELECT code, id, resident_id, is_revoked FROM sign_in_codes", "code", texts)
    return {code: (code_id, resident_id, bool(revoked)) for code, code_id, resident_id, revoked in rows}


def stored_answers(client_ids):
    if not client_ids:
        return {}
    rows = driver_query("SELECT client_id, status, reason FROM checkins", "client_id", client_ids)
    return {client_id: (status, reason) for client_id, status, reason in rows}


def naive_utc(moment):
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


class Store:
    """Rows for `checkins` as tuples in COLUMNS order, with values already as the column types
    would bind them, and the INSERT that writes them on the driver's cursor."""

    def __init__(self, dialect, user, device_id, received_at, clock_error):
        self.dialect = dialect
        self.sqlite = dialect == "sqlite"
        self.user_id = user.id
        self.device_id = device_id
        self.received_at = self.moment(received_at)
        self.clock_error = clock_error
        self.day_values = {}  # a batch holds a few days: each converted once

    def moment(self, value):
        value = naive_utc(value)
        return _sqlite_text(value) if self.sqlite else value

    def times(self, item):
        """(device_scanned_at, scanned_at) as stored. scanned_at is the device's time plus the
        clock error (sync_batch): one conversion to naive UTC serves both (`item.utc`, made by
        sync_batch)."""
        if item.utc is not None:
            device, scanned = item.utc
            if self.sqlite:
                return _sqlite_text(device), _sqlite_text(scanned)
            return device, scanned
        device = naive_utc(item.device_scanned_at)
        scanned = None
        if item.scanned_at is not None and device is not None:
            try:
                scanned = device + self.clock_error
            except OverflowError:
                scanned = None
        elif item.scanned_at is not None:  # the device's time alone is off the calendar in UTC
            scanned = naive_utc(item.scanned_at)
        if self.sqlite:
            return _sqlite_text(device), _sqlite_text(scanned)
        return device, scanned

    def day_value(self, day):
        value = self.day_values.get(day)
        if value is None:
            value = self.day_values[day] = day.isoformat() if self.sqlite else day
        return value

    def row(self, item, places, code_rows):
        place = places.get(item.activity_id)
        if place is not None and not place.allowed:
            place = None  # refused: kept under the sender (recorded_by_id), not that activity
        code_row = code_rows.get(item.code) if item.code else None
        if item.count_key is not None:  # decided already, for this activity
            day = self.day_value(item.count_key[3])
        elif place is not None and item.utc is not None and item.utc[1] is not None:
            day = utc_day(item.utc[1], place.zone)
            day = None if day is None else self.day_value(day)
        elif place is not None and item.scanned_at is not None:
            day = local_day(item.scanned_at, place.zone)
            day = None if day is None else self.day_value(day)
        else:
            day = None
        device_scanned_at, scanned_at = self.times(item)
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
            scanned_at,
            self.received_at,
            day,
            item.status,
            item.reason,
            raw_text(item.raw) if item.status == REJECTED else None,
        )

    def insert(self, rows):
        """Insert `rows`, skipping any that conflict; returns the client ids inserted."""
        # SQLite has one writer at a time: there the rows go in id order, which appends the
        # scanner's time-ordered ids at the end of the `client_id` index.
        rows = sorted(rows, key=lambda row: row[0] or "") if self.sqlite else insert_order(rows)
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
            return self._sqlite_insert_chunk(cursor, rows)
        # One array per column: 15 parameters, not 15 per row (see driver_query).
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


    @staticmethod
    def _sqlite_insert_chunk(cursor, rows):
        """executemany, without RETURNING (which it cannot do): cheaper than one statement of
        7,500 placeholders. Usually every row goes in; when some did not, the ones that did are
        those after the largest id before the insert, since this request is the only writer."""
        (before,) = cursor.execute(f"SELECT coalesce(max(id), 0) FROM {TABLE.name}").fetchone()
        cursor.executemany(_SQLITE_INSERT_SQL, rows)
        if cursor.rowcount == len(rows):
            return {row[0] for row in rows}
        cursor.execute(f"SELECT client_id FROM {TABLE.name} WHERE id > ?", (before,))
        return {client_id for (client_id,) in cursor.fetchall()}


_PERSON_KEY = itemgetter(RESIDENT_INDEX, DAY_INDEX, KIND_INDEX, ACTIVITY_INDEX, 0)


def insert_order(rows):
    """The rows in the order they are inserted on PostgreSQL, the same in every request, so that
    two requests take the keys they both need in one order and wait for each other instead of
    deadlocking. A row takes its `client_id` key, and an accepted row naming a person also that
    person's key of the one-count index (resident_id, day, kind, activity_id). The rows that
    take only their id go first, by id; the counted ones after them, by the person's key, then
    id: two requests counting the same people under ids of their own take the person keys in
    one order (by ids alone, each in its own random order), and the same ids meet in one order
    too. What remains possible (an id counted by one request and a duplicate in the other, a
    day two requests see differently) is rare, and retried (`_insert_chunk`). The key is read
    by `itemgetter`, in C: a Python key function cost 2 us a row."""
    counted, rest = [], []
    for row in rows:
        (counted if row[STATUS_INDEX] == ACCEPTED and row[RESIDENT_INDEX] is not None else rest).append(row)
    rest.sort(key=lambda row: row[0] or "")
    counted.sort(key=_PERSON_KEY)
    return rest + counted


_SQLITE_INSERT_SQL = (f"INSERT INTO {TABLE.name} ({', '.join(COLUMNS)}) "
                      f"VALUES ({', '.join('?' * len(COLUMNS))}) ON CONFLICT DO NOTHING")


@lru_cache(maxsize=1)
def _postgresql_insert_sql():
    dialect = postgresql.dialect()
    # Arrays of the columns' types without their lengths: a cast to VARCHAR(n) would cut a
    # longer text silently, where the insert into the column refuses it.
    arrays = ", ".join("%b::" + re.sub(r"\(\d+\)", "", TABLE.c[name].type.compile(dialect=dialect)) + "[]"
                       for name in COLUMNS)
    return (f"INSERT INTO {TABLE.name} ({', '.join(COLUMNS)}) SELECT * FROM unnest({arrays}) "
            "ON CONFLICT DO NOTHING RETURNING client_id")


def write_rows(items, store):
    """Insert every new decision; settle the items whose insert lost to a stored row. Returns
    the client ids this call inserted (an item's `row` then holds what was inserted)."""
    pending = [item for item in items if item.row is not None]
    written = set()
    while pending:
        inserted = store.insert([item.row for item in pending])
        written |= inserted
        lost = [item for item in pending if item.client_id is not None and item.client_id not in inserted]
        if not lost:
            return written
        # Lost to the same id stored meanwhile (another request), or to an accepted row that
        # already counts this person today: the first answers as stored, the second is a duplicate.
        stored = stored_answers({item.client_id for item in lost})
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
    return written


def add_accepted(items, inserted, counts):
    """Add to `counts` the items whose row this request inserted as accepted: not those that
    lost and became duplicates, not those answered as stored (counted when first stored)."""
    for item in items:
        row = item.row
        if row is not None and row[STATUS_INDEX] == ACCEPTED and item.client_id in inserted:
            counts.add(row[ACTIVITY_INDEX], row[KIND_INDEX], row[DAY_INDEX], row[RESIDENT_INDEX],
                       row[HEADCOUNT_INDEX])
