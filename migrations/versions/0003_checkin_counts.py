"""checkin_counts: counts per (activity, kind, day), kept in step with checkins

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 03:20:00.000000

The table is filled from the check-ins already stored, in the same transaction as it is made:
one INSERT ... SELECT ... GROUP BY over the accepted rows. `scanned` is COUNT(resident_id):
the partial unique index `uq_checkins_counted_person_day` already makes the accepted rows that
name a person distinct (person, day) pairs per (activity, kind).

Accepted rows without a day are left out (so are rows without an activity or a kind, which
sync never accepts). A day is missing only where the scan time has no local date in the
campaign's time zone (at the very edge of the calendar, year 9999 or year 1): sync holds such a
scan (far outside any real activity), and only a site lead's approval could make it accepted;
the review now keeps it held instead. Such a row has no day to be reported under (the per-day
statistics failed on it before), so it is not counted, and `flask --app wsgi recount` leaves it
out too.

Servers still running the previous code until their restart add accepted check-ins without
counting them here: after an upgrade, run `flask --app wsgi recount --fix` once (docs/deploy.md).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkin_counts',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('scanned', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('headcount', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_checkin_counts_activity_id_activities')),
    sa.PrimaryKeyConstraint('activity_id', 'kind', 'day', name=op.f('pk_checkin_counts'))
    )
    op.execute(
        "INSERT INTO checkin_counts (activity_id, kind, day, scanned, headcount) "
        "SELECT activity_id, kind, day, COUNT(resident_id), COALESCE(SUM(headcount), 0) "
        "FROM checkins "
        "WHERE status = 'accepted' AND activity_id IS NOT NULL AND kind IS NOT NULL AND day IS NOT NULL "
        "GROUP BY activity_id, kind, day"
    )


def downgrade():
    op.drop_table('checkin_counts')
