"""unit_counts: each unit's counts per campaign, kept by triggers beside checkin_counts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 12:00:00

One row per (campaign, unit): its activities not cancelled, and the sums of their counter rows
by kind (lwpwa/reports/models.py). Filled here from what is stored, then kept in the writing
transaction by triggers on `checkin_counts` and `activities`:

- PostgreSQL: statement triggers with transition tables. A statement's changed counter rows
  are summed per unit in one upsert, units in key order (two writers lock them in one order),
  after the activities' rows have been locked FOR SHARE in id order: an edit that cancels or
  moves an activity and a sync into it wait for each other, so the sync never adds counts to a
  unit the activity has just left. An UPDATE of activities moves the counts of the rows whose
  campaign, unit or cancellation changed.
- SQLite (one writer at a time): row triggers doing the same per row.

A bulk load that bypasses triggers (`session_replication_role = replica`) must rebuild the
table (`flask --app wsgi recount --fix`, lwpwa.reports.rollup.rebuild).
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

FIGURES = ("attendee_scanned", "attendee_headcount", "volunteer_scanned", "volunteer_headcount")
SOURCES = (("scanned", "attendee"), ("headcount", "attendee"), ("scanned", "volunteer"), ("headcount", "volunteer"))
COLUMNS = "campaign_id, org_id, activities, " + ", ".join(FIGURES)

FILL = (
    f"INSERT INTO unit_counts ({COLUMNS}) "
    "SELECT a.campaign_id, a.org_id, COUNT(*), "
    + ", ".join(f"COALESCE(SUM(c.{name}), 0)" for name in FIGURES) +
    " FROM activities a LEFT JOIN (SELECT activity_id, "
    + ", ".join(f"SUM(CASE WHEN kind = '{kind}' THEN {column} ELSE 0 END) AS {name}"
                for name, (column, kind) in zip(FIGURES, SOURCES)) +
    " FROM checkin_counts GROUP BY activity_id) c ON c.activity_id = a.id"
    " WHERE NOT a.is_cancelled GROUP BY a.campaign_id, a.org_id"
)


def _pg_counter_function(name, delta):
    """A statement trigger's function adding a delta of counter rows (activity_id, kind,
    scanned, headcount) to the units of their activities."""
    sums = ", ".join(f"COALESCE(SUM(d.{column}) FILTER (WHERE d.kind = '{kind}'), 0)" for column, kind in SOURCES)
    updates = ", ".join(f"{f} = u.{f} + excluded.{f}" for f in FIGURES)
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM activities WHERE id IN (SELECT activity_id FROM ({delta}) AS d) ORDER BY id FOR SHARE;
    INSERT INTO unit_counts AS u ({COLUMNS})
    SELECT a.campaign_id, a.org_id, 0, {sums}
    FROM ({delta}) AS d JOIN activities a ON a.id = d.activity_id
    WHERE NOT a.is_cancelled
    GROUP BY a.campaign_id, a.org_id ORDER BY a.campaign_id, a.org_id
    ON CONFLICT (campaign_id, org_id) DO UPDATE SET {updates};
    RETURN NULL;
END $$"""


def _pg_activity_function(name, moves):
    """A statement trigger's function moving activities into (sign 1) or out of (-1) their
    units' counts, with the sums of their counter rows; `moves` selects (id, campaign_id,
    org_id, sign) from the transition tables."""
    signed = ", ".join(f"COALESCE(SUM(m.sign * c.{f}), 0)" for f in FIGURES)
    per_activity = ", ".join(f"SUM(CASE WHEN kind = '{kind}' THEN {column} ELSE 0 END) AS {f}"
                             for f, (column, kind) in zip(FIGURES, SOURCES))
    updates = ", ".join(f"{f} = u.{f} + excluded.{f}" for f in FIGURES)
    zero = " AND ".join(f"{f} = 0" for f in FIGURES)
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH moves AS ({moves}),
         counted AS (SELECT activity_id, {per_activity} FROM checkin_counts
                     WHERE activity_id IN (SELECT id FROM moves) GROUP BY activity_id)
    INSERT INTO unit_counts AS u ({COLUMNS})
    SELECT m.campaign_id, m.org_id, SUM(m.sign), {signed}
    FROM moves m LEFT JOIN counted c ON c.activity_id = m.id
    GROUP BY m.campaign_id, m.org_id ORDER BY m.campaign_id, m.org_id
    ON CONFLICT (campaign_id, org_id) DO UPDATE SET activities = u.activities + excluded.activities, {updates};
    IF FOUND THEN
        DELETE FROM unit_counts WHERE activities = 0 AND {zero}
            AND (campaign_id, org_id) IN (SELECT campaign_id, org_id FROM ({moves}) AS moves WHERE sign < 0);
    END IF;
    RETURN NULL;
END $$"""


# An UPDATE moves the rows whose campaign, unit or cancellation changed.
_MOVED = ("n.campaign_id <> o.campaign_id OR n.org_id <> o.org_id OR n.is_cancelled <> o.is_cancelled")
PG_ACTIVITY_FUNCTIONS = {
    "unit_counts_activities_added": "SELECT id, campaign_id, org_id, 1 AS sign FROM added WHERE NOT is_cancelled",
    "unit_counts_activities_changed": (
        f"SELECT o.id, o.campaign_id, o.org_id, -1 AS sign FROM removed o JOIN added n ON n.id = o.id"
        f" WHERE NOT o.is_cancelled AND ({_MOVED}) UNION ALL"
        f" SELECT n.id, n.campaign_id, n.org_id, 1 FROM removed o JOIN added n ON n.id = o.id"
        f" WHERE NOT n.is_cancelled AND ({_MOVED})"),
    "unit_counts_activities_removed": "SELECT id, campaign_id, org_id, -1 AS sign FROM removed WHERE NOT is_cancelled",
}


PG_TRIGGERS = (
    "CREATE TRIGGER unit_counts_counters_insert AFTER INSERT ON checkin_counts REFERENCING NEW TABLE AS added"
    " FOR EACH STATEMENT EXECUTE FUNCTION unit_counts_counters_added()",
    "CREATE TRIGGER unit_counts_counters_update AFTER UPDATE ON checkin_counts"
    " REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION unit_counts_counters_changed()",
    "CREATE TRIGGER unit_counts_counters_delete AFTER DELETE ON checkin_counts REFERENCING OLD TABLE AS removed"
    " FOR EACH STATEMENT EXECUTE FUNCTION unit_counts_counters_removed()",
    "CREATE TRIGGER unit_counts_activities_insert AFTER INSERT ON activities REFERENCING NEW TABLE AS added"
    " FOR EACH STATEMENT EXECUTE FUNCTION unit_counts_activities_added()",
    "CREATE TRIGGER unit_counts_activities_update AFTER UPDATE ON activities"
    " REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION unit_counts_activities_changed()",
    "CREATE TRIGGER unit_counts_activities_delete AFTER DELETE ON activities REFERENCING OLD TABLE AS removed"
    " FOR EACH STATEMENT EXECUTE FUNCTION unit_counts_activities_removed()",
)
PG_FUNCTIONS = {
    "unit_counts_counters_added": "SELECT activity_id, kind, scanned, headcount FROM added",
    "unit_counts_counters_changed": ("SELECT activity_id, kind, scanned, headcount FROM added UNION ALL"
                                     " SELECT activity_id, kind, -scanned AS scanned, -headcount AS headcount FROM removed"),
    "unit_counts_counters_removed": "SELECT activity_id, kind, -scanned AS scanned, -headcount AS headcount FROM removed",
}


def _sqlite_counter(row, sign):
    """SQLite: add (sign +1) or take off (-1) one counter row's share at its activity's unit.
    Taking off only ever updates a row that is there (what it takes off was added to it)."""
    values = ", ".join(f"CASE WHEN {row}.kind = '{kind}' THEN {row}.{column} ELSE 0 END" for column, kind in SOURCES)
    if sign > 0:
        return (f"INSERT INTO unit_counts ({COLUMNS}) SELECT a.campaign_id, a.org_id, 0, {values}"
                f" FROM activities a WHERE a.id = {row}.activity_id AND NOT a.is_cancelled"
                " ON CONFLICT (campaign_id, org_id) DO UPDATE SET "
                + ", ".join(f"{f} = {f} + excluded.{f}" for f in FIGURES) + ";")
    sets = ", ".join(f"{f} = {f} - (CASE WHEN {row}.kind = '{kind}' THEN {row}.{column} ELSE 0 END)"
                     for f, (column, kind) in zip(FIGURES, SOURCES))
    return (f"UPDATE unit_counts SET {sets} WHERE (campaign_id, org_id) IN"
            f" (SELECT campaign_id, org_id FROM activities WHERE id = {row}.activity_id AND NOT is_cancelled);")


def _sqlite_activity(row, sign):
    """SQLite: an activity joins (+1) or leaves (-1) its unit's count, with its counter rows."""
    sums = [f"(SELECT COALESCE(SUM({column}), 0) FROM checkin_counts WHERE activity_id = {row}.id AND kind = '{kind}')"
            for column, kind in SOURCES]
    if sign > 0:
        return (f"INSERT INTO unit_counts ({COLUMNS}) SELECT {row}.campaign_id, {row}.org_id, 1, {', '.join(sums)}"
                f" WHERE NOT {row}.is_cancelled ON CONFLICT (campaign_id, org_id) DO UPDATE SET"
                " activities = activities + 1, " + ", ".join(f"{f} = {f} + excluded.{f}" for f in FIGURES) + ";")
    sets = ", ".join(f"{f} = {f} - {total}" for f, total in zip(FIGURES, sums))
    return (f"UPDATE unit_counts SET activities = activities - 1, {sets}"
            f" WHERE campaign_id = {row}.campaign_id AND org_id = {row}.org_id AND NOT {row}.is_cancelled;"
            f" DELETE FROM unit_counts WHERE campaign_id = {row}.campaign_id AND org_id = {row}.org_id"
            " AND activities = 0 AND " + " AND ".join(f"{f} = 0" for f in FIGURES) + ";")


CHANGED = "OLD.campaign_id IS NOT NEW.campaign_id OR OLD.org_id IS NOT NEW.org_id OR OLD.is_cancelled IS NOT NEW.is_cancelled"
SQLITE_TRIGGERS = {
    "unit_counts_counters_insert": f"AFTER INSERT ON checkin_counts BEGIN {_sqlite_counter('NEW', 1)} END",
    "unit_counts_counters_update": (f"AFTER UPDATE ON checkin_counts BEGIN {_sqlite_counter('OLD', -1)}"
                                    f" {_sqlite_counter('NEW', 1)} END"),
    "unit_counts_counters_delete": f"AFTER DELETE ON checkin_counts BEGIN {_sqlite_counter('OLD', -1)} END",
    "unit_counts_activities_insert": f"AFTER INSERT ON activities BEGIN {_sqlite_activity('NEW', 1)} END",
    "unit_counts_activities_update": (f"AFTER UPDATE OF campaign_id, org_id, is_cancelled ON activities WHEN {CHANGED}"
                                      f" BEGIN {_sqlite_activity('OLD', -1)} {_sqlite_activity('NEW', 1)} END"),
    "unit_counts_activities_delete": f"AFTER DELETE ON activities BEGIN {_sqlite_activity('OLD', -1)} END",
}


def upgrade():
    op.create_table(
        'unit_counts',
        sa.Column('campaign_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('org_id', sa.Integer(), autoincrement=False, nullable=False),
        *(sa.Column(name, sa.Integer() if name == "activities" else sa.BigInteger(), server_default=sa.text('0'),
                    nullable=False) for name in ("activities", *FIGURES)),
        sa.PrimaryKeyConstraint('campaign_id', 'org_id', name=op.f('pk_unit_counts')),
    )
    op.execute(FILL)
    if op.get_bind().dialect.name == "postgresql":
        for name, delta in PG_FUNCTIONS.items():
            op.execute(_pg_counter_function(name, delta))
        for name, moves in PG_ACTIVITY_FUNCTIONS.items():
            op.execute(_pg_activity_function(name, moves))
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_TRIGGERS:
            name, table = statement.split()[2], statement.split(" ON ")[1].split()[0]
            op.execute(f"DROP TRIGGER {name} ON {table}")
        for name in (*PG_FUNCTIONS, *PG_ACTIVITY_FUNCTIONS):
            op.execute(f"DROP FUNCTION {name}()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table('unit_counts')
