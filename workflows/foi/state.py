"""The state of one request: a frozen value folded from its events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from enum import StrEnum

from engine.clock import Deadline, Suspension
from workflows.foi.approvals import Approval
from workflows.foi.departments import Assistance
from workflows.foi.documents import DocumentRecord
from workflows.foi.vocabulary import ApplicantKind, Channel, Flag, Outcome


class Stage(StrEnum):
    NEW = "new"  # before receipt: only `receive` is possible
    PROCESSING = "processing"
    AWAITING_CORRECTION = "awaiting_correction"
    CONSULTING = "consulting"
    AWAITING_PAYMENT = "awaiting_payment"
    DECIDED = "decided"
    SERVED = "served"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


STAGE_LABELS: dict[str, str] = {
    Stage.NEW: "未受理",
    Stage.PROCESSING: "办理中",
    Stage.AWAITING_CORRECTION: "待补正",
    Stage.CONSULTING: "征求意见中",
    Stage.AWAITING_PAYMENT: "待缴费",
    Stage.DECIDED: "已答复待送达",
    Stage.SERVED: "已送达",
    Stage.WITHDRAWN: "已撤回",
    Stage.CLOSED: "已归档",
}

# The stage sets, defined here only (tuples: the workflow table and its generated docs keep this order).
OPEN_STAGES = (Stage.PROCESSING, Stage.AWAITING_CORRECTION, Stage.CONSULTING, Stage.AWAITING_PAYMENT)
REPLY_RUNNING_STAGES = (Stage.PROCESSING, Stage.CONSULTING, Stage.AWAITING_PAYMENT)  # a reply period exists
SUSPENDED_STAGES = (Stage.CONSULTING, Stage.AWAITING_PAYMENT)  # the reply period is stopped (Art. 32–34, 109号)
ANSWERED_STAGES = (Stage.DECIDED, Stage.SERVED, Stage.WITHDRAWN)  # concluded, not archived: review and suits
CONCLUDED_STAGES = (*ANSWERED_STAGES, Stage.CLOSED)


@dataclass(frozen=True)
class ReleasedFile:
    """A file of the information given to the applicant: its bytes are kept by their SHA-256 outside the log."""

    name: str
    sha256: str
    size: int
    media_type: str
    released_on: dt.date


@dataclass(frozen=True)
class Case:
    """An administrative review (行政复议) or a suit (行政诉讼) about this request's decision."""

    case: str
    filed_on: dt.date
    after_review: bool = False
    result: str | None = None
    closed_on: dt.date | None = None


@dataclass(frozen=True)
class RequestState:
    request_id: str = ""
    agency: str = ""
    stage: Stage = Stage.NEW
    applicant: dict = field(default_factory=dict)
    applicant_kind: ApplicantKind | None = None
    channel: Channel | None = None
    subject: str = ""
    received_on: dt.date | None = None  # original receipt date: counts the request as "new" in its year
    confirmed_on: dt.date | None = None  # Art. 31 confirmation for post_plain / online / fax / email
    clock_start: dt.date | None = None  # the day the reply period runs from
    correction_notice_on: dt.date | None = None
    correction_notice_received_on: dt.date | None = None  # the applicant's period runs from it when recorded
    correction_period_days: int | None = None
    corrected_on: dt.date | None = None
    open_consultation: tuple[str, dt.date] | None = None  # (party, started_on)
    fee_notified_on: dt.date | None = None
    fee_notice_received_on: dt.date | None = None
    fee_amount_yuan: float | None = None
    fee_method: str | None = None
    fee_paid_on: dt.date | None = None
    suspensions: tuple[Suspension, ...] = ()
    extension_days: int = 0
    extension_approved_by: str | None = None
    procedure: str | None = None  # None: disclosure; "record_correction": Art. 41 (outside the annual report)
    record_correction_result: str | None = None  # Art. 41
    form_requested: str | None = None  # Art. 40
    assisted_by: str | None = None  # Art. 43
    reasons_requested_on: dt.date | None = None  # Art. 35
    reasons_received_on: dt.date | None = None
    reasons_reasonable: bool | None = None
    reasons_reply_days: int | None = None  # the agency's own reply period under Art. 35
    outcome: Outcome | None = None
    decision_reasons: str | None = None  # Art. 36(3), 37
    responsible_agency: str | None = None  # Art. 36(5)
    form_provided: str | None = None  # Art. 40
    concluded_on: dt.date | None = None  # the decision, or the withdrawal (the report's conclusion date)
    delivered_on: dt.date | None = None
    delivery_method: str | None = None
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    lapsed: frozenset[str] = frozenset()  # periods whose lapse has fired (timer keys)
    flags: tuple[Flag, ...] = ()
    reviews: dict[str, Case] = field(default_factory=dict)
    litigations: dict[str, Case] = field(default_factory=dict)
    documents: tuple[DocumentRecord, ...] = ()  # the official documents, in the order drafted (documents.py)
    department: str | None = None  # the department handling it inside the agency (departments.py)
    assists: tuple[Assistance, ...] = ()  # 协办: other departments asked to assist, each with its own due day
    imported_from: str | None = None  # a history brought in by `ogi import` (its documents are not in ogi)
    approvals: tuple[Approval, ...] = ()  # 审批: steps asked for by staff, pending or decided (approvals.py)
    # the online door (online.py): consent to 电子送达 on the applicant's page, the files released, the downloads,
    # whether the applicant wants the milestone messages
    electronic_service: bool = False
    released: tuple[ReleasedFile, ...] = ()
    downloads: int = 0
    first_download_on: dt.date | None = None
    applicant_notices: bool = True
    last_staff_at: dt.datetime | None = None  # staff steps must not go back in business time
    last_event_at: dt.datetime | None = None  # a timer made due by an event fires no earlier than that event

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    def but(self, **changes) -> RequestState:
        """A copy with some fields changed: dataclasses.replace without re-running __init__ (hot in replays)."""
        unknown = changes.keys() - _FIELDS
        if unknown:
            raise TypeError(f"RequestState has no field(s) {sorted(unknown)}")
        new = object.__new__(RequestState)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new

    @property
    def consulted_party(self) -> str:
        """The party of the open consultation (only asked while one is open)."""
        if self.open_consultation is None:
            raise ValueError(f"{self.request_id} has no open consultation")
        return self.open_consultation[0]

    def has_lapsed(self, period: str) -> bool:
        return any(key.startswith(period + ":") for key in self.lapsed)

    def pending_cases(self) -> list[str]:
        return [c.case for c in (*self.reviews.values(), *self.litigations.values()) if c.closed_on is None]


_FIELDS = frozenset(f.name for f in fields(RequestState))
