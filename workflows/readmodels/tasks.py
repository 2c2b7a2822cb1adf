"""The staff task queue (待办): tasks derived from each open request's state (workflows/foi/tasks.py), kept in a
read model, with claims and assignments recorded as events of `assignment/REQUEST_ID` (who, by whom, when).

The tasks table is written after every append to a request (a projector) and after every assignment; some
tasks depend on the day (the extension question in the last week, the correction-notice limit), so the sweep
derives again, once a day, the tasks of the requests near a deadline. It can be rebuilt from the log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select

from engine.adapters.eventstore import EventStore, StreamAppend
from engine.clock import Clock
from engine.errors import NotFound, OgiError, PermissionDenied, RuleViolation
from engine.events import NewEvent
from engine.projection import Change
from workflows.foi.identifiers import InputRefused
from workflows.foi.state import OPEN_STAGES, RequestState
from workflows.foi.tasks import HANDLER, AssigneeRefused, tasks_of
from workflows.people import access
from workflows.people.access import ROLE_LABELS, Action
from workflows.people.accounts import WRITING_ROLES, Role, User, find_user
from workflows.readmodels.queue import WorkQueue
from workflows.streams import REQUEST_STREAM, fold_stored, request_stream, streams_of
from workflows.tables import (
    agencies_table,
    departments_table,
    requests_table,
    task_assignments_table,
    tasks_table,
    user_agencies_table,
    users_table,
)

ASSIGNMENT_STREAM = "assignment/"
TASK_ASSIGNED = "task_assigned"
REFRESH_WINDOW = dt.timedelta(days=8)  # day-dependent tasks change only this close to a deadline


def assignment_stream(request_id: str) -> str:
    return ASSIGNMENT_STREAM + request_id


def assignments_of(conn: Connection, request_id: str) -> dict[str, str]:
    t = task_assignments_table.c
    return dict(conn.execute(select(t.task, t.assignee).where(t.request_id == request_id)).all())


def write_tasks(conn: Connection, state: RequestState, assignments: dict[str, str], today: dt.date) -> None:
    conn.execute(delete(tasks_table).where(tasks_table.c.request_id == state.request_id))
    rows = [dict(id=task.id_for(state.request_id), request_id=state.request_id, agency=state.agency,
                 type=task.type.value, role=task.role, article=task.article, label=task.label, due=task.due,
                 assignee=task.assignee, derived_on=today)
            for task in tasks_of(state, assignments, today=today)]
    if rows:
        conn.execute(insert(tasks_table), rows)


class TasksProjection:
    """After every append to a request: its tasks derived again. Also a read model (with the assignments)."""

    name = "tasks"

    def __init__(self, clock: Clock):
        self.clock = clock

    def apply(self, conn: Connection, changes: Sequence[Change[RequestState]]) -> None:
        for change in changes:
            today = change.now.date()
            if not change.is_new and tasks_of(change.before, today=today) == tasks_of(change.after, today=today):
                continue  # most steps leave the tasks as they were: no statements for them
            assignments = {} if change.is_new else assignments_of(conn, change.after.request_id)
            write_tasks(conn, change.after, assignments, today)

    def rebuild(self, conn: Connection, store: EventStore) -> int:
        conn.execute(delete(task_assignments_table))
        conn.execute(delete(tasks_table))
        for event in store.read_all(conn, ASSIGNMENT_STREAM):
            save_assignment(conn, event.stream_id[len(ASSIGNMENT_STREAM):], event.payload, event.version)
        today, count = self.clock.now().date(), 0
        for events in streams_of(store.read_streams(conn, REQUEST_STREAM)):
            state = fold_stored(events)
            write_tasks(conn, state, assignments_of(conn, state.request_id), today)
            count += 1
        return count


def save_assignment(conn: Connection, request_id: str, payload: dict, version: int) -> None:
    t = task_assignments_table.c
    conn.execute(delete(task_assignments_table).where(t.request_id == request_id, t.task == payload["task"]))
    conn.execute(insert(task_assignments_table).values(request_id=request_id, task=payload["task"],
                                                       assignee=payload["assignee"], version=version))


@dataclass(frozen=True)
class TaskView:
    id: str
    type: str
    request_id: str
    agency: str
    role: str
    assignee: str | None
    due: dt.date | None
    article: str
    label: str
    overdue: bool

    @classmethod
    def from_row(cls, row, today: dt.date) -> TaskView:
        return cls(row.id, row.type, row.request_id, row.agency, row.role, row.assignee, row.due, row.article,
                   row.label, row.due is not None and row.due < today)

    def as_dict(self) -> dict:
        """The JSON of DESIGN §8."""
        return {"id": self.id, "type": self.type, "request_id": self.request_id, "agency": self.agency,
                "role": self.role, "assignee": self.assignee, "due": self.due.isoformat() if self.due else None,
                "article": self.article, "overdue": self.overdue}


ASSIGNABLE_ROLES = (Role.STAFF, Role.HEAD, Role.ADMIN)


def department_of(conn: Connection, username: str) -> str | None:
    """The department the user works in (部门待办), if an administrator set one."""
    return conn.execute(select(users_table.c.department).where(users_table.c.username == username)).scalar()


def _concerns(state: RequestState, department: str) -> bool:
    return state.department == department or any(a.department == department and a.answered_on is None
                                                 for a in state.assists)


@dataclass(frozen=True)
class TaskBoard:
    names: dict[str, str]  # username -> display name
    colleagues: dict[str, list[tuple[str, str, str]]]  # agency -> (username, display name, role) a task may go to
    agency_names: dict[str, str]
    department: str | None  # the viewer's department code (None: none set)
    department_name: str | None
    may_assign: bool


@dataclass
class TaskService:
    engine: Engine
    store: EventStore
    clock: Clock
    queue: WorkQueue = field(init=False)

    def __post_init__(self) -> None:
        # 申请列表 reads the same rows the queue of tasks does; reached here until bootstrap wires it on its own
        self.queue = WorkQueue(self.engine)

    def listing(self, viewer: User, mine: bool = False, role: str | None = None, agency: str | None = None,
                department: bool = False, unassigned: bool = False, request_id: str = "") -> list[TaskView]:
        """Overdue first, then by due date (none last): the tasks of `agency`, or of every agency `viewer` may read
        (administrators and auditors all; staff and heads theirs and those below; staff of no agency none).
        `department`: only those of requests with the viewer's department (部门待办: it handles them, or was
        asked to assist); `unassigned`: only those nobody has; `request_id`: part of the request id."""
        t = tasks_table.c
        query = select(tasks_table)
        if mine:
            query = query.where(t.assignee == viewer.username)
        if unassigned:
            query = query.where(t.assignee.is_(None))
        if role:
            query = query.where(t.role == role)
        if request_id:
            query = query.where(func.lower(t.request_id).contains(request_id.lower(), autoescape=True))
        today = self.clock.now().date()
        with self.engine.connect() as conn:
            if agency:
                access.require(conn, viewer, Action.READ_TASKS, agency)
                query = query.where(t.agency == agency)
            else:
                agencies = access.reachable_agencies(conn, viewer, Action.READ_TASKS)
                if agencies == []:
                    return []
                if agencies is not None:
                    query = query.where(t.agency.in_(agencies))
            rows = conn.execute(query.order_by(t.due.is_(None), t.due, t.request_id, t.type)).all()
            if department:
                rows = self._of_department(conn, rows, department_of(conn, viewer.username))
        views = [TaskView.from_row(r, today) for r in rows]
        return sorted(views, key=lambda v: not v.overdue)  # stable: overdue first, each part by due date

    def _of_department(self, conn: Connection, rows: Sequence, department: str | None) -> list:
        """The rows of requests that `department` handles or was asked to assist (协办) and has not answered. The
        tasks table keeps no department: the requests listed are folded (one agency's open requests)."""
        if department is None:
            return []
        ids = sorted({row.request_id for row in rows})
        handled = {request_id for request_id in ids
                   if _concerns(fold_stored(self.store.read_stream(conn, request_stream(request_id))), department)}
        return [row for row in rows if row.request_id in handled]

    def board(self, viewer: User) -> TaskBoard:
        """What the 待办 page shows beside the tasks: people's names, whom a task may go to, the viewer's department."""
        with self.engine.connect() as conn:
            agencies = access.reachable_agencies(conn, viewer, Action.ASSIGN_TASK)
            u, ua = users_table.c, user_agencies_table.c
            names = dict(conn.execute(select(u.username, u.display_name)).all())
            colleagues: dict[str, list[tuple[str, str, str]]] = {}
            query = (select(ua.agency, u.username, u.display_name, u.role)
                     .select_from(user_agencies_table.join(users_table, ua.username == u.username))
                     .where(u.role.in_([r.value for r in ASSIGNABLE_ROLES]), u.disabled.is_(False))
                     .order_by(ua.agency, u.role.desc(), u.username))
            if agencies is not None:
                query = query.where(ua.agency.in_(agencies))
            for row in conn.execute(query):
                colleagues.setdefault(row.agency, []).append((row.username, row.display_name, row.role))
            agency_names = dict(conn.execute(select(agencies_table.c.slug, agencies_table.c.name)).all())
            department = department_of(conn, viewer.username)
            department_name = None
            if department is not None:
                d = departments_table.c
                department_name = conn.execute(select(d.name).where(
                    d.code == department, d.agency.in_(sorted(viewer.agencies)))).scalar()
        return TaskBoard(names, colleagues, agency_names, department, department_name or department,
                         may_assign=viewer.role in WRITING_ROLES)

    def claim(self, task_id: str, actor: User) -> TaskView:
        return self.assign(task_id, actor.username, actor)

    def assign(self, task_id: str, assignee: str, actor: User) -> TaskView:
        """Give a task to a user of the request's agency (claiming a staff task also makes the claimant the
        request's handler, who gets its reminders). Recorded as an event with the actor."""
        if actor.role not in WRITING_ROLES:
            raise PermissionDenied(f"{actor.display_name}（{ROLE_LABELS[actor.role]}）只能查看待办，不能认领或分派")
        if not assignee.strip():
            raise InputRefused("承办人", "请选择要把这项待办分派给谁")
        request_id, _, task_type = task_id.rpartition("/")
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = conn.execute(select(tasks_table).where(tasks_table.c.id == task_id)).first()
            if row is None:
                raise NotFound(f"待办：没有这项待办事项（{task_id}），它可能已经办完")
            access.require(conn, actor, Action.ASSIGN_TASK, row.agency)
            person = find_user(conn, assignee)
            self._check(conn, person, assignee, row)
            stream = assignment_stream(request_id)
            version = self.store.stream_version(conn, stream)
            events = [NewEvent(TASK_ASSIGNED, now, {"task": task_type, "assignee": assignee})]
            if row.role == Role.STAFF.value:
                events.append(NewEvent(TASK_ASSIGNED, now, {"task": HANDLER, "assignee": assignee}))
            stored = self.store.append(conn, StreamAppend(stream, version, events, actor.username), now)
            for event in stored:
                save_assignment(conn, request_id, event.payload, event.version)
            state = fold_stored(self.store.read_stream(conn, request_stream(request_id)))
            write_tasks(conn, state, assignments_of(conn, request_id), now.date())
            new = conn.execute(select(tasks_table).where(tasks_table.c.id == task_id)).one()
        return TaskView.from_row(new, now.date())

    @staticmethod
    def _check(conn: Connection, person: User | None, assignee: str, row) -> None:
        """The assignee: a writer who may act on the task's agency (its staff or head, or an administrator)."""
        if person is None:
            raise NotFound(f"承办人：没有用户名为“{assignee}”的用户")
        if person.role not in ASSIGNABLE_ROLES:
            raise OgiError(f"承办人：{person.display_name}是{ROLE_LABELS[person.role]}，待办只能交给经办人、负责人或管理员")
        if person.disabled:
            raise OgiError(f"承办人：{person.display_name}的账户已停用，不能接收待办")
        if row.role == Role.HEAD.value and person.role not in (Role.HEAD, Role.ADMIN):
            raise RuleViolation(f"承办人：“{row.label}”由负责人办理，{person.display_name}是{ROLE_LABELS[person.role]}",
                                row.article)
        if not access.may(conn, person, Action.ASSIGN_TASK, row.agency):
            agency = conn.execute(select(agencies_table.c.name).where(agencies_table.c.slug == row.agency)).scalar()
            raise AssigneeRefused(f"承办人：{person.display_name}不在{agency or row.agency}或其上级机关工作，"
                                   "待办只能交给本机关的人员")

    def refresh_day_dependent(self, today: dt.date) -> int:
        """The sweep's part: derive again, once a day, the tasks of open requests near a deadline."""
        r, t = requests_table.c, tasks_table.c
        derived = (select(func.min(t.derived_on)).where(t.request_id == r.request_id).scalar_subquery())
        with self.engine.begin() as conn:
            ids = conn.execute(select(r.request_id).where(
                r.stage.in_([s.value for s in OPEN_STAGES]), r.next_due <= today + REFRESH_WINDOW,
                or_(derived.is_(None), derived < today))).scalars().all()
            for request_id in ids:
                events = self.store.read_stream(conn, request_stream(request_id))
                write_tasks(conn, fold_stored(events), assignments_of(conn, request_id), today)
        return len(ids)

