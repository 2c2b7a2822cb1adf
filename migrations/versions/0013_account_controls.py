"""accounts: a user can be disabled; API tokens expire, are revoked and show when they were last used; sign-in
attempts carry their time, so the rows of names not tried for a day are cleared (issue 17)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TOKEN_DAYS = 90  # tokens made before expiry existed expire this long after they were made


def upgrade() -> None:
    # a plain ADD COLUMN: rebuilding `users` on SQLite would trip the foreign keys that point at it
    op.add_column('users', sa.Column('disabled', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('api_tokens') as tokens:
        tokens.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        tokens.add_column(sa.Column('last_used_at', sa.DateTime(), nullable=True))
        tokens.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
        tokens.add_column(sa.Column('revoked_by', sa.String(length=100), nullable=True))
    op.add_column('login_failures', sa.Column('last_attempt_at', sa.DateTime(), nullable=True))
    table = sa.table('api_tokens', sa.column('token_hash', sa.String), sa.column('created_at', sa.DateTime),
                     sa.column('expires_at', sa.DateTime))
    conn = op.get_bind()
    for row in conn.execute(sa.select(table.c.token_hash, table.c.created_at)).all():
        conn.execute(sa.update(table).where(table.c.token_hash == row.token_hash)
                     .values(expires_at=row.created_at + dt.timedelta(days=TOKEN_DAYS)))
    with op.batch_alter_table('api_tokens') as tokens:
        tokens.alter_column('expires_at', existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    op.drop_column('login_failures', 'last_attempt_at')
    with op.batch_alter_table('api_tokens') as tokens:
        tokens.drop_column('revoked_by')
        tokens.drop_column('revoked_at')
        tokens.drop_column('last_used_at')
        tokens.drop_column('expires_at')
    op.drop_column('users', 'disabled')
