"""The one path every command takes — the service, the importer, the sweeps and the tests alike.

`handle(state, command, now, calendar)` fires the timers due by the command's own time, decides the
command, then fires the timers due by `now`. `handle(state, None, now, calendar)` only fires timers
(what a sweep does). Pure: time and calendar are handed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engine.calendar import WorkingCalendar
from engine.events import NewEvent
from workflows.foi import commands as c
from workflows.foi.deadlines import pending_timers
from workflows.foi.decide import decide_and_evolve
from workflows.foi.state import RequestState

MAX_TIMER_ROUNDS = 20  # each round fires the earliest lapse; a request has only a few periods


@dataclass(frozen=True)
class Handled:
    """The state after a command and the events that took it there (timers included, in order)."""

    state: RequestState
    events: list[NewEvent] = field(default_factory=list)


def handle(state: RequestState, command: c.Command | None, now: dt.datetime, calendar: WorkingCalendar) -> Handled:
    events: list[NewEvent] = []
    if state.request_id:
        # a step recorded after the fact (--at in the past) sees the timers as they stood at its time
        until = min(now, command.at) if command is not None else now
        state = _fire(state, until, calendar, events)
    if command is not None:
        state, decided = decide_and_evolve(state, command, calendar)
        events.extend(decided)
        state = _fire(state, now, calendar, events)  # then catch up to now
    return Handled(state, events)


def due_timer_commands(state: RequestState, now: dt.datetime) -> list[c.LapsePeriod]:
    """The lapse commands whose time has come by `now` (earliest first)."""
    return [c.LapsePeriod(at=t.fires_at, period=t.period, due=t.due) for t in pending_timers(state) if t.fires_at <= now]


def _fire(state: RequestState, now: dt.datetime, calendar: WorkingCalendar, events: list[NewEvent]) -> RequestState:
    """Fire every lapse due by `now`, one at a time (a fired lapse can end a suspension and move others)."""
    for _ in range(MAX_TIMER_ROUNDS):
        due = due_timer_commands(state, now)
        if not due:
            return state
        state, fired = decide_and_evolve(state, due[0], calendar)
        events.extend(fired)
    raise RuntimeError(f"timers of {state.request_id} did not settle")  # a bug, not bad input
