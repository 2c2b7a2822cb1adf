"""Application service: load a request, run its due timers, decide, append, update the read model — one transaction.

This is the composition root for the CLI (and later the web UI and workers): `Services.from_environment()`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update

from engine.calendar import WorkingCalendar, YearArrangement, builtin_years
from engine.clock import Clock, SystemClock
from engine.database import make_engine, require_migrated
from engine.errors import NotFound, OgiError
from engine.events import NewEvent
from engine.eventstore import EventStore, StoredEvent, StreamAppend, events_table, row_to_event
from workflows.accounts import APPROVING_ROLES, User, get_agency, get_user
from workflows.foi import commands as c
from workflows.foi.deadlines import compute_deadlines
from workflows.foi.decide import fold, run_timers, step
from workflows.foi.state import OPEN_STAGES, RequestState
from workflows.report.facts import RequestFacts, facts_of, seal
from workflows.report.publish import REPORT_STREAM, save_publication, watch_published
from workflows.report.register import REGISTER_STREAM, save_entry
from workflows.tables import calendar_years_table, published_reports_table, register_entries_table, requests_table

REQUEST_STREAM = "request/"
CALENDAR_STREAM = "calendar/"


# built once: statement construction is a visible share of a transition's time
_CALENDAR_VERSIONS = select(calendar_years_table.c.year, calendar_years_table.c.version).order_by(calendar_years_table.c.year)
_INSERT_PROJECTION = insert(requests_table)
_UPDATE_PROJECTION = update(requests_table).where(requests_table.c.request_id == bindparam("key_request_id"))


def request_stream(request_id: str) -> str:
    return REQUEST_STREAM + request_id


def as_new_event(stored: StoredEvent) -> NewEvent:
    return NewEvent(stored.type, stored.occurred_at, stored.payload, stored.actor)


def fold_stored(events: Iterable[StoredEvent]) -> RequestState:
    return fold(as_new_event(e) for e in events)


def streams_of(events: Iterable[StoredEvent]) -> Iterator[list[StoredEvent]]:
    """Events ordered by stream (then version), cut into one list per stream."""
    current, batch = None, []
    for event in events:
        if event.stream_id != current:
            if batch:
                yield batch
            current, batch = event.stream_id, []
        batch.append(event)
    if batch:
        yield batch


_UNSET = object()


def projection_row(state: RequestState, version: int, stream_hash: str, facts=_UNSET) -> dict:
    """The read-model row of a request folded up to `version`, whose event has `stream_hash`.

    `facts`: `facts_of(state)` when the caller has it already (a transition needs it for the published-report watch).
    """
    facts = facts_of(state) if facts is _UNSET else facts
    reply = state.deadlines.get("reply")
    open_dues = [d.due for d in state.deadlines.values() if d.due is not None] if state.is_open else []
    return dict(
        request_id=state.request_id, agency=state.agency, stage=state.stage.value, outcome=state.outcome,
        applicant_kind=state.applicant_kind, applicant_name=state.applicant.get("name", ""), channel=state.channel,
        subject=state.subject, received_on=state.received_on, clock_start=state.clock_start,
        concluded_on=state.concluded_on, reply_due=reply.due if reply else None,
        reply_provisional=bool(reply and reply.provisional), next_due=min(open_dues) if open_dues else None,
        deadlines=json.dumps({k: v.as_dict() for k, v in sorted(state.deadlines.items())}, sort_keys=True),
        flags=json.dumps(list(state.flags)), version=version,
        cases=facts.cases_json() if facts else "[]", seal=seal(facts, stream_hash) if facts else "",
    )


@dataclass
class Services:
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    store: EventStore = field(default_factory=EventStore)
    _calendar_cache: tuple | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_environment(cls, url: str | None = None, clock: Clock | None = None, check_schema: bool = True) -> "Services":
        engine = make_engine(url)
        if check_schema:
            require_migrated(engine)
        return cls(engine, clock or SystemClock())

    # -- calendar ---------------------------------------------------------------------------
    def calendar(self, conn: Connection) -> WorkingCalendar:
        """Built-in years plus the administrators' ones; rebuilt only when a year's version changed."""
        key = tuple(conn.execute(_CALENDAR_VERSIONS).all())
        cached = self._calendar_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        calendar = self._load_calendar(conn)
        self._calendar_cache = (key, calendar)
        return calendar

    def _load_calendar(self, conn: Connection) -> WorkingCalendar:
        years = dict(builtin_years())
        for row in conn.execute(select(calendar_years_table)):
            years[row.year] = YearArrangement(
                row.year, frozenset(map(dt.date.fromisoformat, json.loads(row.holidays))),
                frozenset(map(dt.date.fromisoformat, json.loads(row.workdays))), row.source,
            )
        return WorkingCalendar(years)

    # -- requests ---------------------------------------------------------------------------
    def load(self, conn: Connection, request_id: str) -> tuple[RequestState, int]:
        return self.load_for_update(conn, request_id)[:2]

    def load_for_update(self, conn: Connection, request_id: str) -> tuple[RequestState, int, str]:
        """(state, version, last hash) of a request, read in the caller's transaction."""
        events = self.store.read_stream(conn, request_stream(request_id))
        if not events:
            raise NotFound(f"no request '{request_id}'")
        return fold_stored(events), events[-1].version, events[-1].stream_hash

    def receive(self, command: c.Receive, actor: User) -> RequestState:
        actor.require_write("register a request")
        with self.engine.begin() as conn:
            get_agency(conn, command.agency)
            if self.store.stream_version(conn, request_stream(command.request_id)):
                raise OgiError(f"request '{command.request_id}' already exists")
            return self._apply(conn, RequestState(), 0, command, actor)

    def act(self, request_id: str, command: c.Command, actor: User) -> RequestState:
        """Run one staff step on a request (the timers due by now fire first)."""
        actor.require_write(f"act on requests ({command.name})")
        with self.engine.begin() as conn:
            if isinstance(command, c.Extend) and not self._is_approver(conn, command.approved_by):
                raise OgiError(f"extension approver '{command.approved_by}' must be a user with role head or admin (Art. 33: 负责人同意)")
            state, version, head_hash = self.load_for_update(conn, request_id)
            if isinstance(command, c.RequestCorrection) and command.period_days is None:
                command = replace(command, period_days=get_agency(conn, state.agency).correction_period_days)
            return self._apply(conn, state, version, command, actor, head_hash)

    def _is_approver(self, conn: Connection, username: str) -> bool:
        try:
            return get_user(conn, username).role in APPROVING_ROLES
        except NotFound:
            return False

    def _apply(self, conn: Connection, state: RequestState, version: int, command: c.Command | None, actor: User,
               head_hash: str | None = None) -> RequestState:
        calendar = self.calendar(conn)
        now = self.clock.now()
        new_events: list[NewEvent] = []
        initial = state
        if state.request_id:
            # a step recorded after the fact (--at in the past) sees the timers as they stood at its time
            until = min(now, command.at) if command is not None else now
            state, fired = run_timers(state, until, calendar)
            new_events.extend(fired)
        if command is not None:
            state, events = step(state, command, calendar)
            new_events.extend(events)
            state, fired = run_timers(state, now, calendar)  # then catch up to now
            new_events.extend(fired)
        if not new_events:
            return state
        stream = request_stream(state.request_id)
        stored = self.store.append(conn, StreamAppend(stream, version, new_events, actor.username, head_hash), now)
        facts_before, facts_after = facts_of(initial), facts_of(state)
        self._save_projection(conn, state, stored[-1], facts_after, is_new=version == 0)
        if facts_after != facts_before:
            watch_published(conn, self.store, now, actor.username, state.request_id, state.agency, stored[-1].version,
                            facts_before, facts_after)
        return state

    def run_due_timers(self, actor: User, request_ids: Iterable[str] | None = None) -> int:
        """Fire the lapses due by now on open requests (what the scheduler's sweep will call)."""
        fired = 0
        with self.engine.begin() as conn:
            ids = list(request_ids) if request_ids is not None else self.open_request_ids(conn)
            for request_id in ids:
                state, version, head_hash = self.load_for_update(conn, request_id)
                before = version
                state = self._apply(conn, state, version, None, actor, head_hash)
                fired += self.store.stream_version(conn, request_stream(request_id)) - before
        return fired

    def open_request_ids(self, conn: Connection) -> list[str]:
        query = select(requests_table.c.request_id).where(requests_table.c.stage.in_([s.value for s in OPEN_STAGES]))
        return list(conn.execute(query.order_by(requests_table.c.request_id)).scalars())

    def _save_projection(self, conn: Connection, state: RequestState, last: StoredEvent, facts: RequestFacts | None,
                         is_new: bool) -> None:
        row = projection_row(state, last.version, last.stream_hash, facts)
        if is_new:
            conn.execute(_INSERT_PROJECTION, row)
        else:
            conn.execute(_UPDATE_PROJECTION, {**row, "key_request_id": state.request_id})

    # -- projections ------------------------------------------------------------------------
    def rebuild_projections(self, progress: Callable[[int], None] | None = None) -> int:
        """Throw the read model away and fold it again from the log; the result is identical."""
        with self.engine.begin() as conn:
            conn.execute(delete(requests_table))
            conn.execute(delete(calendar_years_table))
            rows, count = [], 0
            for events in streams_of(self._events_by_stream(conn, REQUEST_STREAM)):
                rows.append(projection_row(fold_stored(events), events[-1].version, events[-1].stream_hash))
                count += 1
                if len(rows) >= 2000:
                    conn.execute(insert(requests_table), rows)
                    rows.clear()
                    if progress:
                        progress(count)
            if rows:
                conn.execute(insert(requests_table), rows)
            for event in self.store.read_all(conn, CALENDAR_STREAM):
                self._save_calendar_year(conn, event)
            conn.execute(delete(register_entries_table))
            for event in self.store.read_all(conn, REGISTER_STREAM):
                save_entry(conn, event)
            conn.execute(delete(published_reports_table))
            for event in self.store.read_all(conn, REPORT_STREAM):
                if event.type == "report_published":
                    save_publication(conn, event)
            return count

    def _events_by_stream(self, conn: Connection, prefix: str):
        query = (select(events_table).where(events_table.c.stream_id.startswith(prefix, autoescape=True))
                 .order_by(events_table.c.stream_id, events_table.c.version))
        for row in conn.execute(query.execution_options(yield_per=5000)):
            yield row_to_event(row)

    # -- calendar administration ------------------------------------------------------------
    def set_calendar_year(self, arrangement: YearArrangement, actor: User) -> list[str]:
        """Record a year's arrangement (an event of its own) and recompute the open deadlines it moves.

        Returns the ids of the requests whose deadlines changed.
        """
        actor.require_admin("change the working-day calendar")
        now = self.clock.now()
        with self.engine.begin() as conn:
            stream = CALENDAR_STREAM + str(arrangement.year)
            version = self.store.stream_version(conn, stream)
            payload = {
                "year": arrangement.year,
                "holidays": sorted(d.isoformat() for d in arrangement.holidays),
                "workdays": sorted(d.isoformat() for d in arrangement.workdays),
                "source": arrangement.source,
            }
            [stored] = self.store.append(conn, StreamAppend(stream, version, [NewEvent("calendar_year_set", now, payload)],
                                                            actor.username), now)
            self._save_calendar_year(conn, stored)
            calendar = self.calendar(conn)
            changed = []
            reason = f"{arrangement.year}年放假安排：{arrangement.source}"
            for request_id in self.open_request_ids(conn):
                state, version, head_hash = self.load_for_update(conn, request_id)
                if compute_deadlines(state, calendar) == state.deadlines:
                    continue
                self._apply(conn, state, version, c.RecomputeDeadlines(at=now, reason=reason), actor, head_hash)
                changed.append(request_id)
            return changed

    def _save_calendar_year(self, conn: Connection, stored: StoredEvent) -> None:
        p = stored.payload
        conn.execute(delete(calendar_years_table).where(calendar_years_table.c.year == p["year"]))
        conn.execute(insert(calendar_years_table).values(
            year=p["year"], holidays=json.dumps(p["holidays"]), workdays=json.dumps(p["workdays"]),
            source=p["source"], version=stored.version,
        ))
