"""the queue's index: open requests by nearest deadline, then id, read in index order a page at a time

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_requests_queue', 'requests', ['next_due', 'request_id'])


def downgrade() -> None:
    op.drop_index('ix_requests_queue', table_name='requests')
