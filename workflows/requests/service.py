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

from engine.adapters.eventstore import EventStore, StoredEvent, StreamAppend
from engine.calendar import WorkingCalendar, YearArrangement
from engine.clock import Clock
from engine.errors import ConcurrencyConflict, NotFound, OgiError, PermissionDenied, RuleViolation
from engine.events import NewEvent
from engine.projection import Change, Projector, ReadModel
from workflows.foi import approvals
from workflows.foi import commands as c
from workflows.foi.deadlines import compute_deadlines
from workflows.foi.documents import DocumentType, issued_by, stated_correction_period
from workflows.foi.handle import Handled, handle
from workflows.foi.identifiers import check_request_id
from workflows.foi.state import OPEN_STAGES, RequestState
from workflows.foi.wording import step_name
from workflows.people import access
from workflows.people.access import Action
from workflows.people.accounts import Role, User, get_agency
from workflows.people.departments import require_department
from workflows.readmodels.calendar_years import CalendarSource, arrangement_payload, calendar_stream, save_calendar_year
from workflows.readmodels.log import first_event_payload
from workflows.requests.input_limits import check_field
from workflows.requests.registration import checked_receive, next_request_id, receive_command
from workflows.streams import fold_stored, request_stream
from workflows.tables import requests_table

if TYPE_CHECKING:  # built by bootstrap; importing it here would tie the service to the report's facts
    from workflows.readmodels.guard import Findings, ProjectionGuard

_DUE_REQUEST_IDS = (select(requests_table.c.request_id)
                    .where(requests_table.c.next_timer_at <= bindparam("now"))
                    .order_by(requests_table.c.next_timer_at, requests_table.c.request_id))
_OPEN_REQUEST_IDS = (select(requests_table.c.request_id)
                     .where(requests_table.c.stage.in_([s.value for s in OPEN_STAGES]))
                     .order_by(requests_table.c.request_id))


C = TypeVar("C", bound=c.Command)
Stamped = Callable[[dt.datetime], C]  # a command made once the time of its writing is known


# the steps that need a head's or administrator's consent: (the way, in words, the rule). Staff ask for an
# extension or a void (it waits in 审批, workflows/documents/approvals.py); a head or administrator of the request's agency who
# takes the step records it as his own approval. The approver is the signed-in actor, never a name given as input.
APPROVALS: dict[type, tuple[str, str]] = {
    c.Extend: ("延长答复期限须经负责人在审批中同意", "Art. 33 ¶2"),
    c.VoidStep: ("撤销误录的步骤须经负责人在审批中同意", "记录更正"),
    c.ApproveDocument: ("文书由负责人本人审核（含保密审查）", "approval"),
}


def require_online_step(actor: User, command: c.Command) -> None:
    """An applicant, a payment platform or a 政务服务网 records only its own steps (access.ONLINE_STEPS), and a
    request it files is an online application (Art. 29: 数据电文; its receipt date is confirmed, Art. 31(3))."""
    if command.name not in access.online_steps(actor):
        raise PermissionDenied(f"无权办理“{step_name(command.name)}”：网上申请人、支付平台或政务服务平台只能办理本人的申请、补正、"
                               "撤回和缴费，其余步骤由受理机关办理")
    if isinstance(command, c.Receive) and command.channel != "online":
        raise PermissionDenied("网上提交的申请只能以“网上申请”方式登记")


def _role(user: User) -> str:
    return access.ROLE_LABELS.get(user.role, str(user.role))


def may_approve(conn: Connection, actor: User, agency: str) -> bool:
    """A head of the agency or of an agency above it, or an administrator (of any agency): the policy's 审批 row."""
    return access.may(conn, actor, Action.DECIDE_APPROVAL, agency)


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
            raise NotFound(f"没有编号为“{request_id}”的申请，请核对申请编号")
        return Loaded(fold_stored(events), events[-1].version, events[-1].stream_hash, events)

    def agency_of(self, conn: Connection, request_id: str) -> str:
        """The agency that received the request (its first event; it never changes), without folding the stream."""
        first = first_event_payload(conn, request_id)
        if first is None:
            raise NotFound(f"没有编号为“{request_id}”的申请，请核对申请编号")
        return str(json.loads(first)["agency"])

    def open_request_ids(self, conn: Connection) -> list[str]:
        return list(conn.execute(_OPEN_REQUEST_IDS).scalars())

    # -- commands ---------------------------------------------------------------------------
    def receive(self, command: c.Receive | Stamped[c.Receive], actor: User) -> RequestState:
        """`command` may be a function of the time: it is then stamped after the write lock, so two steps entered at
        once are recorded in the order they were written."""
        access.require_role(actor, Action.WRITE_REQUEST)
        with self.engine.begin() as conn:
            return self.receive_in(conn, command, actor)

    def receive_in(self, conn: Connection, command: c.Receive | Stamped[c.Receive], actor: User) -> RequestState:
        """`receive` in the caller's transaction (an online application filed with marking its submission filed)."""
        access.require_role(actor, Action.WRITE_REQUEST)
        command = checked_receive(self._stamped(conn, command))
        get_agency(conn, command.agency)
        access.require(conn, actor, Action.WRITE_REQUEST, command.agency)
        if self.store.stream_version(conn, request_stream(command.request_id)):
            raise OgiError(f"编号为“{command.request_id}”的申请已经存在，请换一个申请编号")
        return self._handle(conn, Loaded(RequestState(), 0), command, actor).state

    def register(self, values: Mapping[str, object], actor: User) -> str:
        """A request registered now from form or API fields (workflows/requests/registration.py); returns its id."""
        access.require_role(actor, Action.WRITE_REQUEST)
        with self.engine.begin() as conn:
            self.store.start_write(conn)
            now = self.clock.now()
            agency = check_field("agency", str(values.get("agency") or ""))  # before the database sees it
            get_agency(conn, agency)
            access.require(conn, actor, Action.WRITE_REQUEST, agency)
            given = str(values.get("id") or "").strip()
            request_id = check_request_id(given) if given else next_request_id(
                conn, agency, now.year, lambda candidate: self.store.stream_version(conn, request_stream(candidate)) > 0)
            command = receive_command(values, request_id, now)
            if self.store.stream_version(conn, request_stream(request_id)):
                raise OgiError(f"编号为“{request_id}”的申请已经存在，请换一个申请编号")
            self._handle(conn, Loaded(RequestState(), 0), command, actor)
        return request_id

    def act(self, request_id: str, command: c.Command | Stamped[c.Command], actor: User) -> RequestState:
        """Run one staff step on a request (the timers due by now fire first); see `receive` for a stamped command."""
        access.require_role(actor, Action.WRITE_REQUEST)
        with self.engine.begin() as conn:
            return self.act_in(conn, request_id, command, actor)

    def act_in(self, conn: Connection, request_id: str, command: c.Command | Stamped[c.Command], actor: User) -> RequestState:
        """`act` in the caller's transaction (a document issued with its number and the decision it records)."""
        access.require(conn, actor, Action.WRITE_REQUEST, self.agency_of(conn, request_id))  # before the form is read
        command = self._stamped(conn, command)
        loaded = self.load(conn, request_id)
        if isinstance(command, (c.Extend, c.VoidStep, c.ApproveDocument)):  # the keys of APPROVALS
            command = self.approved_or_asked(conn, loaded.state, command, actor)
        if isinstance(command, (c.GrantApproval, c.RejectApproval, c.SendBackDraft)):  # the approver's own acts
            self.require_approver(conn, actor, loaded.state.agency)
        if isinstance(command, c.DEPARTMENT_COMMANDS):
            require_department(conn, loaded.state.agency, command.department)
        if isinstance(command, c.RequestCorrection) and command.period_days is None:  # the issued notice's, else the agency's
            notice = issued_by(loaded.state.documents, DocumentType.CORRECTION_NOTICE, command.at.date())
            stated = stated_correction_period(notice)
            command = replace(command, period_days=stated or get_agency(conn, loaded.state.agency).correction_period_days)
        return self._handle(conn, loaded, command, actor).state

    @staticmethod
    def approved_or_asked(conn: Connection, state: RequestState, command: c.Extend | c.VoidStep | c.ApproveDocument,
                          actor: User) -> c.Command:
        """The step as the actor's own approval (a head or administrator of the agency), or, taken by staff, the
        approval asked for. A name of an approver given with the step is refused: only an import states one."""
        way, rule = APPROVALS[type(command)]
        named_by_someone_else = command.approved_by and not (isinstance(command, c.ApproveDocument)
                                                              and command.approved_by == actor.username)
        if named_by_someone_else:
            raise RuleViolation(f"{way}：不能代填批准人（approved_by “{command.approved_by}”），审批由负责人或管理员"
                                "本人登录后作出并记录", rule)
        if may_approve(conn, actor, state.agency):
            return replace(command, approved_by=actor.username)
        if isinstance(command, c.ApproveDocument):
            raise PermissionDenied(f"无权审核文书：{actor.username}（{_role(actor)}）不是本机关的负责人或管理员，"
                                   "文书由负责人或管理员审核（含保密审查）")
        return c.RequestApproval(at=command.at, kind=command.name, step=approvals.step_fields(command),
                                 reason=getattr(command, "reason", None) or "")

    def record_approved(self, conn: Connection, request_id: str, command: c.Extend | c.VoidStep,
                        approver: User) -> RequestState:
        """The step of a granted approval, recorded with the approver (checked here) as its approved_by."""
        loaded = self.load(conn, request_id)
        self.require_approver(conn, approver, loaded.state.agency)
        return self._handle(conn, loaded, replace(command, approved_by=approver.username), approver).state

    @staticmethod
    def require_approver(conn: Connection, actor: User, agency: str) -> None:
        if not may_approve(conn, actor, agency):
            raise PermissionDenied(f"无权审批：{actor.username}（{_role(actor)}）不是本机关或其上级机关的负责人，"
                                   "也不是管理员")

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
        if command is not None and actor.role == Role.APPLICANT:
            require_online_step(actor, command)
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
