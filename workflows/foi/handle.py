"""The one path every command takes — the service, the importer, the sweeps and the tests alike.

One rule for time (docs/readings.md): a command is judged against the request as it stood at the command's own
business time. Timers fire up to that time before it and up to `now` after it. When the command is dated
before system-made events already recorded (a lapse, an automatic end of a consultation), those events are
withdrawn by one `system_events_withdrawn` event and whatever still holds after the command fires again, so
the stream folds exactly as if every step had been recorded on its day. A person's step dated before another
person's step is refused (chronology). `handle(state, None, now, calendar)` only fires timers (a sweep).
Pure: time, calendar and the stream so far are handed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from engine.calendar import WorkingCalendar
from engine.errors import RuleViolation
from engine.events import Event, NewEvent
from workflows.foi import commands as c
from workflows.foi.deadlines import compute_deadlines, pending_timers
from workflows.foi.decide import decide_and_evolve, event_version, fold, is_system_made, withdrawn_versions
from workflows.foi.definition import WORKFLOW
from workflows.foi.event_types import NOT_A_STEP, EventType
from workflows.foi.state import RequestState
from workflows.foi.wording import earlier_than_previous, moment_shown, step_name

MAX_TIMER_ROUNDS = 20  # each round fires the earliest lapse; a request has only a few periods


@dataclass(frozen=True)
class Handled:
    """The state after a command and the events that took it there (timers included, in order)."""

    state: RequestState
    events: list[NewEvent] = field(default_factory=list)


def handle(state: RequestState, command: c.Command | None, now: dt.datetime, calendar: WorkingCalendar,
           history: Sequence[Event] = ()) -> Handled:
    """`history`: the request's stream so far (needed to rewind system-made events after a backdated step)."""
    if command is None:
        events: list[NewEvent] = []
        return Handled(_fire(state, now, calendar, events), events)
    if command.at > now:
        raise RuleViolation(f"“{step_name(command.name)}”的时间（{moment_shown(command.at)}）晚于现在"
                            f"（{moment_shown(now)}），不能记录将来的步骤，请核对日期", "chronology")
    if isinstance(command, c.VoidStep):
        return _void(state, command, now, calendar, history)
    events = []
    later = _system_events_after(history, command.at)
    if later:
        if state.last_staff_at and command.at < state.last_staff_at:  # named here, before anything is rewound
            raise RuleViolation(earlier_than_previous(command, state.last_staff_at), "chronology")
        state = fold([e for i, e in enumerate(history) if event_version(e, i) not in later])
        events.append(NewEvent(EventType.SYSTEM_EVENTS_WITHDRAWN.value, command.at, {
            "versions": sorted(later), "reason": f"{command.name} recorded for {command.at.isoformat()}",
        }))
    if state.request_id:
        state = _fire(state, command.at, calendar, events)
    state, decided = decide_and_evolve(state, command, calendar)
    events.extend(decided)
    state = _fire(state, now, calendar, events)  # then catch up to now
    if later:
        events[0].payload["untrue"] = _untrue(history, later, events[1:])
    return Handled(state, events)


def _void(state: RequestState, command: c.VoidStep, now: dt.datetime, calendar: WorkingCalendar,
          history: Sequence[Event]) -> Handled:
    """Fold the request without the voided step; system events dated after it are withdrawn and fire again."""
    WORKFLOW.transition(state.stage, command.name, command, state)
    rule = "记录更正"
    taken_back = withdrawn_versions(history)
    if not 2 <= command.version <= len(history):
        raise RuleViolation(f"没有可撤销的第 {command.version} 号事件（撤销的事件序号（version）应为 2 至 {len(history)}；"
                            "收到申请本身不能撤销）", rule)
    voided = history[command.version - 1]
    if command.version in taken_back:
        raise RuleViolation(f"第 {command.version} 号事件已经撤销，不能再次撤销", rule)
    if is_system_made(voided) or voided.type in NOT_A_STEP:
        raise RuleViolation(f"第 {command.version} 号事件是系统按其他步骤自动记录的，不是经办人的步骤，不能单独撤销", rule)
    events: list[NewEvent] = []
    later = _system_events_after(history, voided.occurred_at)
    if later:
        events.append(NewEvent(EventType.SYSTEM_EVENTS_WITHDRAWN.value, command.at, {
            "versions": sorted(later), "reason": f"v{command.version} voided"}))
    void = NewEvent(EventType.STEP_VOIDED.value, command.at, command.payload())
    events.append(void)
    state = fold([*history, *events])
    deadlines = compute_deadlines(state, calendar)  # the later steps' payloads were computed with the voided one
    void.payload["deadlines"] = {name: d.as_dict() for name, d in deadlines.items()}
    state = _fire(state.but(deadlines=deadlines), now, calendar, events)  # what folding the void's payload gives
    return Handled(state, events)


def _system_events_after(history: Sequence[Event], moment: dt.datetime) -> dict[int, Event]:
    """System-made events dated after `moment` and not withdrawn already, by version."""
    if not history:
        return {}
    withdrawn = withdrawn_versions(history)
    return {event_version(e, i): e for i, e in enumerate(history)
            if e.occurred_at > moment and is_system_made(e) and event_version(e, i) not in withdrawn}


def _untrue(history: Sequence[Event], later: dict[int, Event], recorded: list[NewEvent]) -> list[int]:
    """The withdrawn versions that did not happen again after the step: those the step proved untrue."""
    again = {(e.type, e.occurred_at, e.payload.get("period"), e.payload.get("due")) for e in recorded}
    return sorted(v for v, e in later.items()
                  if (e.type, e.occurred_at, e.payload.get("period"), e.payload.get("due")) not in again)


def due_timer_commands(state: RequestState, now: dt.datetime) -> list[c.LapsePeriod]:
    """The lapse commands whose time has come by `now` (earliest first).

    A lapse is dated when its period ended, or, when an event made it due only later (a consultation that began
    after the reply period had ended and then closed), at that event: it cannot have happened before its cause.
    """
    floor = state.last_event_at
    return [c.LapsePeriod(at=max(t.fires_at, floor) if floor else t.fires_at, period=t.period, due=t.due)
            for t in pending_timers(state) if t.fires_at <= now]


def _fire(state: RequestState, now: dt.datetime, calendar: WorkingCalendar, events: list[NewEvent]) -> RequestState:
    """Fire every lapse due by `now`, one at a time (a fired lapse can end a suspension and move others)."""
    for _ in range(MAX_TIMER_ROUNDS):
        due = due_timer_commands(state, now)
        if not due:
            return state
        state, fired = decide_and_evolve(state, due[0], calendar)
        events.extend(fired)
    raise RuntimeError(f"timers of {state.request_id} did not settle")  # a bug, not bad input
