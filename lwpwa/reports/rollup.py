"""Checking `unit_counts` (lwpwa/reports/models.py) against what it sums, and rebuilding it.

The truth: per (campaign, unit), the activities not cancelled and the sums of their rows of
`checkin_counts` by kind. Both back `flask --app wsgi recount [--fix]`, after the counter rows
themselves are checked (or rebuilt) against `checkins`.
"""
from sqlalchemy import text

from ..extensions import db
from .models import UnitCount

TABLE = UnitCount.__tablename__
FIGURES = ("attendee_scanned", "attendee_headcount", "volunteer_scanned", "volunteer_headcount")
SOURCES = (("scanned", "attendee"), ("headcount", "attendee"), ("scanned", "volunteer"), ("headcount", "volunteer"))
COLUMNS = ("campaign_id", "org_id", "activities", *FIGURES)

TRUTH_SQL = (
    "SELECT a.campaign_id, a.org_id, COUNT(*) AS activities, "
    + ", ".join(f"COALESCE(SUM(c.{name}), 0) AS {name}" for name in FIGURES) +
    " FROM activities a LEFT JOIN (SELECT activity_id, "
    + ", ".join(f"SUM(CASE WHEN kind = '{kind}' THEN {column} ELSE 0 END) AS {name}"
                for name, (column, kind) in zip(FIGURES, SOURCES)) +
    " FROM checkin_counts GROUP BY activity_id) c ON c.activity_id = a.id"
    " WHERE NOT a.is_cancelled GROUP BY a.campaign_id, a.org_id"
)


def differences():
    """[(campaign_id, org_id, row of the table or None, the truth or None)] where they differ,
    each side a tuple (activities, *FIGURES); one statement, so one snapshot on PostgreSQL."""
    rows = db.session.execute(text(
        f"SELECT 'table', {', '.join(COLUMNS)} FROM {TABLE}"
        f" UNION ALL SELECT 'truth', * FROM ({TRUTH_SQL}) AS truth")).all()
    sides = {"table": {}, "truth": {}}
    for side, campaign_id, org_id, *values in rows:
        values = tuple(int(v) for v in values)
        if side == "table" and not any(values):
            continue  # a row brought back to nothing is as good as none
        sides[side][(campaign_id, org_id)] = values
    table, truth = sides["table"], sides["truth"]
    return [(*key, table.get(key), truth.get(key)) for key in sorted(set(table) | set(truth))
            if table.get(key) != truth.get(key)]


def rebuild():
    """Replace the table by the truth. Writers of counts wait meanwhile on PostgreSQL (the
    table is locked); on SQLite the caller holds the write lock (begin_write)."""
    if db.session.connection().dialect.name == "postgresql":
        db.session.execute(text(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE"))
    db.session.execute(text(f"DELETE FROM {TABLE}"))
    db.session.execute(text(f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) {TRUTH_SQL}"))


def describe(values):
    if values is None:
        return "no row"
    return " ".join(f"{name}={value}" for name, value in zip(("activities", *FIGURES), values))
