"""Commands: what a person (or a timer) asks the workflow to do. Imperative names; each yields one event type."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class Command:
    name: ClassVar[str]  # the command in the workflow definition and on the CLI
    event_type: ClassVar[str]  # the past-tense event it records (also the import `type`)
    at: dt.datetime

    def payload(self) -> dict:
        """The command's own fields as JSON values (without `at`)."""
        out = {}
        for key, value in self.__dict__.items():
            if key == "at":
                continue
            out[key] = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
        return out


@dataclass(frozen=True)
class Receive(Command):
    name = "receive"
    event_type = "received"
    request_id: str = ""
    agency: str = ""
    applicant: dict = field(default_factory=dict)
    channel: str = ""
    subject: str = ""
    confirmed_at: dt.datetime | None = None


@dataclass(frozen=True)
class ConfirmReceipt(Command):
    name = "confirm_receipt"
    event_type = "receipt_confirmed"


@dataclass(frozen=True)
class RequestCorrection(Command):
    name = "request_correction"
    event_type = "correction_requested"
    period_days: int | None = None  # None: the agency's default, filled in by the service


@dataclass(frozen=True)
class SubmitCorrection(Command):
    name = "submit_correction"
    event_type = "corrected"


@dataclass(frozen=True)
class StartConsultation(Command):
    name = "start_consultation"
    event_type = "consultation_started"
    party: str = "third_party"


@dataclass(frozen=True)
class EndConsultation(Command):
    name = "end_consultation"
    event_type = "consultation_ended"
    party: str | None = None  # None: the one consultation that is open
    opinion: str = "none"


@dataclass(frozen=True)
class NotifyFee(Command):
    name = "notify_fee"
    event_type = "fee_notified"
    amount_yuan: float = 0
    method: str = "per_request"


@dataclass(frozen=True)
class PayFee(Command):
    name = "pay_fee"
    event_type = "fee_paid"


@dataclass(frozen=True)
class Extend(Command):
    name = "extend"
    event_type = "extended"
    working_days: int = 20
    approved_by: str = ""


@dataclass(frozen=True)
class Decide(Command):
    name = "decide"
    event_type = "decided"
    outcome: str = ""


@dataclass(frozen=True)
class Deliver(Command):
    name = "deliver"
    event_type = "delivered"
    method: str = "in_person"


@dataclass(frozen=True)
class Withdraw(Command):
    name = "withdraw"
    event_type = "withdrawn"


@dataclass(frozen=True)
class FileReview(Command):
    name = "file_review"
    event_type = "review_filed"
    case: str = ""


@dataclass(frozen=True)
class CloseReview(Command):
    name = "close_review"
    event_type = "review_closed"
    case: str = ""
    result: str = ""


@dataclass(frozen=True)
class FileLitigation(Command):
    name = "file_litigation"
    event_type = "litigation_filed"
    case: str = ""
    after_review: bool = False


@dataclass(frozen=True)
class CloseLitigation(Command):
    name = "close_litigation"
    event_type = "litigation_closed"
    case: str = ""
    result: str = ""


@dataclass(frozen=True)
class Close(Command):
    name = "close"
    event_type = "closed"


@dataclass(frozen=True)
class LapsePeriod(Command):
    """Fired by a timer when a period has run out (never by a person)."""

    name = "lapse"
    event_type = "period_lapsed"
    period: str = ""  # reply | correction | payment | consultation
    due: dt.date | None = None


@dataclass(frozen=True)
class RecomputeDeadlines(Command):
    """Fired when the calendar data of a year changes (a provisional deadline becomes final)."""

    name = "recompute_deadlines"
    event_type = "deadlines_recomputed"
    reason: str = ""


STAFF_COMMANDS: dict[str, type[Command]] = {
    c.name: c
    for c in (
        ConfirmReceipt, RequestCorrection, SubmitCorrection, StartConsultation, EndConsultation,
        NotifyFee, PayFee, Extend, Decide, Deliver, Withdraw, FileReview, CloseReview,
        FileLitigation, CloseLitigation, Close,
    )
}
SYSTEM_COMMANDS = frozenset({LapsePeriod.name, RecomputeDeadlines.name})
BY_EVENT_TYPE: dict[str, type[Command]] = {c.event_type: c for c in STAFF_COMMANDS.values()}
