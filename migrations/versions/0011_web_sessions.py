"""web sessions, API tokens and login failures (issue 12)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'web_sessions',
        sa.Column('id_hash', sa.String(length=64), primary_key=True),  # SHA-256 of the cookie: a stolen table opens nothing
        sa.Column('username', sa.String(length=100), sa.ForeignKey('users.username'), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
    )
    op.create_table(
        'api_tokens',
        sa.Column('token_hash', sa.String(length=64), primary_key=True),
        sa.Column('username', sa.String(length=100), sa.ForeignKey('users.username'), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
    )
    op.create_table(
        'login_failures',
        sa.Column('username', sa.String(length=100), primary_key=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table('login_failures')
    op.drop_table('api_tokens')
    op.drop_table('web_sessions')
