"""Tables of the workflow layer: read models (projections) and the directory of agencies and users.

The read models are derived from the event log and can be rebuilt from it (`ogi projections rebuild`).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text

from engine.adapters.database import metadata

requests_table = Table(
    "requests",
    metadata,
    Column("request_id", String(200), primary_key=True),
    Column("agency", String(100), nullable=False),
    Column("stage", String(40), nullable=False),
    Column("outcome", String(40)),
    Column("applicant_kind", String(40), nullable=False),
    Column("applicant_name", String(200), nullable=False),
    Column("channel", String(40), nullable=False),
    Column("subject", Text, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("clock_start", Date),
    Column("concluded_on", Date),
    Column("reply_due", Date),
    Column("reply_provisional", Boolean, nullable=False),
    Column("next_due", Date),  # the earliest open deadline, for the queue
    Column("deadlines", Text, nullable=False),  # JSON {name: {start, working_days, due, provisional}}
    Column("flags", Text, nullable=False),  # JSON list
    Column("version", Integer, nullable=False),
    Column("cases", Text, nullable=False),  # JSON: review and litigation cases, for table 四
    Column("seal", String(100), nullable=False),  # "key id:HMAC" over every column and the stream hash (row_seal.py)
    Column("procedure", String(40)),  # None: disclosure; "record_correction" (Art. 41) is left out of the report
    Index("ix_requests_agency_stage", "agency", "stage"),
    Index("ix_requests_next_due", "next_due"),
)

agencies_table = Table(
    "agencies",
    metadata,
    Column("slug", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("parent", String(100)),
    Column("correction_period_days", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
)

users_table = Table(
    "users",
    metadata,
    Column("username", String(100), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("email", String(200)),
    Column("phone", String(40)),
)

user_agencies_table = Table(  # the agencies a user works for: what they may see in full and act on
    "user_agencies",
    metadata,
    Column("username", String(100), ForeignKey("users.username"), primary_key=True),
    Column("agency", String(100), ForeignKey("agencies.slug"), primary_key=True),
)

calendar_years_table = Table(
    "calendar_years",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("holidays", Text, nullable=False),  # JSON list of ISO dates
    Column("workdays", Text, nullable=False),  # JSON list of ISO dates (调休)
    Column("source", Text, nullable=False),
    Column("version", Integer, nullable=False),  # version of its stream in the event log
)

# The agency named by each request's first event (`received`), indexed for the report's check that the
# projection holds exactly the agency's requests (workflows/report/source.py). One expression per dialect;
# the query must repeat it exactly for the index to serve it. Created by migration 0002, outside `metadata`
# because an expression index cannot be declared for both dialects at once.
RECEIVED_AGENCY_SQL = {
    "sqlite": "json_extract(payload, '$.agency')",
    "postgresql": "((payload::jsonb) ->> 'agency')",
}
RECEIVED_AGENCY_INDEX = "ix_events_received_agency"
# Only first events of request streams: other streams' payloads are any JSON (PostgreSQL cannot parse some, e.g.
# "\u0000"). Literal bounds, because SQLite uses a partial index only when the query repeats its terms verbatim.
FIRST_REQUEST_EVENTS_SQL = "version = 1 AND stream_id >= 'request/' AND stream_id < 'request0'"


def create_received_agency_index(execute, dialect: str) -> None:
    """`execute(sql)` runs DDL on the connection (the migration's `op.execute`)."""
    execute(f"CREATE INDEX {RECEIVED_AGENCY_INDEX} ON events ({RECEIVED_AGENCY_SQL[dialect]}, stream_id) "
            f"WHERE {FIRST_REQUEST_EVENTS_SQL}")


# Table 二 (主动公开): figures staff enter per agency and year; every change is an event in `register/AGENCY/YEAR`.
register_entries_table = Table(
    "register_entries",
    metadata,
    Column("agency", String(100), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("item", String(40), primary_key=True),
    Column("figures", Text, nullable=False),  # JSON {measure: number as text}
    Column("note", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("version", Integer, nullable=False),  # version of its stream in the event log
)

# A published annual report: its figures and their hash, as also recorded in `report/AGENCY/YEAR`.
published_reports_table = Table(
    "published_reports",
    metadata,
    Column("agency", String(100), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("rollup", Boolean, nullable=False),
    Column("published_at", DateTime, nullable=False),
    Column("published_by", String(100), nullable=False),
    Column("figures", Text, nullable=False),  # canonical JSON of tables 二/三/四
    Column("figures_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False),
)
