"""Where the report's facts come from: the sealed requests projection (fast) or a replay of the log as of a time.

The projection is trusted only after it proved itself against the log: every row of the agencies must
match its seal (its report fields bound to the hash of the event it was folded up to), and the number of
rows must equal the number of requests the log records as received by those agencies. Otherwise the report
refuses to print.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, DateTime, and_, bindparam, literal, select, text

from engine.adapters.eventstore import events_table, row_to_event
from engine.errors import OgiError
from workflows.report.facts import CaseFacts, RequestFacts, facts_of, seal_of_fields, seal_outside_report
from workflows.streams import REQUEST_STREAM, fold_stored, streams_of
from workflows.tables import FIRST_REQUEST_EVENTS_SQL, RECEIVED_AGENCY_SQL, requests_table


class ProjectionTampered(OgiError):
    """The read model disagrees with the event log: no report is printed from it."""

    exit_code = 3

    def __init__(self, message: str, request_ids: list[str]):
        super().__init__(message)
        self.request_ids = request_ids


NO_CASES = "[]"


def _facts_from_row(row) -> RequestFacts:
    cases = () if row.cases == NO_CASES else tuple(CaseFacts.from_dict(c) for c in json.loads(row.cases))
    return RequestFacts(row.request_id, row.agency, row.applicant_kind, row.received_on, row.concluded_on, row.outcome, cases)


def _in_chunks(values: list[str], size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def load_sealed_facts(conn: Connection, agencies: list[str]) -> list[RequestFacts]:
    """The agencies' requests from the projection, each checked against the log; refuses a tampered projection."""
    r, e = requests_table.c, events_table.c
    last_event = and_(e.stream_id == literal(REQUEST_STREAM) + r.request_id, e.version == r.version)
    query = (select(r.request_id, r.agency, r.applicant_kind, r.received_on, r.concluded_on, r.outcome, r.cases, r.seal,
                    r.procedure, e.stream_hash)
             .select_from(requests_table.outerjoin(events_table, last_event)))
    facts, bad, outside = [], [], 0
    for chunk in _in_chunks(agencies):
        for row in conn.execute(query.where(r.agency.in_(chunk))):
            if row.procedure is not None:  # a request the report leaves out (Art. 41): counted, checked, not tallied
                if row.stream_hash is None or seal_outside_report(row.request_id, row.agency, row.procedure,
                                                                  row.stream_hash) != row.seal:
                    bad.append(row.request_id)
                else:
                    outside += 1
                continue
            if row.stream_hash is None or row.received_on is None or seal_of_fields(
                    row.request_id, row.agency, row.applicant_kind, row.received_on, row.concluded_on, row.outcome,
                    row.cases, row.stream_hash) != row.seal:
                bad.append(row.request_id)
                continue
            try:
                facts.append(_facts_from_row(row))
            except (ValueError, KeyError, TypeError):  # sealed, yet unreadable: written by a different version
                bad.append(row.request_id)
    if bad:
        raise ProjectionTampered(
            f"the requests projection disagrees with the event log for {len(bad)} request(s): {', '.join(sorted(bad)[:20])}"
            f"{' …' if len(bad) > 20 else ''}. No report was printed. Run `ogi audit verify` to check the log, "
            "then `ogi projections rebuild` to rebuild the projection from it.", sorted(bad))
    # the log's own record of which agency received each request: a row moved to another agency, deleted or
    # added shows as a difference in number (the `received` event is version 1 of every request stream;
    # RECEIVED_AGENCY_SQL is the expression indexed for exactly this count)
    agency_sql = RECEIVED_AGENCY_SQL[conn.dialect.name]
    logged = 0
    for chunk in _in_chunks(agencies, 100):
        names = {f"a{i}": a for i, a in enumerate(chunk)}
        logged += conn.execute(text(
            f"SELECT count(*) FROM events WHERE {FIRST_REQUEST_EVENTS_SQL} AND {agency_sql} IN ({', '.join(':' + k for k in names)})"
        ), names).scalar_one()
    projected = len(facts) + len(bad) + outside
    if logged != projected:
        raise ProjectionTampered(
            f"the event log holds {logged} requests received by {', '.join(agencies[:5])}{' …' if len(agencies) > 5 else ''} "
            f"but the requests projection has {projected} rows for them: rows were "
            f"{'deleted or moved away' if projected < logged else 'added or moved in'} behind the engine's back. "
            "No report was printed. Run `ogi audit verify`, then `ogi projections rebuild`.", [])
    return facts


def replay_facts(conn: Connection, agencies: list[str], as_of: dt.datetime) -> list[RequestFacts]:
    """The agencies' requests as the log stood at `as_of` (record time), read from the log alone.

    Which agency received a request comes from its first event, not from the projection: a replay must
    not trust the read model it exists to check.
    """
    agency_sql = RECEIVED_AGENCY_SQL[conn.dialect.name]
    facts: list[RequestFacts | None] = []
    for chunk in _in_chunks(agencies, 100):
        names = {f"a{i}": a for i, a in enumerate(chunk)}
        query = text(
            "SELECT * FROM events WHERE recorded_at <= :as_of AND stream_id IN ("
            f"SELECT stream_id FROM events WHERE {FIRST_REQUEST_EVENTS_SQL} "
            f"AND {agency_sql} IN ({', '.join(':' + k for k in names)}) AND recorded_at <= :as_of) "
            "ORDER BY stream_id, version"
        ).bindparams(bindparam("as_of", type_=DateTime())).columns(*events_table.c)
        rows = conn.execute(query.execution_options(yield_per=5000), {**names, "as_of": as_of})
        facts.extend(facts_of(fold_stored(events)) for events in streams_of(row_to_event(row) for row in rows))
    return [f for f in facts if f is not None]
