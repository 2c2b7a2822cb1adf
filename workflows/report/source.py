"""Where the report's facts come from: the sealed requests projection (fast) or a replay of the log as of a time.

The projection is trusted only after it proved itself against the log (workflows/readmodels/guard.py):
every row of the agencies must hold its keyed seal and be folded up to its stream's last event, and every
request the log records as received by those agencies must have its row. Otherwise the report refuses to print.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection

from workflows.readmodels.guard import ProjectionGuard, ProjectionTampered
from workflows.readmodels.log import received_streams_as_of
from workflows.report.facts import CaseFacts, RequestFacts, facts_of
from workflows.streams import fold_stored, streams_of

NO_CASES = "[]"


def _facts_from_row(row) -> RequestFacts:
    cases = () if row.cases == NO_CASES else tuple(CaseFacts.from_dict(c) for c in json.loads(row.cases))
    return RequestFacts(row.request_id, row.agency, row.applicant_kind, row.received_on, row.concluded_on, row.outcome, cases)


def load_sealed_facts(conn: Connection, agencies: list[str], guard: ProjectionGuard) -> list[RequestFacts]:
    """The agencies' requests from the projection, each row checked against the log; refuses a tampered projection."""
    findings = guard.check(conn, agencies)
    findings.refuse("未输出报告。")
    facts, unreadable = [], []
    for row in findings.rows:
        if row.procedure is not None:  # a request the report leaves out (Art. 41): checked, not tallied
            continue
        try:
            facts.append(_facts_from_row(row))
        except (ValueError, KeyError, TypeError):  # sealed, yet unreadable: written by a different version
            unreadable.append(row.request_id)
    if unreadable:
        raise ProjectionTampered(f"有 {len(unreadable)} 行已加校验印记的申请记录本版本无法读取（{'、'.join(unreadable[:10])}）。"
                                 "未输出报告。请管理员按事件日志重建申请列表。",
                                 unreadable)
    return facts


def replay_facts(conn: Connection, agencies: list[str], as_of: dt.datetime) -> list[RequestFacts]:
    """The agencies' requests as the log stood at `as_of` (record time), read from the log alone.

    Which agency received a request comes from its first event, not from the projection: a replay must
    not trust the read model it exists to check.
    """
    facts = [facts_of(fold_stored(events)) for events in streams_of(received_streams_as_of(conn, agencies, as_of))]
    return [f for f in facts if f is not None]
