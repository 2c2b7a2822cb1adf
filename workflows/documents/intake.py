"""The 受理窗口 (intake): a request registered with its scans and its 登记回执 issued at once, so the applicant leaves
with the receipt and its 查询码; a correction received with its day, what was corrected and its materials.

The receipt is the window's own act: it is issued without a head's approval (DocumentService.issue_receipt; the
reading is in docs/readings.md), while every later document keeps its sign-off.

The files are checked before anything is written (type by their bytes, size, count: workflows/documents/
attachments.py), so a refused scan refuses the registration before a request id is taken. The request, its scans
and its receipt are then three transactions: should storing the scans or issuing the receipt fail after the request
was registered (a database that goes away), the request stands and the page says what is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from engine.clock import Clock
from engine.errors import OgiError, RuleViolation
from workflows.documents.attachments import (
    ATTACHMENT_RULE,
    MAX_ATTACHMENTS,
    Attachment,
    AttachmentKind,
    AttachmentService,
    Upload,
    checked_upload,
)
from workflows.documents.service import DocumentService
from workflows.foi import commands as c
from workflows.foi.documents import DocumentRecord, DocumentType
from workflows.foi.state import RequestState
from workflows.people.accounts import User
from workflows.requests.input_limits import check_field
from workflows.requests.registration import received_at
from workflows.requests.service import RequestService
from workflows.requests.step_forms import command_from
from workflows.tables import users_table


@dataclass(frozen=True)
class Registered:
    """A request as the window leaves it: its id, its receipt (numbered) and 查询码, the scans stored."""

    request_id: str
    receipt: DocumentRecord | None
    query_code: str | None
    attachments: Sequence[Attachment] = ()
    problems: Sequence[str] = field(default_factory=tuple)  # what could not be done after registering (in words)


@dataclass(frozen=True)
class Confirmed:
    """An application confirmed as received (Art. 31): the day, the 登记回执 issued with it (None when it was
    issued before, or could not be), whether it was served on the applicant's page, and what could not be done."""

    request_id: str
    confirmed_on: dt.date
    receipt: DocumentRecord | None
    query_code: str | None
    reply_due: dt.date | None = None  # counted from the confirmation (None while the period is stopped)
    served_online: bool = False
    problems: Sequence[str] = field(default_factory=tuple)  # what could not be done after confirming (in words)


@dataclass
class IntakeService:
    engine: Engine
    clock: Clock
    requests: RequestService
    documents: DocumentService
    attachments: AttachmentService

    def register(self, values: Mapping[str, object], actor: User, uploads: Sequence[Upload] = ()) -> Registered:
        """Register the request from form or API fields, store its scans, issue the 登记回执 with its 查询码."""
        _check_uploads(uploads)
        request_id = self.requests.register(values, actor)
        problems: list[str] = []
        stored: list[Attachment] = []
        if uploads:
            try:
                stored = self.attachments.add(request_id, uploads, actor)
            except OgiError as error:
                problems.append(f"附件未能保存（{error}），请在申请页面重新上传")
        receipt, query_code = None, None
        try:
            receipt = self.documents.issue_receipt(request_id, actor)
            query_code = self.query_code(request_id)
        except OgiError as error:
            problems.append(f"登记回执未能出具（{error}），请在申请页面的文书部分出具")
        return Registered(request_id, receipt, query_code, tuple(stored), tuple(problems))

    def confirm(self, request_id: str, actor: User, at: dt.datetime | None = None) -> Confirmed:
        """Art. 31(3): the application confirmed as received on `at` (default now), the day the reply period counts
        from; the 登记回执 issued then if none was (an online application gets its first one here, stating that
        day), and served on the applicant's page when they consented to 电子送达. Three transactions: should the
        receipt or its service fail, the confirmation stands and `problems` says what is missing."""
        state = self.requests.act(request_id, lambda now: c.ConfirmReceipt(at=at or now), actor)
        assert state.confirmed_on is not None  # the step just recorded it
        problems: list[str] = []
        receipt, query_code, served = None, None, False
        if _receipt_wanted(state):
            try:
                receipt = self.documents.issue_receipt(request_id, actor)
                query_code = self.query_code(request_id)
            except OgiError as error:
                problems.append(f"登记回执未能出具（{error}），请在申请页面的文书部分出具")
        if receipt is not None and state.electronic_service:
            try:
                receipt = self.documents.serve(request_id, DocumentType.RECEIPT, actor, "electronic")
                served = True
            except OgiError as error:
                problems.append(f"登记回执未能送达申请人的网上查询页面（{error}），请在申请页面的文书部分送达")
        reply = state.deadlines.get("reply")
        return Confirmed(request_id, state.confirmed_on, receipt, query_code, reply.due if reply else None, served,
                         tuple(problems))

    def confirm_from(self, request_id: str, values: Mapping[str, object], actor: User) -> Confirmed:
        """`confirm` from a step form's or an API body's fields, checked as every step's (办理日期 `at`: blank or
        today for now, a past day for a confirmation entered later)."""
        now = self.clock.now()
        command = command_from(c.ConfirmReceipt.name, values, now)
        return self.confirm(request_id, actor, None if command.at == now else command.at)

    def staff_names(self) -> dict[str, str]:
        """user name → the name people read (who added a file, on its line)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(users_table.c.username, users_table.c.display_name)).all()
        return {row.username: row.display_name or row.username for row in rows}

    def query_code(self, request_id: str) -> str:
        with self.engine.connect() as conn:
            state = self.requests.load(conn, request_id).state
            return self.documents.lookup_code(state, conn)

    def receive_correction(self, request_id: str, received_on: object, content: str, actor: User,
                           uploads: Sequence[Upload] = ()) -> list[Attachment]:
        """Art. 30: the corrected application received on `received_on` (a date; empty: today) with what was
        corrected; the reply period counts again from that day. Its materials are stored as 补正材料."""
        self.attachments.require_writer(request_id, actor)  # who may, before what was typed is judged
        content = check_field("content", (content or "").strip())
        if not content:
            raise RuleViolation("请填写补正的内容（申请人补正或补充了什么）", "Art. 30")
        uploads = [Upload(u.filename, u.content, AttachmentKind.CORRECTION) for u in uploads]
        _check_uploads(uploads)
        self.requests.act(request_id, lambda now: c.SubmitCorrection(at=received_at(received_on, now, "收到补正日期"),
                                                                     content=content), actor)
        return self.attachments.add(request_id, uploads, actor) if uploads else []

    def consulted_party(self, request_id: str) -> dict | None:
        """The party of the latest consultation started (party, party_name, party_address) as the documents read it
        for the 征求意见书's addressee (a voided one skipped). None when none was started."""
        started = self.documents.consultation_recorded(request_id)
        if started is None:
            return None
        return {k: started[k] for k in ("party", "party_name", "party_address") if k in started}


def _receipt_wanted(state: RequestState) -> bool:
    """An online application has no receipt until it is confirmed; one by letter, fax or e-mail registered at the
    window has had its receipt since then (only one without it gets one now). An imported history's papers are
    not in ogi: none is drafted for it."""
    if state.imported_from is not None:
        return False
    return not any(d.type == DocumentType.RECEIPT and d.number for d in state.documents)


def _check_uploads(uploads: Sequence[Upload]) -> None:
    if len(uploads) > MAX_ATTACHMENTS:
        raise RuleViolation(f"一次最多上传 {MAX_ATTACHMENTS} 个附件，这里有 {len(uploads)} 个", ATTACHMENT_RULE)
    for upload in uploads:
        checked_upload(upload)


def intake_service(engine: Engine, clock: Clock, requests: RequestService, documents: DocumentService) -> IntakeService:
    """The window with its own attachment store (what bootstrap wires)."""
    return IntakeService(engine, clock, requests, documents, AttachmentService(engine, clock, requests))
