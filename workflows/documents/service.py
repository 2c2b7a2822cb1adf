"""The paper trail (DESIGN §9): documents drafted from the request's data, approved by a head or administrator,
issued under a gapless number, served — each step an event of the request's stream (workflows/foi/documents.py).

Issuing the reply records the decision (`decided`, on the issue date) unless one is recorded already; serving the
reply records its service (`delivered`). The text is rendered by Jinja2 (StrictUndefined) from
templates/documents/; staff may replace it before approval. The issued text and its SHA-256 are in the log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from engine.adapters.counters import take_next
from engine.adapters.eventstore import EventStore
from engine.adapters.rendering import render
from engine.clock import Clock
from engine.errors import NotFound, OgiError, PermissionDenied, RuleViolation
from workflows.documents import drafting
from workflows.documents.case_file import case_file
from workflows.documents.drafting import PaperFields
from workflows.documents.query_code import query_code
from workflows.documents.released import FileStore
from workflows.documents.serving import ReplyDelivery, service_command, steps_carried
from workflows.foi import commands as c
from workflows.foi.documents import (
    DOCUMENT_TITLES,
    DocumentRecord,
    DocumentType,
    chinese_date,
    document_number,
    edit_refusal,
    issue_refusal,
    latest,
)
from workflows.foi.event_types import EventType
from workflows.foi.fees import marginal_amount, monthly_position, quote
from workflows.foi.state import RequestState
from workflows.people import access, personal_data
from workflows.people.access import Action
from workflows.people.accounts import APPROVING_ROLES, User, get_agency
from workflows.readmodels.log import receipts_between
from workflows.requests.service import RequestService
from workflows.streams import request_stream
from workflows.tables import document_numbers_table

_DAY_WORDS = {"posted_on": "交邮日期", "signed_on": "签收日期", "at": "办理日期"}
When = dt.datetime | dt.date | None  # when a document step happened: a moment, a day (bare date), or None (now)


@dataclass
class DocumentService(ReplyDelivery):
    engine: Engine
    clock: Clock
    store: EventStore
    requests: RequestService
    files: FileStore | None = None  # the released files' bytes, for the case file (bootstrap hands the App's store)

    # -- steps ------------------------------------------------------------------------------------------------
    def draft(self, request_id: str, doc_type: str, actor: User, outcome: str | None = None, text: str | None = None,
              note: str | None = None, party: str = "third_party", served_type: str | None = None,
              fee: tuple[str, int] | None = None, decision: Mapping[str, str] | None = None,
              paper: Mapping[str, str] | None = None, at: When = None,
              period_days: int | None = None) -> DocumentRecord:
        """Draft `doc_type` from the request's data (or take the staff's own `text`); a redraft replaces an
        unissued one. `decision`: a reply's fields besides the outcome (reasons, responsible_agency, form_provided,
        form_reason), recorded with the decision when it is issued. `paper`: the draft form's other fields
        (drafting.PaperFields: the missing Art. 29 items, the 附件, the addressee, the contact line). `at`: when it
        was drafted (default now; judged like any step). `period_days`: a correction notice's period (default the
        agency's), recorded with the draft so the step it carries takes the period the paper states (Art. 30)."""
        if doc_type not in set(DocumentType):
            raise OgiError(f"文书类型不明：须为{'、'.join(DOCUMENT_TITLES.values())}之一")
        fields = PaperFields.from_values({**(paper or {}), **{k: v for k, v in (decision or {}).items() if v}},
                                         drafter=actor)
        if fields.decision and doc_type != DocumentType.REPLY:
            raise OgiError("只有答复书写明答复的理由、负责公开的机关和提供形式")
        if note is not None:
            note = note.replace("\x00", "").strip() or None
        fields, note = fields.reasons_from(note, doc_type, outcome)
        with self.engine.begin() as conn:
            state = self.requests.load(conn, request_id).state
            access.require(conn, actor, Action.WRITE_DOCUMENT, state.agency)  # before anything is drafted
            charged = self._fee_context(conn, state, fee) if doc_type == DocumentType.FEE_NOTICE else None
            recorded = fields.decision or None
            if doc_type == DocumentType.CORRECTION_NOTICE:
                period = correction_period(period_days, get_agency(conn, state.agency).correction_period_days)
                recorded, state = {"period_days": period}, state.but(correction_period_days=period)
            elif period_days is not None:
                raise OgiError("只有补正告知书写明补正期限（工作日）")
            if text is None:
                text = self.drafted_text(conn, state, doc_type, outcome, note, party, served_type, charged, fields)
            fee_fields = {k: charged[k] for k in ("method", "units", "amount_yuan")} if charged else None
            state = self.requests.act_in(conn, request_id, c.DraftDocument(
                at=self._moment(at), doc_type=doc_type, text=text, outcome=outcome, fee=fee_fields,
                decision=recorded), actor)
        return _latest(state, doc_type)

    def edit(self, request_id: str, doc_type: str, actor: User, text: str, at: When = None) -> DocumentRecord:
        """The staff's own text for a draft (or one sent back) before a head approves it. Recorded as a redraft
        (`document_drafted` with the new text, its actor and time, keeping the outcome, fee and decision drafted),
        so the log shows every edit; an approved or issued document is refused (documents.edit_refusal)."""
        text = text.replace("\r\n", "\n").replace("\x00", "")
        with self.engine.begin() as conn:
            state = self.requests.load(conn, request_id).state
            access.require(conn, actor, Action.WRITE_DOCUMENT, state.agency)
            refusal = edit_refusal(state.documents, doc_type, text)
            if refusal:
                raise RuleViolation(refusal, "paper")
            current = latest(state.documents, doc_type)
            assert current is not None  # edit_refusal: there is one
            state = self.requests.act_in(conn, request_id, c.DraftDocument(
                at=self._moment(at), doc_type=doc_type, text=text, outcome=current.outcome, fee=current.fee,
                decision=current.decision), actor)
        return _latest(state, doc_type)

    def approve(self, request_id: str, doc_type: str, actor: User, at: When = None) -> DocumentRecord:
        access.require_role(actor, Action.APPROVE_DOCUMENT)  # a head or administrator (审核/保密审查); the agency: act
        # the approver is the actor: RequestService records the signed-in head or administrator of the agency
        state = self.requests.act(request_id, lambda now: c.ApproveDocument(at=self._moment(at, now), doc_type=doc_type),
                                  actor)
        return _latest(state, doc_type)

    def send_back(self, request_id: str, doc_type: str, actor: User, opinion: str, at: When = None) -> DocumentRecord:
        """审核 not passed: the draft goes back to its drafter with the opinion (审批意见) for revision."""
        if actor.role not in APPROVING_ROLES:
            raise PermissionDenied(f"“{actor.display_name}”不能退回文书草稿：文书由负责人或管理员审核")
        state = self.requests.act(request_id, lambda now: c.SendBackDraft(at=self._moment(at, now), doc_type=doc_type,
                                                                          opinion=opinion), actor)
        return _latest(state, doc_type)

    def issue(self, request_id: str, doc_type: str, actor: User, at: When = None) -> DocumentRecord:
        """Number and issue the approved document (the receipt as drafted); the reply also records its decision.
        `at`: the issue date printed on the paper (default now); the number is the next one when it is entered."""
        actor.require_write("issue documents")
        with self.engine.begin() as conn:
            self.store.start_write(conn)
            state = self._issue_in(conn, request_id, doc_type, actor, self._moment(at))
        return _latest(state, doc_type)

    def issue_receipt(self, request_id: str, actor: User) -> DocumentRecord:
        """The 登记回执 drafted from the request and issued at once, numbered, with the 查询码: the 受理窗口's own
        act, which waits for no head (documents.ISSUED_WITHOUT_APPROVAL). One per request: a second is refused."""
        actor.require_write("issue documents")
        receipt = DocumentType.RECEIPT
        with self.engine.begin() as conn:
            self.store.start_write(conn)
            state = self.requests.load(conn, request_id).state
            access.require(conn, actor, Action.WRITE_DOCUMENT, state.agency)
            issued_before = next((d for d in state.documents if d.type == receipt and d.number), None)
            if issued_before is not None:
                raise RuleViolation(f"本申请的登记回执已于{chinese_date(issued_before.issued_on or issued_before.drafted_on)}"
                                    f"出具（{issued_before.number}），不再重复出具；可重新打印该回执", "paper")
            text = self.drafted_text(conn, state, receipt, None, None, "third_party", None,
                                     paper=PaperFields.from_values({}, drafter=actor))
            now = self.clock.now()
            self.requests.act_in(conn, request_id, c.DraftDocument(at=now, doc_type=receipt, text=text), actor)
            state = self._issue_in(conn, request_id, receipt, actor, now)
        return _latest(state, receipt)

    def _issue_in(self, conn: Connection, request_id: str, doc_type: str, actor: User, at: dt.datetime) -> RequestState:
        state = self.requests.load(conn, request_id).state
        access.require(conn, actor, Action.WRITE_DOCUMENT, state.agency)  # before the document's state is told
        refusal = issue_refusal(state.documents, doc_type)
        if refusal:
            raise RuleViolation(refusal, "paper")
        current = latest(state.documents, doc_type)
        assert current is not None  # issue_refusal: there is one
        if at > self.clock.now():  # refused before a number is taken (handle refuses it too)
            raise RuleViolation(f"印发日期{chinese_date(at.date())}晚于今天，不能记录将来的步骤，请核对日期", "chronology")
        number = self._next_number(conn, state.agency, doc_type, at.year)  # the year printed on the paper
        text_hash = hashlib.sha256(current.text.encode("utf-8")).hexdigest()
        state = self.requests.act_in(conn, request_id, c.IssueDocument(at=at, doc_type=doc_type, number=number,
                                                                       text_hash=text_hash), actor)
        if doc_type == DocumentType.REPLY and state.outcome is None and current.outcome:
            state = self.requests.act_in(conn, request_id, c.Decide(at=at, outcome=current.outcome,
                                                                    **(current.decision or {})), actor)
        return state

    def serve(self, request_id: str, doc_type: str, actor: User, method: str, tracking_no: str | None = None,
              posted_on: dt.date | None = None, signed_on: dt.date | None = None, at: When = None) -> DocumentRecord:
        """Record the service (送达, 235号). Serving a notice is the step it carries: the reply is delivered (on the
        legal service day of the record), a correction notice requests the correction, a fee notice notifies the fee;
        a notice signed for on the day of the service also starts the applicant's period. `at`: when the service
        was done (default now); entered later, the legal service day is still the record's (posted_on, signed_on)."""
        with self.engine.begin() as conn:
            self.store.start_write(conn)
            command = service_command(conn, self.requests, request_id, doc_type, actor, method, tracking_no,
                                      posted_on, signed_on, self._moment(at), self.clock.now())
            now, signed = command.at, dt.date.fromisoformat(command.signed_on) if command.signed_on else None
            state = self.requests.act_in(conn, request_id, command, actor)
            for step in steps_carried(state, doc_type, method, signed, now, command.evidence):
                state = self.requests.act_in(conn, request_id, step, actor)
        return _latest(state, doc_type)

    def return_letter(self, request_id: str, doc_type: str, actor: User, reason: str, at: When = None) -> DocumentRecord:
        """A served letter came back undelivered (退件): recorded, and the document waits to be served again."""
        state = self.requests.act(request_id, lambda now: c.ReturnDocument(at=self._moment(at, now), doc_type=doc_type,
                                                                           reason=reason), actor)
        return _latest(state, doc_type)

    def take_step(self, request_id: str, doc_type: str, step: str, values: Mapping[str, str], actor: User) -> DocumentRecord:
        """One document step from form or API fields (draft, approve, issue, serve, return); `at` (办理日期): the day
        it happened, blank or today for now."""
        def day(name: str) -> dt.date | None:
            raw = (values.get(name) or "").strip()
            try:
                return dt.date.fromisoformat(raw) if raw else None
            except ValueError:
                raise OgiError(f"{_DAY_WORDS.get(name, '日期')}“{raw[:20]}”不是有效日期（年-月-日）") from None

        at = day("at")
        if step == "draft":
            fee = None
            if values.get("fee_method"):
                units = unicodedata.normalize("NFKC", values.get("units") or "").strip()  # full-width digits too
                if units and not (units.isascii() and units.isdigit()):
                    raise OgiError(f"页数（件数）须为正整数，不能是“{units[:20]}”")
                fee = (values["fee_method"], int(units) if units else 0)
            return self.draft(request_id, doc_type, actor, values.get("outcome") or None, values.get("text") or None,
                              values.get("note") or None, values.get("party") or "third_party",
                              values.get("of") or None, fee, paper=values, at=at,
                              period_days=_whole_number(values.get("period_days"), "补正期限（工作日）"))
        if step == "serve":
            return self.serve(request_id, doc_type, actor, values.get("method", ""), values.get("tracking_no") or None,
                              day("posted_on"), day("signed_on"), at)
        plain = {
            "approve": lambda: self.approve(request_id, doc_type, actor, at),
            "send_back": lambda: self.send_back(request_id, doc_type, actor,
                                                values.get("reason") or values.get("opinion") or "", at),
            "issue": lambda: self.issue(request_id, doc_type, actor, at),
            "issue_receipt": lambda: self.issue_receipt(request_id, actor),
            "edit": lambda: self.edit(request_id, doc_type, actor, values.get("text") or "", at),
            "return": lambda: self.return_letter(request_id, doc_type, actor, values.get("reason", ""), at),
        }
        if step not in plain:
            raise OgiError("文书操作不明：须为起草、修改、审核、退回修改、印发、送达或退件")
        return plain[step]()

    def _moment(self, at: When, now: dt.datetime | None = None) -> dt.datetime:
        """When a step happened: now when not told or told today (so it follows today's steps); a past day alone is
        its start (as `ogi request act --at DAY`); a moment as given. The future is refused by `handle`."""
        now = now or self.clock.now()
        if at is None or (not isinstance(at, dt.datetime) and at == now.date()):
            return now
        return at if isinstance(at, dt.datetime) else dt.datetime.combine(at, dt.time())

    # -- reading ----------------------------------------------------------------------------------------------
    def documents(self, request_id: str, viewer: User | None = None) -> list[DocumentRecord]:
        """The request's documents; every door passes who reads (`viewer`), refused unless they may read them."""
        with self.engine.connect() as conn:
            state = self.requests.load(conn, request_id).state
            self._check_reader(conn, viewer, state)
            return list(state.documents)

    def find(self, request_id: str, number: str, viewer: User | None = None) -> tuple[RequestState, DocumentRecord, dict]:
        """The request, the document with `number` (or the latest of a type, for a draft), and its agency."""
        with self.engine.connect() as conn:
            state = self.requests.load(conn, request_id).state
            self._check_reader(conn, viewer, state)
            agency = get_agency(conn, state.agency)
            in_full = viewer is None or personal_data.sees_personal_data(conn, viewer, state.agency)
        found = next((d for d in state.documents if d.number == number), None) or latest(state.documents, number)
        if found is None:
            raise NotFound(f"申请{request_id}没有文号或类型为“{number[:60]}”的文书")
        if not in_full:  # anyone but the agency's staff gets a copy with the applicant's personal data masked
            found = personal_data.masked_document(found, personal_data.replacements([state.applicant]))
        return state, found, {"name": agency.name, "prefix": agency.doc_prefix}

    def case_file(self, request_id: str, history: dict, viewer: User | None = None) -> bytes:
        """The archive zip of the request (workflows/documents/case_file.py); `history` as shown to the exporting user."""
        with self.engine.connect() as conn:
            state = self.requests.load(conn, request_id).state
            self._check_reader(conn, viewer, state)
            agency = get_agency(conn, state.agency)
            return case_file(conn, history, list(state.documents), {"name": agency.name, "prefix": agency.doc_prefix},
                             viewer=viewer, released=state.released, read_file=self.files.read if self.files else None)

    @staticmethod
    def _check_reader(conn: Connection, viewer: User | None, state: RequestState) -> None:
        if viewer is not None:  # None: the services' own reads
            access.require(conn, viewer, Action.READ_DOCUMENT, state.agency)

    # -- drafting ---------------------------------------------------------------------------------------------
    def drafted_text(self, conn: Connection, state: RequestState, doc_type: str, outcome: str | None,
                     note: str | None, party: str, served_type: str | None, fee: dict | None = None,
                     paper: PaperFields | None = None) -> str:
        agency = get_agency(conn, state.agency)
        paper = paper or PaperFields()
        request = drafting.request_context(state)
        context = dict(request=request, note=note, party=party,
                       lookup_code=self.lookup_code(state, conn), you=drafting.you_of(state.applicant),
                       period_days=state.correction_period_days or agency.correction_period_days,
                       extension_days=state.extension_days or 20, reply_due=drafting.reply_due(state), fee=None,
                       contact=drafting.contact_line(paper), attachments=paper.attachments)
        if doc_type == DocumentType.FEE_NOTICE:
            context["fee"] = fee or self._fee_context(conn, state, None)
        if doc_type == DocumentType.CORRECTION_NOTICE:
            context.update(drafting.correction_context(state, paper, note), note=None)
        if doc_type == DocumentType.REPLY:
            context.update(drafting.reply_context(agency, state, outcome, paper, note))
        received, consulted = self._recorded(conn, state.request_id)
        if doc_type == DocumentType.RECEIPT:
            context.update(drafting.receipt_context(received))
        if doc_type in drafting.TO_THE_PARTY:
            paper, note = drafting.party_addressed(doc_type, state, paper, party, consulted, note)
            context.update(drafting.consultation_context(paper, party), note=note)
            if doc_type == DocumentType.THIRD_PARTY_NOTICE and not note:
                raise RuleViolation("第三方告知书须写明决定公开的理由（补充内容）", "Art. 32")
        if doc_type == DocumentType.SERVICE_RECORD:
            context.update(drafting.service_record_context(state, served_type, note, consulted, request))
        return render(f"documents/{doc_type}.txt.j2", **context)

    def consultation_recorded(self, request_id: str) -> dict | None:
        """The latest consultation started that no step voided, as recorded (party, party_name, party_address):
        the 征求意见书's addressee. None when none was started."""
        with self.engine.connect() as conn:
            return self._recorded(conn, request_id)[1]

    def _recorded(self, conn: Connection, request_id: str) -> tuple[dict, dict | None]:
        """The application as received, and the latest consultation started that no step voided, as recorded."""
        events = self.store.read_stream(conn, request_stream(request_id))
        voided = {e.payload.get("version") for e in events if e.type == EventType.STEP_VOIDED}
        started = [e.payload for e in events if e.type == EventType.CONSULTATION_STARTED and e.version not in voided]
        return (events[0].payload if events else {}), (started[-1] if started else None)

    def _fee_context(self, conn: Connection, state: RequestState, fee: tuple[str, int] | None) -> dict:
        if fee is not None and fee[0] == "per_request" and fee[1] == 0:  # 0: count them from the log
            fee = ("per_request", self.position_in_month(conn, state))
        if fee is not None and fee[0] == "by_volume" and fee[1] <= 0:
            raise RuleViolation("按量计收须写明本申请所需信息的页数", "109号")
        if fee is None:
            raise OgiError("收费通知书须写明收费方式（按件或按量计收）；按量计收的还须写明页数，按件计收的件数"
                           "不填则按本月已收到的申请计算")
        try:
            month = quote(fee[0], fee[1]).as_json()
            if fee[0] == "per_request":  # this request bears the rate of its place in the month, not the month's sum
                month["amount_yuan"] = int(marginal_amount("per_request", fee[1] - 1))
                month["bands"] = [{**month["bands"][-1], "units": 1, "amount_yuan": month["amount_yuan"]}]
            return {"method": fee[0], "units": fee[1], **month}
        except ValueError as error:
            raise RuleViolation(str(error), "109号") from None

    @staticmethod
    def position_in_month(conn: Connection, state: RequestState) -> int:
        """109号 Art. 4: this request's place among the same applicant's requests to this agency in its calendar
        month, from the log's own record of each receipt (fees.same_applicant decides who is the same)."""
        assert state.received_on is not None
        first = state.received_on.replace(day=1)
        after = (first + dt.timedelta(days=32)).replace(day=1)
        received = receipts_between(conn, state.agency, dt.datetime.combine(first, dt.time()),
                                    dt.datetime.combine(after, dt.time()))
        others = [(row.occurred_at.date(), json.loads(row.payload)["applicant"], row.stream_id[len("request/"):])
                  for row in received]
        return monthly_position(state.received_on, state.applicant, others, state.request_id)

    def lookup_code(self, state: RequestState, conn: Connection | None = None) -> str:
        """The 查询码 of the receipt (workflows/documents/query_code.py): what the applicant's doors ask for."""
        return query_code(self.store.keyring, self.engine, state.request_id, conn)

    @staticmethod
    def _next_number(conn: Connection, agency: str, doc_type: str, year: int) -> str:
        """The next number under a row lock held until the issuing transaction ends: gapless, never twice."""
        sequence = take_next(conn, document_numbers_table, {"agency": agency, "doc_type": doc_type, "year": year})
        return document_number(get_agency(conn, agency).doc_prefix, doc_type, year, sequence)


MAX_CORRECTION_DAYS = 60  # working days: no agency gives an applicant a quarter of a year to say what he asks for


def correction_period(period_days: int | None, agency_default: int) -> int:
    """The period a correction notice gives (Art. 30: 合理的补正期限), the agency's unless the drafter names one."""
    if period_days is None:
        return agency_default
    if not 1 <= period_days <= MAX_CORRECTION_DAYS:
        raise RuleViolation(f"补正期限须为 1 至 {MAX_CORRECTION_DAYS} 个工作日，不能是 {period_days} 个", "Art. 30")
    return period_days


def _whole_number(raw: str | None, label: str) -> int | None:
    text = unicodedata.normalize("NFKC", raw or "").strip()  # full-width digits too
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 4):
        raise OgiError(f"{label}须为正整数，不能是“{text[:20]}”")
    return int(text)


def _latest(state: RequestState, doc_type: str) -> DocumentRecord:
    found = latest(state.documents, doc_type)
    assert found is not None  # just written
    return found
