"""The work queue: requests from the read model, nearest deadline first, personal data masked (CLI and web alike)."""

from __future__ import annotations

import json

from sqlalchemy import Connection, func, select

from workflows.foi.state import OPEN_STAGES, STAGE_LABELS, SUSPENDED_STAGES, Stage
from workflows.foi.vocabulary import FLAG_LABELS
from workflows.people.accounts import mask_name
from workflows.tables import requests_table


def queue_rows(conn: Connection, agency: str | None = None, show_all: bool = False,
               agencies: list[str] | None = None, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Nearest deadline first, then the requests without one, each part by id. Two index-ordered reads (the index
    ix_requests_queue on (next_due, request_id)) instead of one sort of every open request: a page of the queue
    over 100,000 open requests reads about a page of rows."""
    r = requests_table.c
    query = select(requests_table)
    if agency:
        query = query.where(r.agency == agency)
    if agencies is not None:
        query = query.where(r.agency.in_(agencies))
    if not show_all:
        query = query.where(r.stage.in_([s.value for s in OPEN_STAGES]))
    dated = query.where(r.next_due.is_not(None)).order_by(r.next_due, r.request_id)
    if limit is not None:
        dated = dated.limit(limit).offset(offset)
    rows = list(conn.execute(dated))
    if limit is not None and len(rows) == limit:
        return [_row(row) for row in rows]
    undated = query.where(r.next_due.is_(None)).order_by(r.request_id)
    if limit is not None:
        dated_count = conn.execute(select(func.count()).select_from(query.where(r.next_due.is_not(None)).subquery()))
        undated = undated.limit(limit - len(rows)).offset(max(0, offset - dated_count.scalar_one()))
    return [_row(row) for row in rows + list(conn.execute(undated))]


def _row(r) -> dict:
    if r.stage == Stage.AWAITING_CORRECTION.value:
        due = "补正至 " + (json.loads(r.deadlines).get("correction", {}).get("due") or "—")
    elif r.reply_due:
        due = r.reply_due.isoformat()
    else:
        due = "中止中" if r.stage in SUSPENDED_STAGES else "—"
    return dict(
        request_id=r.request_id, agency=r.agency, reply_due=r.reply_due.isoformat() if r.reply_due else None, stage=r.stage, stage_label=STAGE_LABELS.get(r.stage, r.stage),
        received_on=r.received_on, reply_due_text=due + ("*" if r.reply_provisional else ""),
        applicant=mask_name(r.applicant_name),
        flags="；".join(FLAG_LABELS.get(f, f) for f in json.loads(r.flags)),
    )
