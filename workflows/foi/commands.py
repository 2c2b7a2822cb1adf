"""Commands: what a person (or a timer) asks the workflow to do. Imperative names; each yields one event type.

A field without a default must be given; a field made with `stated()` has a default a clerk may rely on at
the command line, yet an imported history must state it (DESIGN §6). `required_fields` reads both from the
class, so the importer's rules are these classes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar

from workflows.foi.event_types import EventType

# optional facts added with issue 8: left out of the payload when not given, so older events read the same
_OMITTED_WHEN_NONE = frozenset({"form_requested", "assisted_by", "reasons", "responsible_agency", "form_provided",
                                "form_reason", "reply_days", "procedure", "competent_agency", "imported_from",
                                "outcome", "tracking_no", "posted_on", "signed_on", "fee", "served_on", "note",
                                "reason", "decision",
                                # issue 19: the intake's facts (the 受理窗口's record)
                                "obtain_method", "content", "party_name", "party_address",
                                # issue 20: the online door (consent to electronic service, its evidence)
                                "electronic_service", "evidence"})


def stated(default: Any) -> Any:
    """A field with a default for people, which an imported history must still state."""
    return field(default=default, metadata={"stated": True})


@dataclass(frozen=True)
class Command:
    name: ClassVar[str]  # the command in the workflow definition and on the CLI
    event_type: ClassVar[EventType]  # the past-tense event it records (also the import `type`)
    at: dt.datetime

    def payload(self) -> dict:
        """The command's own fields as JSON values (without `at`)."""
        out = {}
        for key, value in self.__dict__.items():
            if key == "at" or (value is None and key in _OMITTED_WHEN_NONE):
                continue
            out[key] = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
        return out


@dataclass(frozen=True)
class Receive(Command):
    name = "receive"
    event_type = EventType.RECEIVED
    request_id: str = ""
    agency: str = ""
    applicant: dict = field(default_factory=dict)
    channel: str = ""
    subject: str = ""
    confirmed_at: dt.datetime | None = None
    form_requested: str | None = None  # Art. 29(3), 40: the form asked for (ProvisionForm) — 提供形式
    obtain_method: str | None = None  # Art. 29(3): how the applicant will obtain it (intake.ObtainMethod) — 获取方式
    assisted_by: str | None = None  # Art. 29, 43: who wrote the application down for an applicant who could not
    procedure: str | None = None  # None: disclosure; "record_correction": Art. 41
    imported_from: str | None = None  # set by `ogi import`: a history whose documents are not in ogi
    # the applicant consents to 电子送达 on the applicant's page (issue 20; the service day: docs/readings.md)
    electronic_service: bool | None = None


@dataclass(frozen=True)
class ConfirmReceipt(Command):
    name = "confirm_receipt"
    event_type = EventType.RECEIPT_CONFIRMED


@dataclass(frozen=True)
class RequestCorrection(Command):
    name = "request_correction"
    event_type = EventType.CORRECTION_REQUESTED
    period_days: int | None = None  # None: the agency's default, filled in by the service


@dataclass(frozen=True)
class SubmitCorrection(Command):
    """Art. 30: the corrected application received; `at` is the day it was received (the reply period restarts)."""

    name = "submit_correction"
    event_type = EventType.CORRECTED
    content: str | None = None  # what the applicant corrected or supplied (补正内容)


@dataclass(frozen=True)
class StartConsultation(Command):
    name = "start_consultation"
    event_type = EventType.CONSULTATION_STARTED
    party: str = stated("third_party")
    # Art. 32, 34: who is consulted — the third party's name and address (the 征求意见书's addressee), or the other
    # agency's name (the 征求意见函's)
    party_name: str | None = None
    party_address: str | None = None


@dataclass(frozen=True)
class EndConsultation(Command):
    name = "end_consultation"
    event_type = EventType.CONSULTATION_ENDED
    party: str | None = None  # None: the one consultation that is open
    opinion: str = "none"


@dataclass(frozen=True)
class NotifyFee(Command):
    name = "notify_fee"
    event_type = EventType.FEE_NOTIFIED
    amount_yuan: float
    method: str = stated("per_request")


@dataclass(frozen=True)
class PayFee(Command):
    name = "pay_fee"
    event_type = EventType.FEE_PAID


@dataclass(frozen=True)
class Extend(Command):
    name = "extend"
    event_type = EventType.EXTENDED
    # the head who consented: the service fills it in from the signed-in approver (a clerk's extension is asked for
    # as an approval instead); only an imported history states it, as its paper file says (DESIGN §6, §9)
    approved_by: str = stated("")
    working_days: int = stated(20)
    reason: str | None = None  # why the reply needs longer (told to the head who consents, and to the applicant)


@dataclass(frozen=True)
class Decide(Command):
    name = "decide"
    event_type = EventType.DECIDED
    outcome: str
    reasons: str | None = None  # Art. 36(3), 37: why (part of) the information is not provided
    responsible_agency: str | None = None  # Art. 36(5): the agency that holds it, with its contact details
    form_provided: str | None = None  # Art. 40
    form_reason: str | None = None  # Art. 40: why not in the form asked for


@dataclass(frozen=True)
class Deliver(Command):
    name = "deliver"
    event_type = EventType.DELIVERED
    method: str = stated("in_person")
    served_on: str | None = None  # the legal service day from the service record (235号; default: this day)
    evidence: str | None = None  # 电子送达: where and when the reply reached the system the applicant chose


@dataclass(frozen=True)
class Withdraw(Command):
    name = "withdraw"
    event_type = EventType.WITHDRAWN
    reason: str | None = None  # the applicant's own words, when given (the online page asks; paper rarely says)


@dataclass(frozen=True)
class FileReview(Command):
    name = "file_review"
    event_type = EventType.REVIEW_FILED
    case: str


@dataclass(frozen=True)
class CloseReview(Command):
    name = "close_review"
    event_type = EventType.REVIEW_CLOSED
    case: str
    result: str


@dataclass(frozen=True)
class FileLitigation(Command):
    name = "file_litigation"
    event_type = EventType.LITIGATION_FILED
    case: str
    after_review: bool = False


@dataclass(frozen=True)
class CloseLitigation(Command):
    name = "close_litigation"
    event_type = EventType.LITIGATION_CLOSED
    case: str
    result: str


@dataclass(frozen=True)
class Close(Command):
    name = "close"
    event_type = EventType.CLOSED


@dataclass(frozen=True)
class DecideRecordCorrection(Command):
    """Art. 41: the answer to a request to correct records about the applicant (not an OGI outcome)."""

    name = "decide_record_correction"
    event_type = EventType.RECORD_CORRECTION_DECIDED
    result: str
    reasons: str | None = None  # why not corrected
    competent_agency: str | None = None  # the agency that may correct it (referred, directed)


@dataclass(frozen=True)
class VoidStep(Command):
    """Void a person's step recorded by mistake: the request is folded without it; nothing is edited or deleted."""

    name = "void_step"
    event_type = EventType.STEP_VOIDED
    version: int  # the event to void, by its version in the request's stream
    reason: str
    approved_by: str = stated("")  # a head or administrator: filled in by the service from the approver, as Extend


@dataclass(frozen=True)
class RecordNoticeReceipt(Command):
    """The day the applicant received a correction or fee notice: their period runs from it (Art. 30, 109号)."""

    name = "record_notice_receipt"
    event_type = EventType.NOTICE_RECEIVED
    notice: str


@dataclass(frozen=True)
class AskReasons(Command):
    """Art. 35: the number or frequency of requests clearly exceeds a reasonable range; the applicant is asked why."""

    name = "ask_reasons"
    event_type = EventType.REASONS_REQUESTED


@dataclass(frozen=True)
class ReceiveReasons(Command):
    """Art. 35: the applicant's reasons; if reasonable and the reply period cannot be kept, a period of the agency's."""

    name = "receive_reasons"
    event_type = EventType.REASONS_RECEIVED
    reasonable: bool
    reply_days: int | None = None  # working days from this day, when the Art. 33 period cannot be kept


@dataclass(frozen=True)
class LapsePeriod(Command):
    """Fired by a timer when a period has run out (never by a person)."""

    name = "lapse"
    event_type = EventType.PERIOD_LAPSED
    period: str = ""  # reply | correction | payment | consultation
    due: dt.date | None = None


@dataclass(frozen=True)
class RecomputeDeadlines(Command):
    """Fired when the calendar data of a year changes (a provisional deadline becomes final)."""

    name = "recompute_deadlines"
    event_type = EventType.DEADLINES_RECOMPUTED
    reason: str = ""


@dataclass(frozen=True)
class DraftDocument(Command):
    """Draft (or redraft, until it is issued) an official document; staff may have edited the text."""

    name = "draft_document"
    event_type = EventType.DOCUMENT_DRAFTED
    doc_type: str = ""
    text: str = ""
    outcome: str | None = None  # the reply's outcome
    fee: dict | None = None  # a fee notice's method, units and amount_yuan (notify_fee must charge these)
    # the reply's decision fields besides the outcome (reasons, responsible_agency, form_provided, form_reason:
    # Art. 36(3), 36(5), 37, 40), recorded with `decided` when the reply is issued
    decision: dict | None = None


@dataclass(frozen=True)
class ApproveDocument(Command):
    name = "approve_document"
    event_type = EventType.DOCUMENT_APPROVED
    doc_type: str = ""
    approved_by: str = ""


@dataclass(frozen=True)
class IssueDocument(Command):
    name = "issue_document"
    event_type = EventType.DOCUMENT_ISSUED
    doc_type: str = ""
    number: str = ""  # allocated by the service, gapless per agency, type and year
    text_hash: str = ""


@dataclass(frozen=True)
class ServeDocument(Command):
    name = "serve_document"
    event_type = EventType.DOCUMENT_SERVED
    doc_type: str = ""
    method: str = ""  # personal | post | electronic | notice (235号)
    tracking_no: str | None = None
    posted_on: str | None = None  # the day handed to the post office (ISO date)
    signed_on: str | None = None  # the day the applicant signed for it
    evidence: str | None = None  # 电子送达: where and when it reached the system the applicant chose, its SHA-256


@dataclass(frozen=True)
class ReturnDocument(Command):
    """A served letter came back undelivered (退件): the document is served again."""

    name = "return_document"
    event_type = EventType.DOCUMENT_RETURNED
    doc_type: str = ""
    reason: str = ""


@dataclass(frozen=True)
class SendBackDraft(Command):
    """审核 not passed: the draft goes back to its drafter with the head's opinion (审批意见) for revision."""

    name = "send_back_draft"
    event_type = EventType.DOCUMENT_SENT_BACK
    doc_type: str = ""
    opinion: str = ""


DOCUMENT_COMMANDS: dict[str, type[Command]] = {
    c.name: c for c in (DraftDocument, ApproveDocument, IssueDocument, ServeDocument, ReturnDocument, SendBackDraft)}


# -- approvals (审批): a step that needs the head's consent, asked for by staff, decided by a head ----------------------
@dataclass(frozen=True)
class RequestApproval(Command):
    """Staff ask for a step that needs a head's or administrator's consent (an extension, Art. 33; a void)."""

    name = "request_approval"
    event_type = EventType.APPROVAL_REQUESTED
    kind: str = ""  # the step asked for: extend | void_step
    step: dict = field(default_factory=dict)  # its fields (without at and approved_by)
    reason: str = ""  # why it is asked for


@dataclass(frozen=True)
class GrantApproval(Command):
    """The approver consents; the service records the step itself next, with the approver as its approved_by."""

    name = "grant_approval"
    event_type = EventType.APPROVAL_GRANTED
    approval_id: str = ""
    opinion: str = ""  # 审批意见 (optional when granting)


@dataclass(frozen=True)
class RejectApproval(Command):
    name = "reject_approval"
    event_type = EventType.APPROVAL_REJECTED
    approval_id: str = ""
    opinion: str = ""  # 审批意见: why not (required)


APPROVAL_COMMANDS: dict[str, type[Command]] = {c.name: c for c in (RequestApproval, GrantApproval, RejectApproval)}


# -- handling inside the agency (签收/转办/退回/协办, departments.py): the reply period keeps running ---------------
@dataclass(frozen=True)
class AssignDepartment(Command):
    name = "assign_department"
    event_type = EventType.DEPARTMENT_ASSIGNED
    department: str


@dataclass(frozen=True)
class TransferDepartment(Command):
    name = "transfer_department"
    event_type = EventType.DEPARTMENT_TRANSFERRED
    department: str
    reason: str


@dataclass(frozen=True)
class SendBack(Command):
    name = "send_back"
    event_type = EventType.DEPARTMENT_SENT_BACK
    reason: str


@dataclass(frozen=True)
class RequestAssistance(Command):
    name = "request_assistance"
    event_type = EventType.ASSISTANCE_REQUESTED
    department: str
    due_on: str  # YYYY-MM-DD: the assisting department's own due day


@dataclass(frozen=True)
class AnswerAssistance(Command):
    name = "answer_assistance"
    event_type = EventType.ASSISTANCE_ANSWERED
    department: str
    note: str | None = None


DEPARTMENT_COMMANDS = (AssignDepartment, TransferDepartment, RequestAssistance, AnswerAssistance)  # name a department

STAFF_COMMANDS: dict[str, type[Command]] = {
    c.name: c
    for c in (
        ConfirmReceipt, RequestCorrection, SubmitCorrection, StartConsultation, EndConsultation,
        NotifyFee, PayFee, Extend, Decide, Deliver, Withdraw, FileReview, CloseReview,
        FileLitigation, CloseLitigation, Close, RecordNoticeReceipt, AskReasons, ReceiveReasons, DecideRecordCorrection,
        VoidStep, AssignDepartment, TransferDepartment, SendBack, RequestAssistance, AnswerAssistance,
    )
}
SYSTEM_COMMANDS = frozenset({LapsePeriod.name, RecomputeDeadlines.name})
BY_EVENT_TYPE: dict[str, type[Command]] = {c.event_type: c for c in STAFF_COMMANDS.values()}


def required_fields(cls: type[Command]) -> tuple[str, ...]:
    """The fields an imported event of this command must state: no default, or a default only for people."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.name != "at" and (
        (f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING) or f.metadata.get("stated")))


def has_default(cls: type[Command], name: str) -> bool:
    """Whether a person may leave the field out (an imported history may still have to state it)."""
    f = cls.__dataclass_fields__[name]
    return f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
