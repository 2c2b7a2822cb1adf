"""What staff read about requests: the queue, one request's history, its page (the log read and folded once), a
deadline explained, the calendar.

The CLI and the web UI ask here; no entry point queries a table itself.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, bindparam, func, select

from engine.adapters.eventstore import EventStore, StoredEvent
from engine.calendar import PeriodCount, WorkingCalendar, count_period
from engine.clock import Clock, Suspension
from engine.errors import NotFound
from workflows.foi.deadlines import explain
from workflows.foi.narration import Names, Narrated, approval_step_words, narrate
from workflows.foi.similar import AskedRequest, DisclosureProposal, proposals
from workflows.foi.state import OPEN_STAGES, RequestState
from workflows.foi.vocabulary import PERIOD_LABELS
from workflows.people import access
from workflows.people.access import Action
from workflows.people.accounts import User
from workflows.readmodels.guard import ProjectionGuard
from workflows.readmodels.history import events_until, history_of, names_in
from workflows.readmodels.log import first_request_payloads
from workflows.readmodels.queue import queue_rows
from workflows.requests.service import RequestService
from workflows.requests.step_forms import StepForm, offered_steps
from workflows.streams import fold_stored, request_stream
from workflows.tables import requests_table

_REQUEST_ROW = select(requests_table).where(requests_table.c.request_id == bindparam("request_id"))


@dataclass(frozen=True)
class ExplainedDeadline:
    period: PeriodCount
    suspensions: tuple[Suspension, ...]


@dataclass(frozen=True)
class RequestView:
    """What the request page shows, read and folded once: the history, the reply deadline explained (when it has a
    due date), whether the viewer may act now and the steps offered them (the next legal steps first), and the
    history in words: each event told in a sentence, the names its codes point at, each approval's step."""

    history: dict
    explained: ExplainedDeadline | None
    may_act: bool
    steps: list[StepForm]
    narrated: list[Narrated] = field(default_factory=list)
    names: Names = field(default_factory=Names)
    approval_words: dict[str, str] = field(default_factory=dict)  # approval id → what it asks, in words


@dataclass
class RequestQueries:
    engine: Engine
    store: EventStore
    clock: Clock
    requests: RequestService
    guard: ProjectionGuard

    def queue(self, agency: str | None = None, show_all: bool = False, viewer: User | None = None) -> list[dict]:
        """The open requests (all with `show_all`) of `agency`, or of every agency `viewer` may read (every door
        passes who reads; without one, every agency), nearest deadline first; refuses while a row disagrees with
        the log."""
        with self.engine.connect() as conn:
            agencies = self._readable(conn, viewer, agency)
            self.guard.check(conn, agencies).refuse("未显示待办列表：列表中可能漏掉申请，"
                                                    "或显示错误的期限。")
            return queue_rows(conn, show_all=show_all, agencies=agencies)

    def queue_of(self, viewer: User, agency: str | None = None, page: int = 1, per_page: int = 100) -> list[dict]:
        """One page of the open requests `viewer` may read (of `agency`, or of every agency they reach), nearest
        deadline first (the web and the API)."""
        with self.engine.connect() as conn:
            agencies = self._readable(conn, viewer, agency)
            return queue_rows(conn, agencies=agencies, limit=per_page, offset=(max(page, 1) - 1) * per_page)

    @staticmethod
    def _readable(conn: Connection, viewer: User | None, agency: str | None) -> list[str] | None:
        """[agency] when `viewer` may read it, else every agency they reach (None: all; [] for staff of none)."""
        if agency:
            if viewer is not None:
                access.require(conn, viewer, Action.READ_REQUEST, agency)
            return [agency]
        return None if viewer is None else access.reachable_agencies(conn, viewer, Action.READ_REQUEST)

    def history(self, request_id: str, as_of: dt.datetime | None = None, viewer: User | None = None) -> dict:
        """The request replayed (workflows/readmodels/history.py). Every door passes who reads it (`viewer`), refused unless
        they may read the agency's requests; without one (the services' own reads) the applicant is masked."""
        with self.engine.connect() as conn:
            shown = events_until(self._readable_stream(conn, request_id, viewer), request_id, as_of)
            return history_of(conn, shown, fold_stored(shown), as_of, viewer)

    def told(self, history: dict) -> tuple[Names, list[Narrated]]:
        """The names `history`'s codes point at and each of its events told in a sentence (the CLI's history text,
        the case file): `history` as `history()` gave it, so what it masks stays masked."""
        with self.engine.connect() as conn:
            names = names_in(conn, history)
        return names, narrate(history["events"], names)

    def deadline(self, request_id: str, name: str = "reply", viewer: User | None = None) -> ExplainedDeadline:
        """Every day of a request's running deadline counted or skipped, and why (`viewer` as for `history`)."""
        with self.engine.connect() as conn:
            return self._explained(conn, request_id, fold_stored(self._readable_stream(conn, request_id, viewer)), name)

    def view(self, request_id: str, viewer: User, as_of: dt.datetime | None = None) -> RequestView:
        """The request page's whole reading from one read of the log, folded once: the history (as of `as_of`), its
        reply deadline explained and the steps `viewer` may take now (none on a past moment)."""
        with self.engine.connect() as conn:
            events = self._readable_stream(conn, request_id, viewer)
            shown = events_until(events, request_id, as_of)
            state = fold_stored(shown)
            shown_history = history_of(conn, shown, state, as_of, viewer)
            explained = None
            if shown_history["deadlines"]["reply"]["due"]:
                # counted to today from the request as it is now, whatever moment the history shows
                now = state if len(shown) == len(events) else fold_stored(events)
                explained = self._explained(conn, request_id, now, "reply")
            may_act = (as_of is None and viewer.role.value in ("staff", "head", "admin")
                       and access.may(conn, viewer, Action.WRITE_REQUEST, state.agency))
            names = names_in(conn, shown_history)
        steps = offered_steps(state, names.departments) if may_act else []
        approval_words = {a["id"]: approval_step_words(a["kind"], a["step"]) for a in shown_history["approvals"]}
        return RequestView(shown_history, explained, may_act, steps, narrate(shown_history["events"], names), names,
                           approval_words)

    def _readable_stream(self, conn: Connection, request_id: str, viewer: User | None) -> list[StoredEvent]:
        """The request's stored events, once `viewer` (if any) is found to be allowed to read its agency's requests."""
        events = self.store.read_stream(conn, request_stream(request_id))
        if not events:
            raise NotFound(f"没有编号为“{request_id[:60]}”的申请，请核对申请编号")
        if viewer is not None:
            access.require(conn, viewer, Action.READ_REQUEST, self._agency(conn, request_id, events))
        return events

    def _agency(self, conn: Connection, request_id: str, events: list[StoredEvent]) -> str:
        """The agency on the request's read-model row, believed only if the row's seal holds against the event it
        was folded up to (workflows/integrity/seals.py); else the log's first event says it (an agency never
        changes). Neither folds the log."""
        row = conn.execute(_REQUEST_ROW, {"request_id": request_id}).first()
        if row is not None and 0 < row.version <= len(events):
            folded_up_to = events[row.version - 1]
            if folded_up_to.version == row.version and self.guard.projection.sealer.holds(row._mapping,
                                                                                          folded_up_to.stream_hash):
                return str(row.agency)
        return str(events[0].payload["agency"])

    def _explained(self, conn: Connection, request_id: str, state: RequestState, name: str) -> ExplainedDeadline:
        period = explain(state, name, self.requests.calendar(conn), self.clock.now().date())
        if period is None:
            raise NotFound(f"申请“{request_id}”没有正在计算的{PERIOD_LABELS.get(name, '期限')}")
        return ExplainedDeadline(period, state.suspensions)

    def calendar(self) -> WorkingCalendar:
        with self.engine.connect() as conn:
            return self.requests.calendar(conn)

    def count_period(self, start: dt.date, days: int) -> PeriodCount:
        return count_period(self.calendar(), start, days)


    def request_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(requests_table)).scalar_one()

    def disclosure_proposals(self, agency: str | None = None, viewer: User | None = None) -> list[DisclosureProposal]:
        """Art. 44: information several applicants asked for and were given — to consider for proactive disclosure
        (of `agency`, or of every agency `viewer` may read)."""
        r = requests_table.c
        query = select(r.request_id, r.agency, r.subject, r.applicant_name, r.outcome)
        with self.engine.connect() as conn:
            agencies = self._readable(conn, viewer, agency)
            if agencies is not None:
                query = query.where(r.agency.in_(agencies))
            return proposals(AskedRequest(*row) for row in conn.execute(query))

    def requests_not_from(self, sources: frozenset[str]) -> int:
        """How many requests were not imported from one of `sources` (the log's own record of each receipt)."""
        with self.engine.connect() as conn:
            return sum(1 for payload in first_request_payloads(conn)
                       if json.loads(payload).get("imported_from") not in sources)

    def sample_request_id(self) -> str | None:
        """The request with the most history, an open one first, to show what a replay looks like."""
        is_open = requests_table.c.stage.in_([s.value for s in OPEN_STAGES])
        with self.engine.connect() as conn:
            return conn.execute(
                select(requests_table.c.request_id)
                .order_by(is_open.desc(), requests_table.c.version.desc(), requests_table.c.request_id).limit(1)
            ).scalar()

    def latest_complete_year(self) -> tuple[int, str] | None:
        """(year, agency) of the latest complete year with requests, to show the annual report."""
        this_year = self.clock.now().year
        latest = func.max(requests_table.c.received_on)
        with self.engine.connect() as conn:
            row = conn.execute(
                select(requests_table.c.agency, latest)
                .where(requests_table.c.received_on < dt.date(this_year, 1, 1))
                .group_by(requests_table.c.agency).order_by(latest.desc()).limit(1)
            ).first()
        if row is None or row[1] is None:
            return None
        return row[1].year, row[0]
