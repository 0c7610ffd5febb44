"""corrections: voids of counted check-ins, each a row of its own that points at what it undoes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:40:00

A counted check-in is never edited or deleted: a correction (the phone's undo, or a site lead's
void with a reason) is a new row here, and the check-in's status goes from `accepted` to
`voided` in the same transaction as the counts (lwpwa/checkins/voids.py). `client_id` is the
phone's id of the undo (unique: a resend answers as stored); a site lead's void has none.
No data to move: nothing was voided before this migration.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'corrections',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('client_id', sa.String(length=36), nullable=True),
        sa.Column('checkin_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
        sa.Column('target_client_id', sa.String(length=36), nullable=True),
        sa.Column('by_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('device_id', sa.String(length=64), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=32), nullable=True),
        sa.Column('note', sa.String(length=200), nullable=True),
        sa.Column('device_made_at', sa.DateTime(), nullable=True),
        sa.Column('made_at', sa.DateTime(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_corrections_by_id_users')),
        sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_corrections_checkin_id_checkins')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_corrections')),
        sa.UniqueConstraint('client_id', name=op.f('uq_corrections_client_id')),
    )
    op.create_index(op.f('ix_corrections_checkin_id'), 'corrections', ['checkin_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_corrections_checkin_id'), table_name='corrections')
    op.drop_table('corrections')
