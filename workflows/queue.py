"""The work queue: requests from the read model, nearest deadline first, personal data masked (CLI and web alike)."""

from __future__ import annotations

import json

from sqlalchemy import Connection, select

from workflows.accounts import mask_name
from workflows.foi.state import OPEN_STAGES, STAGE_LABELS, SUSPENDED_STAGES, Stage
from workflows.foi.vocabulary import FLAG_LABELS
from workflows.tables import requests_table


def queue_rows(conn: Connection, agency: str | None = None, show_all: bool = False,
               agencies: list[str] | None = None, limit: int | None = None, offset: int = 0) -> list[dict]:
    query = select(requests_table)
    if agency:
        query = query.where(requests_table.c.agency == agency)
    if agencies is not None:
        query = query.where(requests_table.c.agency.in_(agencies))
    if not show_all:
        query = query.where(requests_table.c.stage.in_([s.value for s in OPEN_STAGES]))
    query = query.order_by(requests_table.c.next_due.is_(None), requests_table.c.next_due, requests_table.c.request_id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [_row(r) for r in conn.execute(query)]


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
