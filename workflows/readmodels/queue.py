"""The work queue: requests from the read model, nearest deadline first, personal data masked (CLI, web and API).

Nearest deadline first across every period: one sort key, the due day of what the request now waits for (the
reply while it is processed, the applicant's correction, the consultation, the payment), read from the row's
deadlines. The row's `next_due` is the earliest of all its deadlines, the 7-day correction-notice limit included,
which is not what the list shows, so a 12-28 reply sorted above a 12-25 one and a correction due 12-15 came last.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import JSON, Connection, Engine, Select, case, cast, func, null, select, type_coerce

from workflows.foi.identifiers import InputRefused
from workflows.foi.state import CONCLUDED_STAGES, OPEN_STAGES, STAGE_LABELS, SUSPENDED_STAGES, Stage
from workflows.foi.tasks import TaskType
from workflows.foi.vocabulary import FLAG_LABELS, Channel
from workflows.people import access
from workflows.people.access import Action
from workflows.people.accounts import User, mask_name
from workflows.readmodels.queue_filter import (
    FIELD_LABELS,
    PER_PAGE,
    STAGE_CHOICES,
    STATUS_LABELS,
    QueueFilter,
    parse_queue_filter,
)
from workflows.tables import agencies_table, requests_table, tasks_table

# what a request in each open stage waits for: the deadline the queue sorts and shows it by
AWAITED = {Stage.PROCESSING.value: "reply", Stage.AWAITING_CORRECTION.value: "correction",
           Stage.CONSULTING.value: "consultation", Stage.AWAITING_PAYMENT.value: "payment"}
AWAITED_LABELS = {"reply": "答复期限", "correction": "补正期限", "consultation": "征求意见期限", "payment": "缴费期限"}
NAME_SHOWN = 12  # characters of the masked applicant shown in a list; the whole (masked) name is the cell's title


def awaited_due(conn: Connection):
    """The sort key in SQL: the ISO due day of the awaited deadline (NULL for a concluded request). SQLite reads the
    text column as JSON as it is (json_extract); PostgreSQL needs it cast."""
    r = requests_table.c
    document = cast(r.deadlines, JSON) if conn.dialect.name == "postgresql" else type_coerce(r.deadlines, JSON)
    return case(*[(r.stage == stage, document[(name, "due")].as_string()) for stage, name in AWAITED.items()],
                else_=null())


def _ordered(conn: Connection, query: Select) -> Select:
    key, r = awaited_due(conn), requests_table.c
    return query.order_by(key.is_(None), key, r.concluded_on.desc(), r.request_id)


def _scoped(query: Select, agencies: list[str] | None, status: str) -> Select:
    r = requests_table.c
    if agencies is not None:
        query = query.where(r.agency.in_(agencies))
    if status == "open":
        query = query.where(r.stage.in_([s.value for s in OPEN_STAGES]))
    elif status == "concluded":
        query = query.where(r.stage.in_([s.value for s in CONCLUDED_STAGES]))
    return query


def queue_rows(conn: Connection, agency: str | None = None, show_all: bool = False,
               agencies: list[str] | None = None, limit: int | None = None, offset: int = 0) -> list[dict]:
    """The open requests (every one with `show_all`) of `agency` or `agencies`, nearest awaited deadline first, then
    those waiting for none, by id."""
    query = _scoped(select(requests_table), agencies, "all" if show_all else "open")
    if agency:
        query = query.where(requests_table.c.agency == agency)
    query = _ordered(conn, query).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    names = agency_names(conn)
    return [_row(row, names) for row in conn.execute(query)]


@dataclass(frozen=True)
class QueuePage:
    """One page of 申请列表 with what its form and links need."""

    rows: list[dict]
    total: int
    filter: QueueFilter
    agencies: dict[str, str]  # slug -> name: the agencies the viewer may filter by
    per_page: int = PER_PAGE
    field_labels = FIELD_LABELS  # class constants, for the page's form
    stage_choices = STAGE_CHOICES
    status_choices = STATUS_LABELS

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def search(conn: Connection, wanted: QueueFilter, agencies: list[str] | None, per_page: int = PER_PAGE) -> tuple[list[dict], int]:
    """The rows of page `wanted.page` matching `wanted` among `agencies` (None: all), and how many match in all."""
    r = requests_table.c
    query = _scoped(select(requests_table), agencies, "all" if wanted.stage else wanted.status)
    if wanted.agency:
        query = query.where(r.agency == wanted.agency)
    if wanted.stage:
        query = query.where(r.stage == wanted.stage)
    if wanted.applicant:
        query = query.where(r.applicant_name.contains(wanted.applicant, autoescape=True))
    if wanted.request_id:
        query = query.where(func.lower(r.request_id).contains(wanted.request_id.lower(), autoescape=True))
    if wanted.received_from:
        query = query.where(r.received_on >= wanted.received_from)
    if wanted.received_to:
        query = query.where(r.received_on <= wanted.received_to)
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = _ordered(conn, query).limit(per_page).offset((wanted.page - 1) * per_page)
    names = agency_names(conn)
    return [_row(row, names) for row in conn.execute(page)], total


def awaiting_confirmation(conn: Connection, request_ids: Collection[str]) -> set[str]:
    """The online applications among `request_ids` the agency has yet to confirm (Art. 31(3): the day both sides
    confirm is the receipt date): their confirmation task is open, which the tasks read model keeps exactly while
    the confirmation can still be recorded."""
    if not request_ids:
        return set()
    r, t = requests_table.c, tasks_table.c
    query = (select(r.request_id).where(r.request_id.in_(sorted(request_ids)), r.channel == Channel.ONLINE.value)
             .where(select(t.id).where(t.request_id == r.request_id, t.type == TaskType.CONFIRM_RECEIPT.value).exists()))
    return set(conn.execute(query).scalars())


def agency_names(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(select(agencies_table.c.slug, agencies_table.c.name)).all())


@dataclass
class WorkQueue:
    """申请列表 for a person: the requests of the agencies they may read, searched and filtered, a page at a time."""

    engine: Engine

    def search(self, viewer: User, values: Mapping[str, str]) -> QueuePage:
        """`values`: the GET parameters (see queue_filter.py); InputRefused names a wrong one."""
        wanted = parse_queue_filter(values)
        with self.engine.connect() as conn:
            names = agency_names(conn)
            readable = access.reachable_agencies(conn, viewer, Action.READ_REQUEST)
            choices = {slug: name for slug, name in sorted(names.items())
                       if readable is None or slug in readable}
            if wanted.agency:
                if wanted.agency not in names:
                    raise InputRefused(FIELD_LABELS["agency"], "没有这个机关，请从列表中选择")
                access.require(conn, viewer, Action.READ_REQUEST, wanted.agency)
            rows, total = search(conn, wanted, readable)
            awaiting = awaiting_confirmation(conn, [row["request_id"] for row in rows])
        rows = [{**row, "awaiting_confirmation": row["request_id"] in awaiting} for row in rows]
        return QueuePage(rows, total, wanted, choices)

    def awaiting_confirmation(self, request_ids: Collection[str]) -> set[str]:
        """Of requests already listed for a reader (their tasks): those online awaiting the agency's confirmation."""
        with self.engine.connect() as conn:
            return awaiting_confirmation(conn, request_ids)


def _due(r) -> tuple[str | None, str]:
    """(the awaited deadline's due day, how the list says it)."""
    awaited = AWAITED.get(r.stage)
    if awaited is None:
        return None, "已办结" + (f" {r.concluded_on.isoformat()}" if r.concluded_on else "")
    deadline = json.loads(r.deadlines).get(awaited, {})
    due = deadline.get("due")
    if due is None:
        return None, "中止中" if r.stage in SUSPENDED_STAGES else "—"
    return due, f"{AWAITED_LABELS[awaited]} {due}" + ("*" if deadline.get("provisional") else "")


def _row(r, names: Mapping[str, str]) -> dict:
    if r.stage == Stage.AWAITING_CORRECTION.value:
        reply_due_text = "补正至 " + (json.loads(r.deadlines).get("correction", {}).get("due") or "—")
    elif r.reply_due:
        reply_due_text = r.reply_due.isoformat()
    else:
        reply_due_text = "中止中" if r.stage in SUSPENDED_STAGES else "—"
    due, due_text = _due(r)
    applicant = mask_name(r.applicant_name)
    return dict(
        request_id=r.request_id, agency=r.agency, agency_name=names.get(r.agency, r.agency),
        reply_due=r.reply_due.isoformat() if r.reply_due else None, stage=r.stage,
        stage_label=STAGE_LABELS.get(r.stage, r.stage), received_on=r.received_on,
        reply_due_text=reply_due_text + ("*" if r.reply_provisional else ""),
        due=due, due_text=due_text,
        applicant=applicant,
        applicant_short=applicant if len(applicant) <= NAME_SHOWN else applicant[:NAME_SHOWN] + "…",
        flags="；".join(FLAG_LABELS.get(f, f) for f in json.loads(r.flags)),
    )
