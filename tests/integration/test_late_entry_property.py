"""The property of issue 8: a history entered step by step, late, with sweeps at arbitrary moments in between,
folds to the same request as `ogi import` of that history.

Hypothesis writes a valid history on the pure core (each step at its own time, as the importer replays it), then
enters it through the service: each step some days after it happened, the clock only moving forward, timer
sweeps run at random moments. At the end both requests are compared field by field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st

from bootstrap import build
from engine.calendar import WorkingCalendar, builtin_years
from engine.clock import VirtualClock
from engine.errors import RuleViolation
from tests.builders import as_lines, event, request_line
from tests.integration.test_properties import COMMAND_BUILDERS, WEIGHTS, likely_valid
from tests.world import AGENCY, user
from workflows.foi import commands as c
from workflows.foi.definition import WORKFLOW
from workflows.foi.handle import handle
from workflows.foi.state import RequestState
from workflows.foi.vocabulary import ApplicantKind, Channel
from workflows.requests.importer import import_lines

NOW = dt.datetime(2026, 11, 26, 9, 0)  # the clock fixture's moment
_ids = itertools.count(1)


CALENDAR = WorkingCalendar(builtin_years())


@st.composite
def histories(draw) -> tuple[c.Receive, list[c.Command]]:
    """A receipt and the staff steps the workflow accepts after it, each at its own time, in time order."""
    calendar = CALENDAR
    received = draw(st.datetimes(dt.datetime(2025, 6, 1, 8), dt.datetime(2026, 10, 31, 18))).replace(microsecond=0)
    receive = c.Receive(at=received, request_id="H", agency=AGENCY,
                        applicant={"kind": draw(st.sampled_from([k.value for k in ApplicantKind])), "name": "张三"},
                        channel=draw(st.sampled_from([ch.value for ch in Channel])), subject="s")
    state = handle(RequestState(), receive, received, calendar).state
    steps, moment = [], received
    for _ in range(draw(st.integers(1, 10))):
        moment += dt.timedelta(days=draw(st.sampled_from([0, 1, 3, 7, 14, 25, 40])), hours=draw(st.integers(0, 9)))
        if moment > NOW:
            break
        due = handle(state, None, moment, calendar).state
        allowed = [n for n in WORKFLOW.commands_from(due.stage) if n in c.STAFF_COMMANDS and likely_valid(n, due)]
        if not allowed:
            break
        weighted = [n for n in allowed for _ in range(WEIGHTS.get(n, 2))]
        command = COMMAND_BUILDERS[draw(st.sampled_from(weighted))](draw, due, moment)
        try:
            state = handle(state, command, moment, calendar).state
        except RuleViolation:  # a refused step is simply not part of this history
            continue
        steps.append(command)
    return receive, steps


def import_event(command: c.Command) -> dict:
    fields = {k: v for k, v in command.payload().items() if v is not None}
    return event(command.event_type, command.at.isoformat(), **fields)


def comparable(state: RequestState) -> RequestState:
    return dataclasses.replace(state, request_id="", applicant={}, imported_from=None)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_a_history_entered_late_with_sweeps_between_folds_like_its_import(sqlite_services, data):
    receive, steps = data.draw(histories(), label="history")
    number = next(_ids)
    entered_id, imported_id = f"L-{number}", f"I-{number}"
    # entered by a clerk, each step some time after it happened, the clock only going forward
    clock = VirtualClock(receive.at)
    services = build(sqlite_services.engine, clock)
    clerk = user(services, "clerk")
    entry = receive.at
    for index, command in enumerate([dataclasses.replace(receive, request_id=entered_id), *steps]):
        delay = data.draw(st.sampled_from([0, 1, 5, 15, 30, 45, 60, 90]), label=f"days entered after step {index}")
        entry = max(entry, command.at) + dt.timedelta(days=delay)
        clock.advance_to(min(entry, NOW))
        if data.draw(st.booleans(), label=f"sweep before {index}") and index:
            services.requests.run_due_timers(clerk, [entered_id])
        if index == 0:
            services.requests.receive(command, clerk)
        else:
            services.requests.act(entered_id, command, clerk)
    clock.advance_to(NOW)
    services.requests.run_due_timers(clerk, [entered_id])
    # the same history imported at once
    record = request_line(imported_id, receive.at.isoformat(), *map(import_event, steps), kind=receive.applicant["kind"],
                          channel=receive.channel)
    import_lines(services.requests, as_lines(record), user(services))
    with services.engine.connect() as conn:
        stream = services.requests.load(conn, entered_id).events
        hypothesis_event(f"{len(steps)} steps")
        hypothesis_event("withdrew system events" if any(e.type == "system_events_withdrawn" for e in stream)
                         else "nothing withdrawn")
        entered = services.requests.load(conn, entered_id).state
        imported = services.requests.load(conn, imported_id).state
    assert comparable(entered) == comparable(imported)
