"""annual report: sealed report fields on the requests projection, the table 二 register, published reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('requests') as batch:
        batch.add_column(sa.Column('cases', sa.Text(), nullable=False, server_default='[]'))
        batch.add_column(sa.Column('seal', sa.String(length=64), nullable=False, server_default=''))
    op.create_table('register_entries',
    sa.Column('agency', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('item', sa.String(length=40), nullable=False),
    sa.Column('figures', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('agency', 'year', 'item')
    )
    op.create_table('published_reports',
    sa.Column('agency', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rollup', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by', sa.String(length=100), nullable=False),
    sa.Column('figures', sa.Text(), nullable=False),
    sa.Column('figures_hash', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('agency', 'year')
    )
    from workflows.readmodels.log import create_received_agency_index

    create_received_agency_index(op.execute, op.get_bind().dialect.name)
    _seal_existing_rows()


def _seal_existing_rows() -> None:
    """Requests recorded before this migration get their case list by folding their events (their seal is made
    with the log's key by `ogi init` after migration 0007)."""
    import datetime as dt
    import json
    from dataclasses import dataclass

    from workflows.foi.decide import fold
    from workflows.report.facts import facts_of
    from workflows.streams import request_stream

    @dataclass(frozen=True)
    class EventAsStored:  # what a fold reads of an event (engine/events.py Event), from the columns as they were
        version: int
        type: str
        occurred_at: dt.datetime
        payload: dict
        stream_hash: str

    conn = op.get_bind()
    ids = [row[0] for row in conn.execute(sa.text("SELECT request_id FROM requests"))]
    # the columns as they were at this migration (later ones add more): not the code's current table
    read = sa.text("SELECT version, type, occurred_at, payload, stream_hash FROM events WHERE stream_id = :stream "
                   "ORDER BY version").columns(sa.column("version", sa.Integer), sa.column("type", sa.String),
                                               sa.column("occurred_at", sa.DateTime), sa.column("payload", sa.Text),
                                               sa.column("stream_hash", sa.String))
    for request_id in ids:
        events = [EventAsStored(r.version, r.type, r.occurred_at, json.loads(r.payload), r.stream_hash)
                  for r in conn.execute(read, {"stream": request_stream(request_id)})]
        facts = facts_of(fold(events))
        if facts is None:
            continue
        conn.execute(sa.text("UPDATE requests SET cases = :cases WHERE request_id = :id"), {
            "cases": facts.cases_json(), "id": request_id,
        })


def downgrade() -> None:
    op.execute("DROP INDEX ix_events_received_agency")
    op.drop_table('published_reports')
    op.drop_table('register_entries')
    with op.batch_alter_table('requests') as batch:
        batch.drop_column('seal')
        batch.drop_column('cases')
