"""code filter: indexes on sign_in_codes.created_at and revoked_at

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 09:40:00

The scanners' code filter (GET /api/v1/campaigns/<id>/code-filter) sends each phone the codes
issued and revoked since its last version: two range reads instead of two table scans.
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_sign_in_codes_created_at", "sign_in_codes", ["created_at"])
    op.create_index("ix_sign_in_codes_revoked_at", "sign_in_codes", ["revoked_at"])


def downgrade():
    op.drop_index("ix_sign_in_codes_revoked_at", table_name="sign_in_codes")
    op.drop_index("ix_sign_in_codes_created_at", table_name="sign_in_codes")
