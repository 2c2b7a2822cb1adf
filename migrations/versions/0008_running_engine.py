"""the running engine: the sweep's index (requests.next_timer_at), task assignments and tasks, the outbox,
process heartbeats, and the agencies' reminder and webhook settings

The requests' seals cover the new column: they are cleared here and made again by `ogi init` (the key is
outside the database).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('requests') as batch:
        batch.add_column(sa.Column('next_timer_at', sa.DateTime()))
        batch.create_index('ix_requests_next_timer_at', ['next_timer_at'])
    op.execute("UPDATE requests SET seal = ''")
    # plain ADD COLUMN, not a batch copy: SQLite cannot drop `agencies` while user_agencies refers to it
    op.add_column('agencies', sa.Column('reminder_days', sa.String(length=40), nullable=False, server_default='5,2,0'))
    op.add_column('agencies', sa.Column('webhook_url', sa.String(length=400)))
    op.add_column('agencies', sa.Column('webhook_secret', sa.String(length=200)))
    op.create_table(
        'task_assignments',
        sa.Column('request_id', sa.String(length=200), nullable=False),
        sa.Column('task', sa.String(length=40), nullable=False),
        sa.Column('assignee', sa.String(length=100), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('request_id', 'task'),
    )
    op.create_table(
        'tasks',
        sa.Column('id', sa.String(length=260), nullable=False),
        sa.Column('request_id', sa.String(length=200), nullable=False),
        sa.Column('agency', sa.String(length=100), nullable=False),
        sa.Column('type', sa.String(length=40), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('article', sa.String(length=40), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('due', sa.Date()),
        sa.Column('assignee', sa.String(length=100)),
        sa.Column('derived_on', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_tasks_agency_due', 'tasks', ['agency', 'due'])
    op.create_index('ix_tasks_assignee', 'tasks', ['assignee'])
    op.create_index('ix_tasks_request', 'tasks', ['request_id'])
    op.create_table(
        'outbox',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('dedupe_key', sa.String(length=400), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('recipient', sa.String(length=100)),
        sa.Column('address', sa.String(length=400), nullable=False),
        sa.Column('request_id', sa.String(length=200)),
        sa.Column('agency', sa.String(length=100)),
        sa.Column('kind', sa.String(length=80), nullable=False),
        sa.Column('deadline_due', sa.Date()),
        sa.Column('subject', sa.String(length=400), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('enqueued_at', sa.DateTime()),
        sa.Column('last_error', sa.Text()),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime()),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dedupe_key'),
    )
    op.create_index('ix_outbox_status_next', 'outbox', ['status', 'next_attempt_at'])
    op.create_index('ix_outbox_request', 'outbox', ['request_id'])
    op.create_index('ix_outbox_recipient', 'outbox', ['recipient', 'channel'])
    op.create_table(
        'heartbeats',
        sa.Column('process', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('beat_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('process'),
    )


def downgrade() -> None:
    op.drop_table('heartbeats')
    op.drop_table('outbox')
    op.drop_table('tasks')
    op.drop_table('task_assignments')
    with op.batch_alter_table('agencies') as batch:
        batch.drop_column('webhook_secret')
        batch.drop_column('webhook_url')
        batch.drop_column('reminder_days')
    op.execute("UPDATE requests SET seal = ''")
    with op.batch_alter_table('requests') as batch:
        batch.drop_index('ix_requests_next_timer_at')
        batch.drop_column('next_timer_at')
