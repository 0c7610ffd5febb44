"""national regions: every GB/T 2260 code, releases and their changes, national campaigns

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:40:00

`regions` gains `current` (false once a newer release dropped the code) and `successor_code`
(where its units went); `region_releases` and `region_changes` record each release applied
(lwpwa/regions/update.py). `campaigns.parent_id` puts a province's week under a national one.
The rows themselves are loaded by `flask --app wsgi init-db`, not here.
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (SQLite has it): a batch copy of `regions` would break the foreign keys
    # of every table that references it.
    op.add_column('regions', sa.Column('current', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('regions', sa.Column('successor_code', sa.String(length=6), nullable=True))
    op.create_table(
        'region_releases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=100), nullable=False),
        sa.Column('version', sa.String(length=40), nullable=False),
        sa.Column('data_date', sa.String(length=10), nullable=True),
        sa.Column('applied_at', sa.DateTime(), nullable=False),
        sa.Column('regions', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_region_releases')),
    )
    op.create_table(
        'region_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('old_code', sa.String(length=6), nullable=True),
        sa.Column('new_code', sa.String(length=6), nullable=True),
        sa.Column('old_name', sa.String(length=64), nullable=True),
        sa.Column('new_name', sa.String(length=64), nullable=True),
        sa.Column('units_moved', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['region_releases.id'], name=op.f('fk_region_changes_release_id_region_releases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_region_changes')),
    )
    op.create_index('ix_region_changes_release_id', 'region_changes', ['release_id'])
    op.create_index('ix_region_changes_old_code', 'region_changes', ['old_code'])
    op.create_index('ix_region_changes_new_code', 'region_changes', ['new_code'])
    # No foreign key: SQLite adds one only by copying `campaigns`, which activities reference
    # (create-campaign checks that the parent exists; campaigns are never deleted).
    op.add_column('campaigns', sa.Column('parent_id', sa.Integer(), nullable=True))
    op.create_index('ix_campaigns_parent_id', 'campaigns', ['parent_id'])


def downgrade():
    op.drop_index('ix_campaigns_parent_id', 'campaigns')
    op.drop_column('campaigns', 'parent_id')
    op.drop_table('region_changes')
    op.drop_table('region_releases')
    op.drop_column('regions', 'successor_code')
    op.drop_column('regions', 'current')
