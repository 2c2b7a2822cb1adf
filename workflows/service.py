"""The request service: one transaction per command — load, fire due timers, handle, append, then the projectors.

Every write to a request goes through `_commit`: the events are appended and the after-append projectors
(the requests read model, the published-report watch, and whatever `bootstrap` registers) run in the same
transaction. The service knows the projectors only through `engine.projection.Projector`; it imports
nothing of the report. Built by `bootstrap`, never by hand.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection, Engine, bindparam, select

from engine.adapters.eventstore import EventStore, StoredEvent, StreamAppend, events_table
from engine.calendar import WorkingCalendar, YearArrangement
from engine.clock import Clock
from engine.errors import ConcurrencyConflict, NotFound, OgiError, RuleViolation
from engine.events import NewEvent
from engine.projection import Change, Projector, ReadModel
from workflows import access
from workflows.access import Action
from workflows.accounts import APPROVING_ROLES, User, find_user, get_agency
from workflows.calendar_years import CalendarSource, arrangement_payload, calendar_stream, save_calendar_year
from workflows.departments import require_department
from workflows.foi import commands as c
from workflows.foi.deadlines import compute_deadlines
from workflows.foi.handle import Handled, handle
from workflows.foi.state import OPEN_STAGES, RequestState
from workflows.registration import next_request_id, receive_command
from workflows.streams import fold_stored, request_stream
from workflows.tables import requests_table

if TYPE_CHECKING:  # built by bootstrap; importing it here would tie the service to the report's facts
    from workflows.projection_guard import Findings, ProjectionGuard

_DUE_REQUEST_IDS = (select(requests_table.c.request_id)
                    .where(requests_table.c.next_timer_at <= bindparam("now"))
                    .order_by(requests_table.c.next_timer_at, requests_table.c.request_id))
_FIRST_EVENT = select(events_table.c.payload).where(events_table.c.stream_id == bindparam("stream"),
                                                   events_table.c.version == 1)
_OPEN_REQUEST_IDS = (select(requests_table.c.request_id)
                     .where(requests_table.c.stage.in_([s.value for s in OPEN_STAGES]))
                     .order_by(requests_table.c.request_id))


C = TypeVar("C", bound=c.Command)
Stamped = Callable[[dt.datetime], C]  # a command made once the time of its writing is known


# the steps that need a head's or administrator's approval: (who is named in the refusal, the rule)
APPROVALS: dict[type, tuple[str, str]] = {
    c.Extend: ("extension approver", "Art. 33: 负责人同意"),
    c.VoidStep: ("the approver of void_step", "记录更正"),
    c.ApproveDocument: ("the approver of a document", "审核/保密审查 (DESIGN §9)"),
}


@dataclass(frozen=True)
class Loaded:
    """A request as folded from its stream in the caller's transaction, with the stream's head."""

    state: RequestState
    version: int
    head_hash: str | None = None
    events: Sequence[StoredEvent] = ()  # the stream itself: a step dated in the past may rewind its system events


@dataclass(frozen=True)
class Pending:
    """Events handled for one request, not yet appended."""

    before: Loaded
    handled: Handled


@dataclass
class RequestService:
    engine: Engine
    clock: Clock
    store: EventStore
    calendars: CalendarSource
    projectors: Sequence[Projector[RequestState]] = ()
    read_models: Sequence[ReadModel] = ()
    guard: ProjectionGuard | None = None  # checks the requests read model before the sweep trusts it

    def calendar(self, conn: Connection) -> WorkingCalendar:
        return self.calendars.get(conn)

    # -- reading ----------------------------------------------------------------------------
    def load(self, conn: Connection, request_id: str) -> Loaded:
        """(state, version, last hash) of a request, folded from its events in the caller's transaction."""
        events = self.store.read_stream(conn, request_stream(request_id))
        if not events:
            raise NotFound(f"no request '{request_id}'")
        return Loaded(fold_stored(events), events[-1].version, events[-1].stream_hash, events)

    def agency_of(self, conn: Connection, request_id: str) -> str:
        """The agency that received the request (its first event; it never changes), without folding the stream."""
        first = conn.execute(_FIRST_EVENT, {"stream": request_stream(request_id)}).scalar()
        if first is None:
            raise NotFound(f"no request '{request_id}'")
        return str(json.loads(first)["agency"])

    def open_request_ids(self, conn: Connection) -> list[str]:
        return list(conn.execute(_OPEN_REQUEST_IDS).scalars())

    # -- commands ---------------------------------------------------------------------------
    def receive(self, command: c.Receive | Stamped[c.Receive], actor: User) -> RequestState:
        """`command` may be a function of the time: it is then stamped after the write lock, so two steps entered at
        once are recorded in the order they were written."""
        actor.require_write("register a request")
        with self.engine.begin() as conn:
            command = self._stamped(conn, command)
            get_agency(conn, command.agency)
            access.require(conn, actor, Action.WRITE_REQUEST, command.agency)
            if self.store.stream_version(conn, request_stream(command.request_id)):
                raise OgiError(f"request '{command.request_id}' already exists")
            return self._handle(conn, Loaded(RequestState(), 0), command, actor).state

    def register(self, values: Mapping[str, object], actor: User) -> str:
        """A request registered now from form or API fields (workflows/registration.py); returns its id."""
        actor.require_write("register a request")
        with self.engine.begin() as conn:
            self.store.start_write(conn)
            now = self.clock.now()
            agency = str(values.get("agency") or "")
            get_agency(conn, agency)
            access.require(conn, actor, Action.WRITE_REQUEST, agency)
            request_id = str(values.get("id") or "").strip() or next_request_id(
                conn, agency, now.year, lambda candidate: self.store.stream_version(conn, request_stream(candidate)) > 0)
            command = receive_command(values, request_id, now)
            if self.store.stream_version(conn, request_stream(request_id)):
                raise OgiError(f"request '{request_id}' already exists")
            self._handle(conn, Loaded(RequestState(), 0), command, actor)
        return request_id

    def act(self, request_id: str, command: c.Command | Stamped[c.Command], actor: User) -> RequestState:
        """Run one staff step on a request (the timers due by now fire first); see `receive` for a stamped command."""
        actor.require_write("act on requests")
        with self.engine.begin() as conn:
            return self.act_in(conn, request_id, command, actor)

    def act_in(self, conn: Connection, request_id: str, command: c.Command | Stamped[c.Command], actor: User) -> RequestState:
        """`act` in the caller's transaction (a document issued with its number and the decision it records)."""
        actor.require_write("act on requests")
        access.require(conn, actor, Action.WRITE_REQUEST, self.agency_of(conn, request_id))  # before the form is read
        command = self._stamped(conn, command)
        if isinstance(command, (c.Extend, c.VoidStep, c.ApproveDocument)):  # the keys of APPROVALS
            self.check_approver(conn, command)
        loaded = self.load(conn, request_id)
        if isinstance(command, c.DEPARTMENT_COMMANDS):
            require_department(conn, loaded.state.agency, command.department)
        if isinstance(command, c.RequestCorrection) and command.period_days is None:
            command = replace(command, period_days=get_agency(conn, loaded.state.agency).correction_period_days)
        return self._handle(conn, loaded, command, actor).state

    @staticmethod
    def check_approver(conn: Connection, command: c.Extend | c.VoidStep | c.ApproveDocument) -> None:
        """The steps a head or administrator must approve, checked against the users of ogi."""
        approver = find_user(conn, command.approved_by)
        if approver is None or approver.role not in APPROVING_ROLES:
            who, rule = APPROVALS[type(command)]
            raise RuleViolation(f"{who} '{command.approved_by}' must be a user with role head or admin", rule)

    def _stamped(self, conn: Connection, command: C | Stamped[C]) -> C:
        if callable(command):
            self.store.start_write(conn)  # SQLite: the write lock is held from here on
            return command(self.clock.now())
        return command

    def run_due_timers(self, actor: User, request_ids: Iterable[str] | None = None) -> int:
        """Fire the lapses due by now (what the sweep calls); returns the events recorded.

        What is due is read from the read model's index (`next_timer_at`), never by replaying the log. Each
        request is its own transaction: when another sweeper (or a staff step) wrote the request first, the
        event store's version check refuses this append, and the request is skipped — its timers fired there.
        """
        actor.require_write("run the timers")
        if request_ids is None:
            with self.engine.connect() as conn:
                request_ids = self.due_request_ids(conn, self.clock.now())
        fired = 0
        for request_id in request_ids:
            try:
                with self.engine.begin() as conn:
                    fired += len(self._handle(conn, self.load(conn, request_id), None, actor).events)
            except ConcurrencyConflict:
                continue
        return fired

    @staticmethod
    def due_request_ids(conn: Connection, now: dt.datetime) -> list[str]:
        return list(conn.execute(_DUE_REQUEST_IDS, {"now": now}).scalars())

    def _handle(self, conn: Connection, loaded: Loaded, command: c.Command | None, actor: User) -> Handled:
        reference = self.store.start_write(conn)
        handled = handle(loaded.state, command, self.clock.now(), self.calendar(conn), loaded.events)
        if handled.events:
            self.commit(conn, [Pending(loaded, handled)], actor.username, reference=reference)
        return handled

    def commit(self, conn: Connection, pending: Sequence[Pending], actor: str, check_versions: bool = True,
               reference: int | None = None) -> None:
        """Append each request's events and run the projectors over the changes, in the caller's transaction.

        `reference`: the reference version the events were decided under (`EventStore.start_write`).
        """
        now = self.clock.now()
        batches = [StreamAppend(request_stream(p.handled.state.request_id), p.before.version, p.handled.events, actor,
                                p.before.head_hash) for p in pending]
        stored = self.store.append_many(conn, batches, now, check_versions=check_versions)
        if reference is not None:
            self.store.check_reference(conn, reference)
        changes, start = [], 0
        for p in pending:
            count = len(p.handled.events)
            changes.append(Change(request_stream(p.handled.state.request_id), p.before.state, p.handled.state,
                                  stored[start:start + count], actor, now))
            start += count
        for projector in self.projectors:
            projector.apply(conn, changes)

    # -- read models ------------------------------------------------------------------------
    def repair_projection(self, actor: User) -> Findings | None:
        """Check every row of the requests read model against the log and fold the bad ones again (recorded)."""
        actor.require_write("repair the read model")
        if self.guard is None:
            return None
        with self.engine.begin() as conn:
            findings = self.guard.check(conn)
            self.guard.repair(conn, findings, actor.username, self.clock.now(), "rows disagreed with the log")
            return findings

    def seal_unsealed_rows(self) -> bool:
        """After a migration that cleared the seals (no migration holds the key): fold the read models again."""
        with self.engine.connect() as conn:
            unsealed = conn.execute(select(requests_table.c.request_id).where(requests_table.c.seal == "").limit(1))
            if unsealed.first() is None:
                return False
        self.rebuild_projections()
        return True

    def rebuild_projections(self) -> dict[str, int]:
        """Throw every read model away and fold it again from the log; the result is identical."""
        with self.engine.begin() as conn:
            self.store.bump_reference_version(conn)  # cached calendars and publications are read afresh
            return {model.name: model.rebuild(conn, self.store) for model in self.read_models}

    # -- calendar administration ------------------------------------------------------------
    def set_calendar_year(self, arrangement: YearArrangement, actor: User) -> list[str]:
        """Record a year's arrangement (an event of its own) and recompute the open deadlines it moves.

        Returns the ids of the requests whose deadlines changed.
        """
        actor.require_admin("change the working-day calendar")
        now = self.clock.now()
        with self.engine.begin() as conn:
            stream = calendar_stream(arrangement.year)
            version = self.store.stream_version(conn, stream)
            event = NewEvent("calendar_year_set", now, arrangement_payload(arrangement))
            [stored] = self.store.append(conn, StreamAppend(stream, version, [event], actor.username), now)
            save_calendar_year(conn, stored)
            self.store.bump_reference_version(conn)
            calendar = self.calendar(conn)
            changed = []
            reason = f"{arrangement.year}年放假安排：{arrangement.source}"
            for request_id in self.open_request_ids(conn):
                loaded = self.load(conn, request_id)
                if compute_deadlines(loaded.state, calendar) == loaded.state.deadlines:
                    continue
                self._handle(conn, loaded, c.RecomputeDeadlines(at=now, reason=reason), actor)
                changed.append(request_id)
            return changed
