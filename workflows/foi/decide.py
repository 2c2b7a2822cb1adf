"""The functional core: `decide(state, command, calendar) -> events` and `evolve(state, event) -> state`.

Events carry their consequences (new deadlines, flags) in the payload, so a replay shows the deadlines
as they were computed at the time, even if the calendar data changed later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from engine.calendar import WorkingCalendar
from engine.clock import Deadline, Suspension
from engine.errors import RuleViolation
from engine.events import Event, NewEvent
from workflows.foi import approvals, departments, documents, online
from workflows.foi import commands as c
from workflows.foi.deadlines import compute_deadlines
from workflows.foi.definition import WORKFLOW
from workflows.foi.event_types import NOT_A_STEP, SYSTEM_EVENTS, EventType
from workflows.foi.state import Case, RequestState, Stage
from workflows.foi.vocabulary import ApplicantKind, Channel, Flag, Outcome, Procedure
from workflows.foi.wording import earlier_than_previous, field_named, step_name

SYSTEM_ACTOR = "system"


def _day(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value).date() if isinstance(value, str) else value.date()


# -- decide --------------------------------------------------------------------------------------
def decide(state: RequestState, command: c.Command, calendar: WorkingCalendar) -> list[NewEvent]:
    return decide_and_evolve(state, command, calendar)[1]


def decide_and_evolve(state: RequestState, command: c.Command,
                      calendar: WorkingCalendar) -> tuple[RequestState, list[NewEvent]]:
    """decide, and the state after its events: the same as folding them with `evolve`, computed once.

    Timers are not fired here: `workflows.foi.handle.handle` is the path every caller takes.
    """
    row = WORKFLOW.transition(state.stage, command.name, command, state)
    if command.name not in c.SYSTEM_COMMANDS:
        _check_chronology(state, command)
    payload = command.payload()
    flags = _late_flags(state, command)
    if isinstance(command, c.EndConsultation) and command.party is None:
        payload["party"] = state.consulted_party
    if isinstance(command, c.RequestApproval):  # the step's own rules hold now, or it is refused now, not at approval
        WORKFLOW.transition(state.stage, command.kind, approvals.asked_step(command.kind, command.step, command.at), state)
        payload["approval_id"] = approvals.next_id(state.approvals)
    if isinstance(command, c.Receive):
        _refuse_control_characters(payload)
        payload["confirmed_at"] = command.confirmed_at.isoformat() if command.confirmed_at else None
    if isinstance(command, c.LapsePeriod) and command.period == "consultation":
        ended_on = command.due.isoformat() if command.due else command.at.date().isoformat()
        # Art. 34: another agency that does not answer in 15 working days is deemed to consent (视为同意);
        # a third party's silence is no opinion, and the agency decides itself (Art. 32)
        opinion = "consent" if state.consulted_party == "agency" else "none"
        payload = {"party": state.consulted_party, "opinion": opinion, "auto": True, "ended_on": ended_on}
        event_type = c.EndConsultation.event_type
    else:
        event_type = command.event_type
    if flags:
        payload["flags"] = flags
    actor = SYSTEM_ACTOR if command.name in c.SYSTEM_COMMANDS else None
    event = NewEvent(str(event_type), command.at, payload, actor)
    tentative = evolve(state, event)
    deadlines = compute_deadlines(tentative, calendar)
    if deadlines != state.deadlines or row.target is not None:
        event.payload["deadlines"] = {name: d.as_dict() for name, d in deadlines.items()}
    return tentative.but(deadlines=deadlines), [event]


def _refuse_control_characters(value, where: str = "") -> None:
    """Names, numbers and subjects are text: a NUL or other control character is a broken input, not data."""
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_control_characters(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, str):
        bad = next((ch for ch in value if ord(ch) < 32 and ch not in "\t\n\r"), None)
        if bad is not None:
            raise RuleViolation(f"{field_named(where)}含有不可见的控制字符（U+{ord(bad):04X}），请删除后重新填写", "input")


def _check_chronology(state: RequestState, command: c.Command) -> None:
    if state.received_on and command.at.date() < state.received_on:
        raise RuleViolation(f"“{step_name(command.name)}”的日期（{command.at.date()}）不能早于收到申请之日"
                            f"（{state.received_on}），请核对日期", "chronology")
    if state.last_staff_at and command.at < state.last_staff_at:
        raise RuleViolation(earlier_than_previous(command, state.last_staff_at), "chronology")


def _due(state: RequestState, name: str) -> dt.date | None:
    deadline = state.deadlines.get(name)
    return deadline.due if deadline else None


# a step after the end of this period is legal but late: accepted and flagged
_LATE_STEPS: dict[type, tuple[str, Flag]] = {
    c.RequestCorrection: ("correction_notice", Flag.LATE_CORRECTION_NOTICE),  # Art. 30: within 7 working days
    c.SubmitCorrection: ("correction", Flag.LATE_CORRECTION),
    c.NotifyFee: ("reply", Flag.LATE_FEE_NOTICE),  # 109号: within the reply period
    c.PayFee: ("payment", Flag.LATE_PAYMENT),
    c.Extend: ("reply", Flag.LATE_EXTENSION),  # Art. 33
}
_LAPSE_FLAGS = {"reply": Flag.REPLY_OVERDUE, "correction": Flag.CORRECTION_LAPSED, "payment": Flag.PAYMENT_LAPSED}


def _late_flags(state: RequestState, command: c.Command) -> list[str]:
    """Legal but late steps are accepted and flagged (a late correction notice, a reply after the deadline, …)."""
    day = command.at.date()
    flags: list[Flag] = []
    period, flag = _LATE_STEPS.get(type(command), (None, None))
    if period and flag and (due := _due(state, period)) is not None and day > due:
        flags.append(flag)
    if isinstance(command, c.Deliver) and command.served_on:
        day = dt.date.fromisoformat(command.served_on)  # the service record's day decides (235号)
    if isinstance(command, (c.Decide, c.Deliver)) and _reply_is_late(state, day):
        flags.append(Flag.LATE_REPLY)
    if isinstance(command, c.Decide) and _form_changed(state, command):
        flags.append(Flag.FORM_CHANGED)
    if isinstance(command, c.LapsePeriod) and command.period in _LAPSE_FLAGS:
        flags.append(_LAPSE_FLAGS[command.period])
    return [str(f) for f in flags]


def _reply_is_late(state: RequestState, day: dt.date) -> bool:
    """After the reply period, or after a late extension, which cannot make the reply timely (Art. 33)."""
    if Flag.LATE_REPLY in state.flags or state.stage in (Stage.AWAITING_CORRECTION, Stage.AWAITING_PAYMENT):
        return False
    due = _due(state, "reply")
    return (due is not None and day > due) or Flag.LATE_EXTENSION in state.flags


def _form_changed(state: RequestState, command: c.Decide) -> bool:
    return bool(command.form_provided and state.form_requested and command.form_provided != state.form_requested)


# -- evolve --------------------------------------------------------------------------------------
def evolve(state: RequestState, event: Event) -> RequestState:
    p = event.payload
    day = event.occurred_at.date()
    apply = _APPLY.get(event.type)
    if apply is None:
        raise ValueError(f"unknown event type {event.type!r}")
    state = apply(state, p, day)
    changes: dict = {}
    if "deadlines" in p:
        changes["deadlines"] = {name: Deadline.from_dict(d) for name, d in p["deadlines"].items()}
    if p.get("flags"):
        changes["flags"] = state.flags + tuple(Flag(f) for f in p["flags"] if f not in state.flags)
    if event.type not in NOT_A_STEP and not p.get("auto"):
        changes["last_staff_at"] = event.occurred_at
    if state.last_event_at is None or event.occurred_at > state.last_event_at:
        changes["last_event_at"] = event.occurred_at
    return state.but(**changes) if changes else state


def _received(s: RequestState, p: dict, day: dt.date) -> RequestState:
    confirmed = _day(p.get("confirmed_at"))
    return s.but(
        request_id=p["request_id"], agency=p["agency"], stage=Stage.PROCESSING, applicant=p["applicant"],
        applicant_kind=ApplicantKind(p["applicant"]["kind"]), channel=Channel(p["channel"]), subject=p.get("subject", ""),
        received_on=day, confirmed_on=confirmed, clock_start=confirmed or day,
        form_requested=p.get("form_requested"), assisted_by=p.get("assisted_by"),
        procedure=None if p.get("procedure") in (None, Procedure.DISCLOSURE) else p["procedure"],
        imported_from=p.get("imported_from"), electronic_service=bool(p.get("electronic_service")),
    )


def _suspend(s: RequestState, day: dt.date, reason: str) -> tuple[Suspension, ...]:
    return s.suspensions + (Suspension(day, None, reason),)


def _resume(s: RequestState, day: dt.date) -> tuple[Suspension, ...]:
    *closed, last = s.suspensions
    return (*closed, replace(last, end=day))


def _consultation_ended(s: RequestState, p: dict, day: dt.date) -> RequestState:
    ended = _day(p.get("ended_on")) or day
    return s.but(stage=Stage.PROCESSING, open_consultation=None, suspensions=_resume(s, ended))


def _decided(s: RequestState, p: dict, day: dt.date) -> RequestState:
    flags = s.flags
    on_time = Flag.LATE_REPLY not in (p.get("flags") or ()) and Flag.LATE_REPLY not in flags
    if on_time and Flag.REPLY_OVERDUE in flags:
        flags = tuple(f for f in flags if f != Flag.REPLY_OVERDUE)  # served on time after all (backdated step)
    return s.but(stage=Stage.DECIDED, outcome=Outcome(p["outcome"]), concluded_on=day, flags=flags,
                 decision_reasons=p.get("reasons"), responsible_agency=p.get("responsible_agency"),
                 form_provided=p.get("form_provided"))


def _record_correction_decided(s: RequestState, p: dict, day: dt.date) -> RequestState:
    return s.but(stage=Stage.DECIDED, concluded_on=day, record_correction_result=p["result"],
                 decision_reasons=p.get("reasons"), responsible_agency=p.get("competent_agency"))


def _document_returned(s: RequestState, p: dict, day: dt.date) -> RequestState:
    """A returned reply was not served after all: the request waits for its service again (235号)."""
    s = s.but(documents=documents.returned(s.documents, p, day))
    if p["doc_type"] == documents.DocumentType.REPLY and s.stage == Stage.SERVED:
        return s.but(stage=Stage.DECIDED, delivered_on=None, delivery_method=None)
    return s


def _notice_received(s: RequestState, p: dict, day: dt.date) -> RequestState:
    if p["notice"] == "correction":
        return s.but(correction_notice_received_on=day)
    return s.but(fee_notice_received_on=day)


def _reasons_received(s: RequestState, p: dict, day: dt.date) -> RequestState:
    return s.but(reasons_received_on=day, reasons_reasonable=p["reasonable"], reasons_reply_days=p.get("reply_days"))


def _lapsed(s: RequestState, p: dict, day: dt.date) -> RequestState:
    return s.but(lapsed=s.lapsed | {f"{p['period']}:{p['due']}"})


def _case_filed(kind: str) -> Callable:
    def apply(s: RequestState, p: dict, day: dt.date) -> RequestState:
        cases = dict(getattr(s, kind))
        cases[p["case"]] = Case(p["case"], day, bool(p.get("after_review", False)))
        return s.but(**{kind: cases})
    return apply


def _case_closed(kind: str) -> Callable:
    def apply(s: RequestState, p: dict, day: dt.date) -> RequestState:
        cases = dict(getattr(s, kind))
        cases[p["case"]] = replace(cases[p["case"]], result=p["result"], closed_on=day)
        return s.but(**{kind: cases})
    return apply


_APPLY: dict[str, Callable[[RequestState, dict, dt.date], RequestState]] = {
    EventType.RECEIVED: _received,
    EventType.RECEIPT_CONFIRMED: lambda s, p, d: s.but(confirmed_on=d, clock_start=d),
    EventType.CORRECTION_REQUESTED: lambda s, p, d: s.but(
        stage=Stage.AWAITING_CORRECTION, correction_notice_on=d, correction_period_days=p["period_days"]
    ),
    EventType.CORRECTED: lambda s, p, d: s.but(stage=Stage.PROCESSING, corrected_on=d, clock_start=d, suspensions=()),
    EventType.CONSULTATION_STARTED: lambda s, p, d: s.but(
        stage=Stage.CONSULTING, open_consultation=(p["party"], d), suspensions=_suspend(s, d, f"consultation:{p['party']}")
    ),
    EventType.CONSULTATION_ENDED: _consultation_ended,
    EventType.FEE_NOTIFIED: lambda s, p, d: s.but(
        stage=Stage.AWAITING_PAYMENT, fee_notified_on=d, fee_amount_yuan=p["amount_yuan"], fee_method=p["method"],
        suspensions=_suspend(s, d, "fee"),
    ),
    EventType.FEE_PAID: lambda s, p, d: s.but(stage=Stage.PROCESSING, fee_paid_on=d, suspensions=_resume(s, d)),
    EventType.EXTENDED: lambda s, p, d: s.but(extension_days=p["working_days"], extension_approved_by=p["approved_by"]),
    EventType.DECIDED: _decided,
    EventType.DELIVERED: lambda s, p, d: s.but(stage=Stage.SERVED, delivered_on=_day(p.get("served_on")) or d,
                                               delivery_method=p["method"]),
    EventType.WITHDRAWN: lambda s, p, d: s.but(stage=Stage.WITHDRAWN, outcome=Outcome.OTHER_OTHER, concluded_on=d),
    EventType.REVIEW_FILED: _case_filed("reviews"),
    EventType.REVIEW_CLOSED: _case_closed("reviews"),
    EventType.LITIGATION_FILED: _case_filed("litigations"),
    EventType.LITIGATION_CLOSED: _case_closed("litigations"),
    EventType.CLOSED: lambda s, p, d: s.but(stage=Stage.CLOSED),
    EventType.PERIOD_LAPSED: _lapsed,
    EventType.DEADLINES_RECOMPUTED: lambda s, p, d: s,
    EventType.NOTICE_RECEIVED: _notice_received,
    EventType.RECORD_CORRECTION_DECIDED: _record_correction_decided,
    EventType.REASONS_REQUESTED: lambda s, p, d: s.but(reasons_requested_on=d),
    EventType.REASONS_RECEIVED: _reasons_received,
    EventType.SYSTEM_EVENTS_WITHDRAWN: lambda s, p, d: s,
    EventType.DOCUMENT_DRAFTED: lambda s, p, d: s.but(documents=documents.drafted(s.documents, p, d)),
    EventType.DOCUMENT_APPROVED: lambda s, p, d: s.but(documents=documents.approved(s.documents, p, d)),
    EventType.DOCUMENT_ISSUED: lambda s, p, d: s.but(documents=documents.issued(s.documents, p, d)),
    EventType.DOCUMENT_SERVED: lambda s, p, d: s.but(documents=documents.served(s.documents, p, d)),
    EventType.DOCUMENT_RETURNED: _document_returned,
    EventType.DOCUMENT_SENT_BACK: lambda s, p, d: s.but(documents=documents.sent_back(s.documents, p, d)),
    EventType.APPROVAL_REQUESTED: lambda s, p, d: s.but(approvals=approvals.requested(s.approvals, p, d)),
    EventType.APPROVAL_GRANTED: lambda s, p, d: s.but(approvals=approvals.decided(s.approvals, p, d, approvals.GRANTED)),
    EventType.APPROVAL_REJECTED: lambda s, p, d: s.but(approvals=approvals.decided(s.approvals, p, d, approvals.REJECTED)),
    EventType.DEPARTMENT_ASSIGNED: lambda s, p, d: s.but(department=p["department"]),
    EventType.DEPARTMENT_TRANSFERRED: lambda s, p, d: s.but(department=p["department"]),
    EventType.DEPARTMENT_SENT_BACK: lambda s, p, d: s.but(department=None),
    EventType.ASSISTANCE_REQUESTED: lambda s, p, d: s.but(assists=departments.assistance_requested(s.assists, p, d)),
    EventType.ASSISTANCE_ANSWERED: lambda s, p, d: s.but(assists=departments.assistance_answered(s.assists, p, d)),
    **online.EVOLVE,
    EventType.STEP_VOIDED: lambda s, p, d: s,  # like a withdrawal: the fold skips the step it names  # its effect is on the fold: the events it names are skipped
}


def is_system_made(event: Event) -> bool:
    """A lapse, a recomputation or an automatic end: made by the system's clock, not by a person's step."""
    return event.type in SYSTEM_EVENTS or bool(event.payload.get("auto"))


def event_version(event: Event, index: int) -> int:
    """Stored events carry their stream version; a stream built in memory is numbered from 1 in order."""
    return getattr(event, "version", None) or index + 1


def taken_back_by(events: Sequence[Event]) -> dict[int, int]:
    """Each version a later event takes back (system events withdrawn, a person's step voided), with that event's."""
    out: dict[int, int] = {}
    for index, event in enumerate(events):
        if event.type == EventType.SYSTEM_EVENTS_WITHDRAWN:
            out.update(dict.fromkeys(event.payload["versions"], event_version(event, index)))
        elif event.type == EventType.STEP_VOIDED:
            out[event.payload["version"]] = event_version(event, index)
    return out


def withdrawn_versions(events: Sequence[Event]) -> frozenset[int]:
    return frozenset(taken_back_by(events))


def fold(events: Iterable[Event]) -> RequestState:
    """The state after the events, in stream order; events withdrawn by a later event count for nothing."""
    events = list(events)
    skipped = withdrawn_versions(events)
    state = RequestState()
    for index, event in enumerate(events):
        if skipped and event_version(event, index) in skipped:
            continue
        state = evolve(state, event)
    return state
