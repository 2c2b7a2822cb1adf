"""Where the report's facts come from: the sealed requests projection (fast) or a replay of the log as of a time.

The projection is trusted only after it proved itself against the log (workflows/readmodels/guard.py):
every row of the agencies must hold its keyed seal and be folded up to its stream's last event, and every
request the log records as received by those agencies must have its row. Otherwise the report refuses to print.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, DateTime, bindparam, text

from engine.adapters.eventstore import events_table, row_to_event
from workflows.readmodels.guard import ProjectionGuard, ProjectionTampered, in_chunks
from workflows.report.facts import CaseFacts, RequestFacts, facts_of
from workflows.streams import fold_stored, streams_of
from workflows.tables import FIRST_REQUEST_EVENTS_SQL, RECEIVED_AGENCY_SQL

NO_CASES = "[]"


def _facts_from_row(row) -> RequestFacts:
    cases = () if row.cases == NO_CASES else tuple(CaseFacts.from_dict(c) for c in json.loads(row.cases))
    return RequestFacts(row.request_id, row.agency, row.applicant_kind, row.received_on, row.concluded_on, row.outcome, cases)


def load_sealed_facts(conn: Connection, agencies: list[str], guard: ProjectionGuard) -> list[RequestFacts]:
    """The agencies' requests from the projection, each row checked against the log; refuses a tampered projection."""
    findings = guard.check(conn, agencies)
    findings.refuse("No report was printed.")
    facts, unreadable = [], []
    for row in findings.rows:
        if row.procedure is not None:  # a request the report leaves out (Art. 41): checked, not tallied
            continue
        try:
            facts.append(_facts_from_row(row))
        except (ValueError, KeyError, TypeError):  # sealed, yet unreadable: written by a different version
            unreadable.append(row.request_id)
    if unreadable:
        raise ProjectionTampered(f"{len(unreadable)} sealed rows cannot be read by this version of ogi "
                                 f"({', '.join(unreadable[:10])}). No report was printed. Run `ogi projections rebuild`.",
                                 unreadable)
    return facts


def replay_facts(conn: Connection, agencies: list[str], as_of: dt.datetime) -> list[RequestFacts]:
    """The agencies' requests as the log stood at `as_of` (record time), read from the log alone.

    Which agency received a request comes from its first event, not from the projection: a replay must
    not trust the read model it exists to check.
    """
    agency_sql = RECEIVED_AGENCY_SQL[conn.dialect.name]
    facts: list[RequestFacts | None] = []
    for chunk in in_chunks(agencies, 100):
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
