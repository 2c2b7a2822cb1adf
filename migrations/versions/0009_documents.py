"""documents: the agencies' document settings (number prefix, review body, court, vertically led) and the
gapless counters of document numbers per agency, type and year

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN, not a batch copy: SQLite cannot drop `agencies` while user_agencies refers to it
    op.add_column('agencies', sa.Column('doc_prefix', sa.String(length=40), nullable=False, server_default=''))
    op.add_column('agencies', sa.Column('review_body', sa.String(length=200), nullable=False, server_default=''))
    op.add_column('agencies', sa.Column('court', sa.String(length=200), nullable=False, server_default=''))
    op.add_column('agencies', sa.Column('vertically_led', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'document_numbers',
        sa.Column('agency', sa.String(length=100), nullable=False),
        sa.Column('doc_type', sa.String(length=40), nullable=False),
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('agency', 'doc_type', 'year'),
    )


def downgrade() -> None:
    op.drop_table('document_numbers')
    with op.batch_alter_table('agencies') as batch:
        batch.drop_column('vertically_led')
        batch.drop_column('court')
        batch.drop_column('review_body')
        batch.drop_column('doc_prefix')
