"""submissions: numbered versions, decisions (accepted / returned) and region tables

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:40:00

Every submission stored before this revision becomes a version of its unit's table, numbered
1, 2, … per (unit, campaign) in the order it was submitted, with status `submitted`. Its
snapshot and fingerprint stay exactly as they were (a record is never rewritten; the fingerprint
is the SHA-256 of that snapshot's serialization, so it still verifies).
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_code', sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='submitted', nullable=False))
        batch_op.add_column(sa.Column('comment', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(), nullable=True))

    # Version numbers for the submissions already stored: their rank per (unit, campaign).
    op.execute(
        "UPDATE submissions SET version = (SELECT COUNT(*) FROM submissions AS earlier"
        " WHERE earlier.org_id = submissions.org_id AND earlier.campaign_id = submissions.campaign_id"
        " AND (earlier.submitted_at < submissions.submitted_at"
        " OR (earlier.submitted_at = submissions.submitted_at AND earlier.id <= submissions.id)))")

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.alter_column('version', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('org_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_index('ix_submissions_org_campaign')
        batch_op.create_index('ix_submissions_fingerprint', ['fingerprint'], unique=False)
        batch_op.create_unique_constraint('uq_submissions_org_campaign_version', ['org_id', 'campaign_id', 'version'])
        batch_op.create_unique_constraint('uq_submissions_region_campaign_version',
                                          ['region_code', 'campaign_id', 'version'])
        batch_op.create_foreign_key(batch_op.f('fk_submissions_region_code_regions'), 'regions',
                                    ['region_code'], ['code'])
        batch_op.create_foreign_key(batch_op.f('fk_submissions_decided_by_id_users'), 'users',
                                    ['decided_by_id'], ['id'])
        batch_op.create_check_constraint('unit_or_region', '(org_id IS NULL) <> (region_code IS NULL)')
        batch_op.create_check_constraint('status', "status IN ('submitted', 'accepted', 'returned')")


def downgrade():
    # Region tables have no place in the older schema: they go; units' versions stay as rows.
    op.execute("DELETE FROM submissions WHERE org_id IS NULL")
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_submissions_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_submissions_unit_or_region'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_submissions_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_submissions_region_code_regions'), type_='foreignkey')
        batch_op.drop_constraint('uq_submissions_region_campaign_version', type_='unique')
        batch_op.drop_constraint('uq_submissions_org_campaign_version', type_='unique')
        batch_op.drop_index('ix_submissions_fingerprint')
        batch_op.create_index('ix_submissions_org_campaign', ['org_id', 'campaign_id', 'submitted_at'], unique=False)
        batch_op.alter_column('org_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('comment')
        batch_op.drop_column('status')
        batch_op.drop_column('version')
        batch_op.drop_column('region_code')
