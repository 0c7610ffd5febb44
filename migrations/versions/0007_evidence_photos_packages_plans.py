"""evidence: activity photos, handed-in evidence packages, plans (实施方案); campaigns.table_title

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:40:00

Photos are unique by the id the phone made (a resend stores nothing twice) and by (activity,
slot) with slot 1..20 (no race stores a 21st); a removed photo keeps its row with no slot.
Plans are unique per (campaign, owner, kind): a unit's or a bureau's Word and PDF versions.
`campaigns.table_title` is the statistics table's own title; left empty, it is derived from the
campaign's title (`山西省 2022 年全民终身学习活动周情况统计表` for the seeded Shanxi week).
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

def upgrade():
    op.create_table('evidence_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('first_uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_evidence_plans_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_evidence_plans_org_id_orgs')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_evidence_plans_region_code_regions')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_evidence_plans_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_plans')),
    sa.UniqueConstraint('campaign_id', 'owner', 'kind', name='uq_evidence_plans_owner_kind')
    )
    with op.batch_alter_table('evidence_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_plans_campaign_id'), ['campaign_id'], unique=False)
    op.create_table('evidence_packages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('case_activity_id', sa.Integer(), nullable=True),
    sa.Column('handed_in_by_id', sa.Integer(), nullable=True),
    sa.Column('handed_in_at', sa.DateTime(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('photo_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_evidence_packages_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['case_activity_id'], ['activities.id'], name=op.f('fk_evidence_packages_case_activity_id_activities')),
    sa.ForeignKeyConstraint(['handed_in_by_id'], ['users.id'], name=op.f('fk_evidence_packages_handed_in_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_evidence_packages_org_id_orgs')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_evidence_packages_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_packages'))
    )
    with op.batch_alter_table('evidence_packages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_packages_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index('ix_evidence_packages_org_campaign', ['org_id', 'campaign_id', 'handed_in_at'], unique=False)
    op.create_table('evidence_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('in_package', sa.Boolean(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('slot BETWEEN 1 AND 20', name=op.f('ck_evidence_photos_slot')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_evidence_photos_activity_id_activities')),
    sa.ForeignKeyConstraint(['org_id'], ['orgs.id'], name=op.f('fk_evidence_photos_org_id_orgs')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_evidence_photos_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_photos')),
    sa.UniqueConstraint('activity_id', 'slot', name='uq_evidence_photos_activity_slot'),
    sa.UniqueConstraint('client_id', name=op.f('uq_evidence_photos_client_id'))
    )
    with op.batch_alter_table('evidence_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_photos_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_photos_org_id'), ['org_id'], unique=False)
    # Plain ALTER TABLE (SQLite 3.35+ too): a batch copy of campaigns would trip its foreign keys.
    op.add_column('campaigns', sa.Column('table_title', sa.String(length=200), server_default='', nullable=False))


def downgrade():
    op.drop_column('campaigns', 'table_title')
    with op.batch_alter_table('evidence_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_photos_org_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_photos_activity_id'))
    op.drop_table('evidence_photos')
    with op.batch_alter_table('evidence_packages', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_packages_org_campaign')
        batch_op.drop_index(batch_op.f('ix_evidence_packages_campaign_id'))
    op.drop_table('evidence_packages')
    with op.batch_alter_table('evidence_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_plans_campaign_id'))
    op.drop_table('evidence_plans')
