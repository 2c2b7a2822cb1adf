"""the online door: submissions from /apply and platforms, their files, applicant codes, released files, platform
tokens and payment callbacks (issue 20)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (a batch copy of `agencies` would trip the foreign keys that point at it on SQLite)
    op.add_column('agencies', sa.Column('accepts_online', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('agencies', sa.Column('payment_info', sa.Text(), nullable=False, server_default=''))
    op.create_table(
        'portal_submissions',
        sa.Column('id', sa.String(length=64), primary_key=True),
        sa.Column('agency', sa.String(length=100), nullable=False),
        sa.Column('fields', sa.Text(), nullable=False),
        sa.Column('address_key', sa.String(length=64), nullable=False),
        sa.Column('contact_key', sa.String(length=64), nullable=False),
        sa.Column('code_hash', sa.String(length=64)),
        sa.Column('code_channel', sa.String(length=10)),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('filed_at', sa.DateTime()),
        sa.Column('request_id', sa.String(length=200)),
        sa.Column('platform', sa.String(length=100)),
        sa.Column('idempotency_key', sa.String(length=200)),
        sa.UniqueConstraint('platform', 'idempotency_key', name='uq_portal_submissions_platform_key'),
    )
    op.create_index('ix_portal_submissions_address', 'portal_submissions', ['address_key', 'created_at'])
    op.create_index('ix_portal_submissions_contact', 'portal_submissions', ['contact_key', 'created_at'])
    op.create_table(
        'portal_uploads',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('submission_id', sa.String(length=64), sa.ForeignKey('portal_submissions.id'), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
    )
    op.create_index('ix_portal_uploads_submission_id', 'portal_uploads', ['submission_id'])
    op.create_table(
        'applicant_codes',
        sa.Column('id', sa.String(length=64), primary_key=True),
        sa.Column('request_id', sa.String(length=200), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('address_key', sa.String(length=64), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime()),
    )
    op.create_index('ix_applicant_codes_request', 'applicant_codes', ['request_id', 'created_at'])
    op.create_index('ix_applicant_codes_address', 'applicant_codes', ['address_key', 'created_at'])
    op.create_table(
        'released_files',
        sa.Column('sha256', sa.String(length=64), primary_key=True),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('media_type', sa.String(length=100), nullable=False),
        sa.Column('stored_at', sa.DateTime(), nullable=False),
    )
    op.create_table(
        'platform_tokens',
        sa.Column('token_hash', sa.String(length=64), primary_key=True),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('display_name', sa.String(length=200), nullable=False),
        sa.Column('agencies', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('revoked_at', sa.DateTime()),
    )
    op.create_table(
        'payment_callbacks',
        sa.Column('transaction_id', sa.String(length=100), primary_key=True),
        sa.Column('request_id', sa.String(length=200), nullable=False),
        sa.Column('amount_yuan', sa.Float(), nullable=False),
        sa.Column('paid_at', sa.DateTime(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column('agencies', 'payment_info')
    op.drop_column('agencies', 'accepts_online')
    for table in ('payment_callbacks', 'platform_tokens', 'released_files'):
        op.drop_table(table)
    op.drop_index('ix_applicant_codes_address', table_name='applicant_codes')
    op.drop_index('ix_applicant_codes_request', table_name='applicant_codes')
    op.drop_table('applicant_codes')
    op.drop_index('ix_portal_uploads_submission_id', table_name='portal_uploads')
    op.drop_table('portal_uploads')
    op.drop_index('ix_portal_submissions_contact', table_name='portal_submissions')
    op.drop_index('ix_portal_submissions_address', table_name='portal_submissions')
    op.drop_table('portal_submissions')
