"""checkins: indexes a sync can write cheaply

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 03:30:00

Every sync inserts hundreds of rows into `checkins`; each index whose key is random in the
insert order costs one page write per row (bench/sync_ingest.py). Three such indexes go:
- `ix_checkins_activity_status` becomes (activity_id, status): rows of one activity arrive in
  id order, so its entries append; the counts it used to cover come from `checkin_counts`;
- `ix_checkins_resident_id` goes: the one-count-per-person index now leads with the person
  (resident_id, day, kind, activity_id) and serves a resident's own history and the anomaly
  "same code, two places at once"; uniqueness is the same set of columns.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

COUNTED = sa.text("status = 'accepted' AND resident_id IS NOT NULL")


def upgrade():
    op.drop_index('ix_checkins_activity_status', table_name='checkins')
    op.create_index('ix_checkins_activity_status', 'checkins', ['activity_id', 'status'], unique=False)
    op.drop_index('uq_checkins_counted_person_day', table_name='checkins')
    op.create_index('uq_checkins_counted_person_day', 'checkins', ['resident_id', 'day', 'kind', 'activity_id'],
                    unique=True, sqlite_where=COUNTED, postgresql_where=COUNTED)
    op.drop_index(op.f('ix_checkins_resident_id'), table_name='checkins')


def downgrade():
    op.create_index(op.f('ix_checkins_resident_id'), 'checkins', ['resident_id'], unique=False)
    op.drop_index('uq_checkins_counted_person_day', table_name='checkins')
    op.create_index('uq_checkins_counted_person_day', 'checkins', ['activity_id', 'kind', 'resident_id', 'day'],
                    unique=True, sqlite_where=COUNTED, postgresql_where=COUNTED)
    op.drop_index('ix_checkins_activity_status', table_name='checkins')
    op.create_index('ix_checkins_activity_status', 'checkins',
                    ['activity_id', 'status', 'kind', 'day', 'resident_id', 'headcount'], unique=False)
