"""log head: reference_version, moved by changes to data that processes cache (calendar years, publications)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('log_head') as batch:
        batch.add_column(sa.Column('reference_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('log_head') as batch:
        batch.drop_column('reference_version')
