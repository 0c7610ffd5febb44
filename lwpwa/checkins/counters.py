"""Keeping `checkin_counts` exactly in step with `checkins`, and checking that it is.

Every write that makes a check-in `accepted` adds it to its (activity, kind, day) row in the same
transaction: sync after its inserts are settled (only the rows it inserted as accepted; a lost
insert that became a duplicate, or an id answered as stored, adds nothing), a site lead's
approval of a held check-in. The one write that makes an accepted row anything else is a void
(voids.py: accepted -> voided, by a conditional UPDATE whose rowcount says whether this
transaction did it), which takes exactly that row's share off (`remove`). A row brought back to
(0, 0) is deleted, so that the table holds a row exactly where the aggregate of `checkins` does.
Erasing or anonymizing a resident leaves check-ins as they are.

The additions of a transaction are gathered in a dict (`Counts`) and applied by one multi-row
upsert, keys sorted, just before the commit: on PostgreSQL two transactions then take the
counter rows' locks in one order (no deadlock between them), and hold them only until their
commit. A transaction applies its counts once, after all its check-in inserts: holding a
counter row while still inserting check-ins could wait on another writer that waits for it.

`differences()` compares the table with the aggregate of `checkins` (the definition: distinct
(person, day)s of accepted rows naming a person, plus the sum of accepted tallies); `rebuild()`
replaces the table by that aggregate. Both back `flask --app wsgi recount [--fix]`.
"""
from functools import lru_cache

from sqlalchemy import text

from ..extensions import db
from ..flags.dirty import mark_dirty
from .models import CheckinCount

TABLE = CheckinCount.__tablename__
COLUMNS = ("activity_id", "kind", "day", "scanned", "headcount")
_CONFLICT = (" ON CONFLICT (activity_id, kind, day) DO UPDATE SET"
             f" scanned = {TABLE}.scanned + excluded.scanned,"
             f" headcount = {TABLE}.headcount + excluded.headcount")

# The truth, from checkins: rows without a day (see migration 0003) are not counted.
TRUTH_SQL = (
    "SELECT activity_id, kind, day, COUNT(DISTINCT resident_id) AS scanned,"
    " COALESCE(SUM(headcount), 0) AS headcount FROM checkins"
    " WHERE status = 'accepted' AND activity_id IS NOT NULL AND kind IS NOT NULL AND day IS NOT NULL"
    " GROUP BY activity_id, kind, day"
)


class Counts(dict):
    """{(activity_id, kind, day): [scanned, headcount]}: what a transaction adds."""

    def add(self, activity_id, kind, day, resident_id, headcount):
        """One check-in that became accepted: a person counts 1 (in `scanned`), a tally its
        headcount. A row without a day is not counted (see migration 0003)."""
        if day is None:
            return
        entry = self.get((activity_id, kind, day))
        if entry is None:
            entry = self[(activity_id, kind, day)] = [0, 0]
        if resident_id is not None:
            entry[0] += 1
        else:
            entry[1] += headcount or 0

    def remove(self, activity_id, kind, day, resident_id, headcount):
        """One accepted check-in that was voided: exactly what `add` counted for it comes off."""
        if day is None:
            return
        entry = self.get((activity_id, kind, day))
        if entry is None:
            entry = self[(activity_id, kind, day)] = [0, 0]
        if resident_id is not None:
            entry[0] -= 1
        else:
            entry[1] -= headcount or 0

    def apply(self):
        """Add everything to `checkin_counts`, in this transaction, by one upsert; then empty."""
        if not self:
            return
        connection = db.session.connection()
        sqlite = connection.dialect.name == "sqlite"
        merged = {}
        for (activity_id, kind, day), (scanned, headcount) in self.items():
            if sqlite and not isinstance(day, str):
                day = day.isoformat()  # as SQLAlchemy's Date stores it on SQLite
            entry = merged.setdefault((activity_id, kind, day), [0, 0])
            entry[0] += scanned
            entry[1] += headcount
        self.clear()
        rows = [(*key, scanned, headcount) for key, (scanned, headcount) in sorted(merged.items())
                if scanned or headcount]
        mark_dirty({key[0] for key in merged})  # their anomaly flags, recomputed on the next read
        if not rows:
            return
        # Keys some of whose counts came off: a row they bring back to (0, 0) is deleted after.
        lowered = [key for key, (scanned, headcount) in sorted(merged.items()) if scanned < 0 or headcount < 0]
        cursor = connection.connection.cursor()  # the driver's, in this transaction
        try:
            if sqlite:
                for start in range(0, len(rows), 500):
                    chunk = rows[start:start + 500]
                    cursor.execute(_sqlite_upsert_sql(len(chunk)), [value for row in chunk for value in row])
            else:
                # One array per column, binary, as store.py inserts check-ins.
                cursor.execute(_postgresql_upsert_sql(), [list(column) for column in zip(*rows)])
            if lowered:
                placeholder = "?" if sqlite else "%s"
                cursor.executemany(
                    f"DELETE FROM {TABLE} WHERE activity_id = {placeholder} AND kind = {placeholder}"
                    f" AND day = {placeholder} AND scanned = 0 AND headcount = 0", lowered)
        finally:
            cursor.close()


@lru_cache(maxsize=64)
def _sqlite_upsert_sql(count):
    values = "(" + ", ".join("?" * len(COLUMNS)) + ")"
    return f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES " + ", ".join([values] * count) + _CONFLICT


@lru_cache(maxsize=1)
def _postgresql_upsert_sql():
    # ORDER BY: the rows are locked in key order by definition, not by unnest's habit.
    return (f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) SELECT * FROM unnest("
            "%b::integer[], %b::varchar[], %b::date[], %b::integer[], %b::bigint[])"
            " AS added (activity_id, kind, day, scanned, headcount) ORDER BY activity_id, kind, day"
            + _CONFLICT)


def _as_date(value):
    """Days as SQLite hands them back from raw SQL (text) and PostgreSQL (date), as text."""
    return value if isinstance(value, str) else value.isoformat()


def differences():
    """[(activity_id, kind, day, (table scanned, headcount) or None, (truth) or None)] where
    `checkin_counts` and the aggregate of `checkins` disagree, in key order. One statement, so
    that on PostgreSQL both sides are read from one snapshot even while syncs write."""
    rows = db.session.execute(text(
        f"SELECT 'table', activity_id, kind, day, scanned, headcount FROM {TABLE}"
        f" UNION ALL SELECT 'truth', * FROM ({TRUTH_SQL}) AS truth")).all()
    table, truth = {}, {}
    for side, activity_id, kind, day, scanned, headcount in rows:
        (table if side == "table" else truth)[(activity_id, kind, _as_date(day))] = (int(scanned), int(headcount))
    return [(*key, table.get(key), truth.get(key))
            for key in sorted(table.keys() | truth.keys()) if table.get(key) != truth.get(key)]


def lock_for_rebuild():
    """Keep writers of the counters out until this transaction ends (PostgreSQL: they wait at
    their upsert, then add to the rebuilt rows; readers go on). SQLite: the caller holds the
    write lock already (begin_write)."""
    if db.session.connection().dialect.name == "postgresql":
        db.session.execute(text(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE"))


def rebuild():
    """Replace `checkin_counts` by the aggregate of `checkins` (call lock_for_rebuild first)."""
    db.session.execute(text(f"DELETE FROM {TABLE}"))
    db.session.execute(text(f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) {TRUTH_SQL}"))
