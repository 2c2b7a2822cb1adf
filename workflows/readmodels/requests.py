"""The `requests` read model: one row per request, folded from its events.

The service, the importer and `ogi projections rebuild` all write it through `RequestsProjection`, so the
three paths give identical rows. Each row carries a keyed seal over all its columns and the hash of the
event it was folded up to (workflows/integrity/seals.py), which the queue, the sweep and the annual report check.
The `cases` column holds the annual report's counting of the request; the report's rule (workflows/report/facts.py)
is handed in by bootstrap, so this read model does not depend on the report that reads it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from sqlalchemy import Connection, bindparam, delete, insert, update

from engine.adapters.eventstore import EventStore
from engine.projection import Change
from workflows.foi.deadlines import pending_timers
from workflows.foi.state import RequestState
from workflows.integrity.seals import RowSealer
from workflows.streams import REQUEST_STREAM, fold_stored, streams_of
from workflows.tables import requests_table

REBUILD_BATCH = 2000

CasesOf = Callable[[RequestState], str]  # a request's cases for the annual report, as JSON ("[]": none yet)

# built once: statement construction is a visible share of a transition's time
_INSERT = insert(requests_table)
_UPDATE = update(requests_table).where(requests_table.c.request_id == bindparam("key_request_id"))


def projection_row(state: RequestState, version: int, stream_hash: str, sealer: RowSealer, cases_of: CasesOf) -> dict:
    """The sealed read-model row of a request folded up to `version`, whose event has `stream_hash`."""
    reply = state.deadlines.get("reply")
    open_dues = [d.due for d in state.deadlines.values() if d.due is not None] if state.is_open else []
    row = dict(
        request_id=state.request_id, agency=state.agency, stage=state.stage.value,
        outcome=str(state.outcome) if state.outcome else None,
        applicant_kind=str(state.applicant_kind), applicant_name=state.applicant.get("name", ""), channel=str(state.channel),
        subject=state.subject, received_on=state.received_on, clock_start=state.clock_start,
        concluded_on=state.concluded_on, reply_due=reply.due if reply else None,
        reply_provisional=bool(reply and reply.provisional), next_due=min(open_dues) if open_dues else None,
        next_timer_at=min((t.fires_at for t in pending_timers(state)), default=None),
        deadlines=json.dumps({k: v.as_dict() for k, v in sorted(state.deadlines.items())}, sort_keys=True),
        flags=json.dumps([str(f) for f in state.flags]), version=version,
        cases=cases_of(state), procedure=state.procedure,
    )
    row["seal"] = sealer.seal(row, stream_hash)
    return row


class RequestsProjection:
    name = "requests"

    def __init__(self, sealer: RowSealer, cases_of: CasesOf):
        self.sealer = sealer
        self.cases_of = cases_of

    def row(self, state: RequestState, version: int, stream_hash: str) -> dict:
        return projection_row(state, version, stream_hash, self.sealer, self.cases_of)

    def put(self, conn: Connection, state: RequestState, version: int, stream_hash: str) -> None:
        """Write one request's row afresh, whatever is there now (the guard's repair)."""
        conn.execute(delete(requests_table).where(requests_table.c.request_id == state.request_id))
        conn.execute(_INSERT, [self.row(state, version, stream_hash)])

    def apply(self, conn: Connection, changes: Sequence[Change[RequestState]]) -> None:
        new = [self.row(ch.after, ch.version, ch.stream_hash) for ch in changes if ch.is_new]
        if new:
            conn.execute(_INSERT, new)
        for change in changes:
            if not change.is_new:
                row = self.row(change.after, change.version, change.stream_hash)
                conn.execute(_UPDATE, {**row, "key_request_id": change.after.request_id})

    def rebuild(self, conn: Connection, store: EventStore) -> int:
        conn.execute(delete(requests_table))
        rows, count = [], 0
        for events in streams_of(store.read_streams(conn, REQUEST_STREAM)):
            rows.append(self.row(fold_stored(events), events[-1].version, events[-1].stream_hash))
            count += 1
            if len(rows) >= REBUILD_BATCH:
                conn.execute(_INSERT, rows)
                rows.clear()
        if rows:
            conn.execute(_INSERT, rows)
        return count
