"""reserved: a slot in the migration chain, filled by one feature branch

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 09:40:00

The chain is laid out before parallel work starts, so that branches never need re-chaining:
each feature fills its own slot (and renames this file), and an empty slot changes nothing.
"""

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
