"""The statutory periods of one request and the timers they set (DESIGN §3, statute.md §2–6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine.calendar import PeriodCount, WorkingCalendar
from engine.clock import Deadline, compute_deadline, explain_deadline
from workflows.foi.state import RequestState, Stage

REPLY_DAYS = 20  # Art. 33 ¶2
CORRECTION_NOTICE_DAYS = 7  # Art. 30: notice within 7 working days of receipt
CONSULTATION_DAYS = 15  # Art. 32, 34: answer within 15 working days, silence ends it
PAYMENT_DAYS = 20  # 109号: pay within 20 working days from the day after receiving the notice

DEADLINE_LABELS = {
    "reply": "答复期限",
    "correction_notice": "补正告知期限",
    "correction": "申请人补正期限",
    "consultation": "征求意见期限",
    "payment": "缴费期限",
}


@dataclass(frozen=True)
class PeriodSpec:
    """Inputs of one deadline: enough to compute it and to explain it."""

    name: str
    start: dt.date
    working_days: int
    suspended: bool  # whether the request's suspensions stop this period


def period_specs(state: RequestState) -> list[PeriodSpec]:
    if not state.is_open or state.clock_start is None:
        return []
    specs: list[PeriodSpec] = []
    if state.stage == Stage.AWAITING_CORRECTION:
        assert state.correction_notice_on is not None and state.correction_period_days is not None  # set together
        # from the day the applicant received the notice when that is recorded, else from the notice (readings.md)
        start = state.correction_notice_received_on or state.correction_notice_on
        specs.append(PeriodSpec("correction", start, state.correction_period_days, False))
    elif state.reasons_reply_days and state.reasons_received_on:  # Art. 35: the agency's own period, as notified
        specs.append(PeriodSpec("reply", state.reasons_received_on, state.reasons_reply_days + state.extension_days, True))
    else:
        specs.append(PeriodSpec("reply", state.clock_start, REPLY_DAYS + state.extension_days, True))
    if state.correction_notice_on is None:
        specs.append(PeriodSpec("correction_notice", state.clock_start, CORRECTION_NOTICE_DAYS, False))
    if state.open_consultation:
        specs.append(PeriodSpec("consultation", state.open_consultation[1], CONSULTATION_DAYS, False))
    if state.stage == Stage.AWAITING_PAYMENT:
        assert state.fee_notified_on is not None  # the stage is entered by the fee notice
        specs.append(PeriodSpec("payment", state.fee_notice_received_on or state.fee_notified_on, PAYMENT_DAYS, False))
    return specs


def compute_deadlines(state: RequestState, calendar: WorkingCalendar) -> dict[str, Deadline]:
    """The deadlines of an open request; a concluded one keeps those it had when it concluded."""
    if not state.is_open:
        return state.deadlines
    return {
        spec.name: compute_deadline(calendar, spec.start, spec.working_days, state.suspensions if spec.suspended else ())
        for spec in period_specs(state)
    }


def explain(state: RequestState, name: str, calendar: WorkingCalendar, today: dt.date) -> PeriodCount | None:
    """Every day of one deadline counted or skipped and why; an open suspension is shown ending today."""
    spec = next((s for s in period_specs(state) if s.name == name), None)
    if spec is None and name == "reply" and "reply" in state.deadlines:
        kept = state.deadlines["reply"]
        spec = PeriodSpec("reply", kept.start, kept.working_days, True)
    if spec is None:
        return None
    return explain_deadline(
        calendar, spec.start, spec.working_days, state.suspensions if spec.suspended else (), suspended_until=today
    )


@dataclass(frozen=True)
class Timer:
    """A period that lapses: at the start of `fires_on` (the day after `due`) the command fires."""

    period: str
    due: dt.date

    @property
    def key(self) -> str:
        return f"{self.period}:{self.due.isoformat()}"

    @property
    def fires_at(self) -> dt.datetime:
        return dt.datetime.combine(self.due + dt.timedelta(days=1), dt.time())


def pending_timers(state: RequestState) -> list[Timer]:
    """Lapses still to fire, earliest first. Pure: the sweeper and the importer decide when 'now' is."""
    timers = []
    for name, deadline in state.deadlines.items():
        if name == "correction_notice" or deadline.due is None or not state.is_open:
            continue  # the agency's own notice period only flags a late notice; it fires nothing
        timer = Timer(name, deadline.due)
        if timer.key not in state.lapsed:
            timers.append(timer)
    return sorted(timers, key=lambda t: (t.due, t.period))
