"""store_heartbeats: the row /healthz commits to prove that the store can be written

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 09:40:00

A read answers while the disk is full or the files are read-only; only a committed write tells.
The table holds one row (id 1), rewritten by every health check.
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('store_heartbeats',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('beat_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_heartbeats'))
    )


def downgrade():
    op.drop_table('store_heartbeats')
