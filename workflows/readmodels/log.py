"""Every read of the `events` table outside the store (engine/adapters/eventstore.py), one named function each.

The store appends, verifies and reads streams whole; these are the workflows' own questions of the log: which
requests an agency received, the first event of a request, the receipts of a month, the log as of a time.
They are asked in SQL here rather than by folding streams, because they must be fast (an index serves some)
and must not trust the read models they are used to check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy import Connection, DateTime, Row, Select, String, Text, and_, bindparam, column, literal, select, text
from sqlalchemy.orm import aliased

from engine.adapters.eventstore import StoredEvent, events_table, row_to_event
from workflows.streams import REQUEST_STREAM, request_stream
from workflows.tables import requests_table

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

EVENT_COLUMNS = events_table.c  # the columns' types, for the input limits of what becomes an event

T = TypeVar("T")


def create_received_agency_index(execute: Callable[[str], object], dialect: str) -> None:
    """`execute(sql)` runs DDL on the connection (the migration's `op.execute`)."""
    execute(f"CREATE INDEX {RECEIVED_AGENCY_INDEX} ON events ({RECEIVED_AGENCY_SQL[dialect]}, stream_id) "
            f"WHERE {FIRST_REQUEST_EVENTS_SQL}")


def in_chunks(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _named(chunk: Sequence[str]) -> tuple[dict[str, str], str]:
    """Bound names for an IN list: ({"a0": …}, ":a0, :a1 …")."""
    names = {f"a{i}": a for i, a in enumerate(chunk)}
    return names, ", ".join(":" + k for k in names)


def rows_with_their_events() -> Select:
    """Each `requests` row with the hash of the event it says it was folded up to (`event_hash`) and the version
    of the event after that one if the log has it (`newer`): what the projection guard checks a row against."""
    r = requests_table.c
    last, after = events_table.alias("last_event"), aliased(events_table, name="next_event")
    stream = literal(REQUEST_STREAM) + r.request_id
    return (select(requests_table, last.c.stream_hash.label("event_hash"), after.c.version.label("newer"))
            .select_from(requests_table
                         .outerjoin(last, and_(last.c.stream_id == stream, last.c.version == r.version))
                         .outerjoin(after, and_(after.c.stream_id == stream, after.c.version == r.version + 1))))


def received_request_ids(conn: Connection, agencies: Sequence[str] | None) -> set[str]:
    """The requests the log records as received (by `agencies`, all when None): the log's own record."""
    cut = len(REQUEST_STREAM)
    if agencies is None:
        ids = conn.execute(text(f"SELECT stream_id FROM events WHERE {FIRST_REQUEST_EVENTS_SQL}")).scalars()
        return {stream_id[cut:] for stream_id in ids}
    agency_sql, received = RECEIVED_AGENCY_SQL[conn.dialect.name], set()
    for chunk in in_chunks(agencies, 100):
        names, listed = _named(chunk)
        ids = conn.execute(text(f"SELECT stream_id FROM events WHERE {FIRST_REQUEST_EVENTS_SQL} "
                                f"AND {agency_sql} IN ({listed})"), names).scalars()
        received |= {stream_id[cut:] for stream_id in ids}
    return received


def received_streams_as_of(conn: Connection, agencies: Sequence[str], as_of: dt.datetime) -> Iterator[StoredEvent]:
    """The events recorded by `as_of` of the requests the agencies had received by then, stream by stream in order
    (a chunk of agencies at a time: a stream's events are never split, since each request has one agency)."""
    agency_sql = RECEIVED_AGENCY_SQL[conn.dialect.name]
    for chunk in in_chunks(agencies, 100):
        names, listed = _named(chunk)
        query = text(
            "SELECT * FROM events WHERE recorded_at <= :as_of AND stream_id IN ("
            f"SELECT stream_id FROM events WHERE {FIRST_REQUEST_EVENTS_SQL} "
            f"AND {agency_sql} IN ({listed}) AND recorded_at <= :as_of) "
            "ORDER BY stream_id, version"
        ).bindparams(bindparam("as_of", type_=DateTime())).columns(*events_table.c)
        rows = conn.execute(query.execution_options(yield_per=5000), {**names, "as_of": as_of})
        yield from (row_to_event(row) for row in rows)


def first_request_payloads(conn: Connection) -> Iterator[str]:
    """The payload (JSON text) of every request's first event (`received`)."""
    yield from conn.execute(text(f"SELECT payload FROM events WHERE {FIRST_REQUEST_EVENTS_SQL}")).scalars()


_FIRST_EVENT = select(events_table.c.payload).where(events_table.c.stream_id == bindparam("stream"),
                                                   events_table.c.version == 1)


def first_event_payload(conn: Connection, request_id: str) -> str | None:
    """The payload (JSON text) of the request's first event, None when the log has no such request."""
    return conn.execute(_FIRST_EVENT, {"stream": request_stream(request_id)}).scalar()


def receipt_key_id(conn: Connection, request_id: str) -> str:
    """The id of the key the request's first event was recorded under ("" before keys, or no such request)."""
    e = events_table.c
    return conn.execute(select(e.key_id).where(e.stream_id == request_stream(request_id), e.version == 1)
                        ).scalar() or ""


def receipts_between(conn: Connection, agency: str, first: dt.datetime, after: dt.datetime) -> Iterable[Row]:
    """The first events (stream_id, occurred_at, payload as text) of the agency's requests received in
    [first, after)."""
    query = text(f"SELECT stream_id, occurred_at, payload FROM events WHERE {FIRST_REQUEST_EVENTS_SQL} "
                 f"AND {RECEIVED_AGENCY_SQL[conn.dialect.name]} = :agency "
                 "AND occurred_at >= :first AND occurred_at < :after").bindparams(
        bindparam("first", type_=DateTime()), bindparam("after", type_=DateTime())).columns(
        column("stream_id", String), column("occurred_at", DateTime), column("payload", Text))
    return conn.execute(query, {"agency": agency, "first": first, "after": after})


def stored_rows(conn: Connection, request_id: str) -> Iterable[Row]:
    """The request's events as stored, every column (the payload as its exact text), in order."""
    return conn.execute(select(events_table).where(events_table.c.stream_id == request_stream(request_id))
                        .order_by(events_table.c.version))


def events_of_streams(conn: Connection, stream_ids: Sequence[str]) -> Iterator[StoredEvent]:
    """The events of `stream_ids` (a bounded list: the caller chunks it), stream by stream in order."""
    query = (select(events_table).where(events_table.c.stream_id.in_(stream_ids))
             .order_by(events_table.c.stream_id, events_table.c.version))
    yield from (row_to_event(row) for row in conn.execute(query))
