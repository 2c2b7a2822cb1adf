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
from workflows.foi.documents import DocumentRecord
from workflows.people.accounts import User
from workflows.requests.input_limits import check_field
from workflows.requests.registration import received_at
from workflows.requests.service import RequestService
from workflows.tables import users_table


@dataclass(frozen=True)
class Registered:
    """A request as the window leaves it: its id, its receipt (numbered) and 查询码, the scans stored."""

    request_id: str
    receipt: DocumentRecord | None
    query_code: str | None
    attachments: Sequence[Attachment] = ()
    problems: Sequence[str] = field(default_factory=tuple)  # what could not be done after registering (in words)


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


def _check_uploads(uploads: Sequence[Upload]) -> None:
    if len(uploads) > MAX_ATTACHMENTS:
        raise RuleViolation(f"一次最多上传 {MAX_ATTACHMENTS} 个附件，这里有 {len(uploads)} 个", ATTACHMENT_RULE)
    for upload in uploads:
        checked_upload(upload)


def intake_service(engine: Engine, clock: Clock, requests: RequestService, documents: DocumentService) -> IntakeService:
    """The window with its own attachment store (what bootstrap wires)."""
    return IntakeService(engine, clock, requests, documents, AttachmentService(engine, clock, requests))
