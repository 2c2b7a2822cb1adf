"""The applicant's own page: opened with the request id and the 查询码 and a code sent to the phone or e-mail of the
application; then the progress in words, every paper served, the correction answered item by item with its
materials, the fee notice with the amount and how to pay, withdrawal, and the reply with the released files.

Every read and write takes the request id the sign-in opened (the web keeps it in a signed cookie); the steps are
recorded as the applicant (accounts.APPLICANT_ONLINE); each download is a `record_download` event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from engine.clock import Clock
from engine.errors import NotFound, RuleViolation
from workflows.documents.attachments import AttachmentKind, AttachmentService, Upload
from workflows.documents.progress import ApplicantProgress, ApplicantView
from workflows.documents.released import FileStore
from workflows.documents.rendering import RENDERERS
from workflows.documents.service import DocumentService
from workflows.foi import commands as c
from workflows.foi.definition import awaiting_confirmation
from workflows.foi.documents import DOCUMENT_TITLES
from workflows.foi.online import ChooseNotices, RecordDownload
from workflows.foi.state import RequestState, Stage
from workflows.people.accounts import APPLICANT_ONLINE, get_agency
from workflows.portal.applicant_sign_in import CODE_MINUTES, SignInCodes, contact_channels, destination
from workflows.portal.applicant_story import answered, correction_items, story
from workflows.portal.messages import SIGN_IN_KIND, ApplicantMessage, Send
from workflows.requests.input_limits import check_field
from workflows.requests.service import RequestService

MAX_ANSWERS = 50  # items of one correction notice; more is no answer to it
ANSWER_RULE = "Art. 30"


@dataclass(frozen=True)
class CodeSent:
    code_id: str  # the browser holds it between the two steps
    channel: str  # sms | email
    destination: str  # masked
    expires_at: dt.datetime


@dataclass(frozen=True)
class ReleasedItem:
    name: str
    sha256: str
    size: int
    media_type: str


@dataclass(frozen=True)
class ApplicantPage:
    """Everything the page shows; the words of each part are the template's."""

    view: ApplicantView  # stage, dates, outcome, the documents served (workflows/documents/progress.py)
    agency_name: str
    subject: str
    story: Sequence[str]  # the progress in words, oldest first, no staff names, no internal codes
    awaiting_confirmation: bool  # the agency may still confirm its receipt (Art. 31(3))
    correction_items: Sequence[str]  # while a correction is awaited: the notice's items, to answer one by one
    correction_due: dt.date | None
    fee_amount_yuan: float | None  # while a fee is awaited
    payment_due: dt.date | None
    payment_info: str  # the agency's `payment_info`: how to pay
    may_withdraw: bool
    released: Sequence[ReleasedItem]  # the files of the information given, once the reply is served
    notices_enabled: bool
    contact_channels: Sequence[str]  # sms / email the application gave


@dataclass
class ApplicantDesk:
    engine: Engine
    clock: Clock
    requests: RequestService
    documents: DocumentService
    progress: ApplicantProgress
    attachments: AttachmentService
    files: FileStore
    secret: bytes
    send: Send

    def __post_init__(self) -> None:
        self.codes = SignInCodes(self.secret)

    # -- sign-in --------------------------------------------------------------------------------------------------
    def start_sign_in(self, request_id: str, query_code: str, channel: str, client_address: str) -> CodeSent | None:
        """The id and 查询码 right: a code to the phone (channel sms) or e-mail of the application; None when either
        is wrong (the same answer for both). Counted per address and per request (TooManyAttempts)."""
        with self.engine.begin() as conn:
            now = self.clock.now()
            address_key = self.codes.address_key(client_address)
            self.codes.require_tries_left(conn, address_key, now)
            state = (self.progress.authorised_in(conn, request_id, query_code)
                     if _plausible(request_id, 200) and _plausible(query_code, 40) else None)
            if state is None:
                self.codes.record_failure(conn, address_key, now)
                return None
            to = destination(state, channel)
            code_id, code, expires_at = self.codes.issue(conn, state.request_id, to, address_key, now)
            agency_name = get_agency(conn, state.agency).name
            self.send(conn, ApplicantMessage(
                dedupe_key=f"portal|{code_id}|sign_in|1", channel=to.channel, address=to.address, agency=state.agency,
                kind=SIGN_IN_KIND, request_id=state.request_id,
                context={"code": code, "minutes": CODE_MINUTES, "agency_name": agency_name,
                         "request_id": state.request_id}), now)
            return CodeSent(code_id, to.channel, to.masked, expires_at)

    def finish_sign_in(self, code_id: str, code: str, client_address: str) -> str | None:
        """The request id the code opens (once), or None."""
        with self.engine.begin() as conn:
            now = self.clock.now()
            address_key = self.codes.address_key(client_address)
            self.codes.require_tries_left(conn, address_key, now)
            return self.codes.redeem(conn, code_id, code, address_key, now)

    # -- the page -------------------------------------------------------------------------------------------------
    def page(self, request_id: str) -> ApplicantPage:
        with self.engine.connect() as conn:
            loaded = self.requests.load(conn, request_id)
            agency = get_agency(conn, loaded.state.agency)
        state = loaded.state
        stage = state.stage
        correction = state.deadlines.get("correction")
        payment = state.deadlines.get("payment")
        return ApplicantPage(
            view=self.progress.view_of(state),
            agency_name=agency.name,
            subject=state.subject,
            story=story(loaded.events),
            awaiting_confirmation=awaiting_confirmation(state),
            correction_items=correction_items(state) if stage == Stage.AWAITING_CORRECTION else (),
            correction_due=correction.due if correction and stage == Stage.AWAITING_CORRECTION else None,
            fee_amount_yuan=state.fee_amount_yuan if stage == Stage.AWAITING_PAYMENT else None,
            payment_due=payment.due if payment and stage == Stage.AWAITING_PAYMENT else None,
            payment_info=str(agency.payment_info or ""),
            may_withdraw=state.is_open,
            released=tuple(ReleasedItem(f.name, f.sha256, f.size, f.media_type) for f in _released(state)),
            notices_enabled=state.applicant_notices,
            contact_channels=contact_channels(state),
        )

    # -- the applicant's steps ------------------------------------------------------------------------------------
    def submit_correction(self, request_id: str, answers: Sequence[str], uploads: Sequence[Upload]) -> None:
        """Art. 30: the answers to the notice's items (and its materials) received today; the reply period restarts."""
        state = self._state(request_id)
        if state.stage != Stage.AWAITING_CORRECTION:
            raise RuleViolation("本申请目前没有待补正的事项：只有受理机关送达补正告知书后，才能在网上提交补正", ANSWER_RULE)
        if len(answers) > MAX_ANSWERS:
            raise RuleViolation(f"补正内容最多 {MAX_ANSWERS} 项，请按补正告知书所列事项逐项填写", ANSWER_RULE)
        for number, answer in enumerate(answers, 1):
            check_field("content", answer, f"第{number}项补正内容")
        content = answered(answers)
        if not content:
            raise RuleViolation("请至少填写一项补正内容，逐项回答补正告知书所列事项", ANSWER_RULE)
        check_field("content", content, "补正内容")
        files = [Upload(u.filename, u.content, AttachmentKind.CORRECTION) for u in uploads]
        with self.engine.begin() as conn:  # the materials and the step: both or neither
            self.requests.act_in(conn, request_id, lambda at: c.SubmitCorrection(at=at, content=content),
                                 APPLICANT_ONLINE)
            if files:
                self.attachments.add_in(conn, request_id, files, APPLICANT_ONLINE)

    def withdraw(self, request_id: str, reason: str = "") -> None:
        """The applicant withdraws an open request (it concludes as 其他处理), with the reason when given."""
        reason = check_field("reason", (reason or "").strip(), "撤回理由")
        state = self._state(request_id)
        if not state.is_open:
            raise RuleViolation(f"本申请已{_stage_words(state)}，不能再撤回：撤回只适用于尚在办理中的申请", "withdrawal")
        self.requests.act(request_id, lambda at: c.Withdraw(at=at, reason=reason or None), APPLICANT_ONLINE)

    def choose_notices(self, request_id: str, enabled: bool) -> None:
        state = self._state(request_id)
        if state.stage == Stage.CLOSED:
            raise RuleViolation("本申请已归档，不再发送办理进展通知", "电子签名法 Art. 11")
        if state.applicant_notices != bool(enabled):
            self.requests.act(request_id, lambda at: ChooseNotices(at=at, enabled=bool(enabled)), APPLICANT_ONLINE)

    def document(self, request_id: str, position: int) -> tuple[str, bytes]:
        """(file name, PDF) of a paper served to the applicant; the download is recorded."""
        state = self._state(request_id)
        sent = self.progress.sent_file_of(state, position, RENDERERS["pdf"])
        if sent is None:
            raise NotFound("没有这份文书：只能下载已向您送达的文书")
        document = state.documents[position]
        ref = document.number or f"{DOCUMENT_TITLES[document.type]}（第{position + 1}份）"  # a receipt has no number
        self._downloaded(state, "document", ref, hashlib.sha256(sent.content).hexdigest())
        return sent.filename, sent.content

    def released_file(self, request_id: str, sha256: str) -> tuple[ReleasedItem, bytes]:
        """A released file, checked against its SHA-256; the download is recorded."""
        state = self._state(request_id)
        found = next((f for f in _released(state) if f.sha256 == sha256), None)
        if found is None:
            raise NotFound("没有这个信息文件：答复送达后，才能下载随答复提供的信息文件")
        content = self.files.read(found.sha256)
        self._downloaded(state, "file", found.sha256, found.sha256)
        return ReleasedItem(found.name, found.sha256, found.size, found.media_type), content

    # -- helpers --------------------------------------------------------------------------------------------------
    def _state(self, request_id: str) -> RequestState:
        with self.engine.connect() as conn:
            return self.requests.load(conn, request_id).state

    def _downloaded(self, state: RequestState, item: str, ref: str, sha256: str) -> None:
        if state.stage == Stage.CLOSED:  # an archived file takes no event (online.APPLICANT_STAGES): served as is
            return
        self.requests.act(state.request_id, lambda at: RecordDownload(at=at, item=item, ref=ref, sha256=sha256),
                          APPLICANT_ONLINE)


def _plausible(typed: str, longest: int) -> bool:
    """A value that could be an id or a code at all (PostgreSQL refuses a NUL in a query: not a server error)."""
    return 0 < len(typed) <= longest and "\x00" not in typed


def _released(state: RequestState):
    """The information's files, once the reply that gives them is served (Art. 40: they go with the reply)."""
    return state.released if state.delivered_on is not None else ()


def _stage_words(state: RequestState) -> str:
    return {Stage.WITHDRAWN: "撤回", Stage.CLOSED: "归档"}.get(state.stage, "答复")
