"""requests: keyed seals over every column (wider), cleared here and made by `ogi init` with the log's key;
users: the agencies they work for, e-mail and phone

The seals before this one were unkeyed hashes over the report fields; `ogi init` folds every row again
with the key (the key is outside the database, so no migration can make a keyed seal).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('requests') as batch:
        batch.alter_column('seal', type_=sa.String(length=100), existing_type=sa.String(length=64),
                           existing_nullable=False)
    op.execute("UPDATE requests SET seal = ''")
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('email', sa.String(length=200)))
        batch.add_column(sa.Column('phone', sa.String(length=40)))
    op.create_table(
        'user_agencies',
        sa.Column('username', sa.String(length=100), sa.ForeignKey('users.username'), nullable=False),
        sa.Column('agency', sa.String(length=100), sa.ForeignKey('agencies.slug'), nullable=False),
        sa.PrimaryKeyConstraint('username', 'agency'),
    )


def downgrade() -> None:
    op.drop_table('user_agencies')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('phone')
        batch.drop_column('email')
    op.execute("UPDATE requests SET seal = ''")
    with op.batch_alter_table('requests') as batch:
        batch.alter_column('seal', type_=sa.String(length=64), existing_type=sa.String(length=100),
                           existing_nullable=False)
