"""Who may read and who may write which agency's requests, documents, tasks, approvals and reports.

One table, `POLICY`: for each action, the roles that may take it and how far their reach goes — every agency, or
the agencies the user works for and those below them. The application services check it for every door (web
pages, the API, the CLI, the worker); `Directory.check_access` is a thin call to it; the web's role × route
matrix and the CLI matrix take their expected answers from it. Applicants are in no row: they reach nothing here
(their door is /lookup with a 查询码).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection, select

from engine.errors import PermissionDenied
from workflows.people.accounts import SCHEDULER_USERNAME, Role, User, is_online_actor
from workflows.tables import agencies_table

ROLE_LABELS = {Role.ADMIN: "系统管理员", Role.HEAD: "负责人", Role.STAFF: "经办人", Role.AUDITOR: "审计",
               Role.APPLICANT: "申请人"}


class Reach(StrEnum):
    EVERY_AGENCY = "every agency"
    OWN_AGENCIES = "own agencies"  # the agencies the user works for, and those below them


class Action(StrEnum):
    READ_REQUEST = "request.read"  # the queue, a history, a deadline explained, the case file
    WRITE_REQUEST = "request.write"  # register, import, every step (an extension or a void asked for included)
    READ_DOCUMENT = "document.read"  # the list, a rendered or downloaded document
    EXPORT_CASE_FILE = "case_file.export"  # the agency's own archive, with the applicant's personal data
    WRITE_DOCUMENT = "document.write"  # draft, issue, serve, return
    APPROVE_DOCUMENT = "document.approve"  # 审核/保密审查
    READ_TASKS = "task.read"
    ASSIGN_TASK = "task.write"  # claim, assign
    READ_APPROVALS = "approval.read"  # the 审批 list
    DECIDE_APPROVAL = "approval.decide"  # approve or return with 审批意见
    READ_REPORT = "report.read"  # the annual report, its cells, table 二 as entered and its history
    PUBLISH_REPORT = "report.publish"
    WRITE_REGISTER = "register.write"  # table 二
    ADMINISTER = "directory.admin"  # users, agencies, departments, the calendar, tokens, parked messages


READING_ACTIONS = frozenset({Action.READ_REQUEST, Action.READ_DOCUMENT, Action.EXPORT_CASE_FILE, Action.READ_TASKS,
                             Action.READ_APPROVALS, Action.READ_REPORT})  # the rest write


@dataclass(frozen=True)
class Rule:
    zh: str  # what the action is, for the refusal a person reads
    en: str  # the same as a verb: "… may not {en}"
    reach: Mapping[Role, Reach]  # a role not listed may not take the action at all


_EVERY, _OWN = Reach.EVERY_AGENCY, Reach.OWN_AGENCIES
WRITERS = {Role.ADMIN: _EVERY, Role.HEAD: _OWN, Role.STAFF: _OWN}
READERS = {**WRITERS, Role.AUDITOR: _EVERY}  # auditors read everything and write nothing
APPROVERS = {Role.ADMIN: _EVERY, Role.HEAD: _OWN}  # the person in charge (负责人) of the agency

POLICY: dict[Action, Rule] = {
    Action.READ_REQUEST: Rule("查看申请", "read requests", READERS),
    Action.WRITE_REQUEST: Rule("办理申请", "act on requests", WRITERS),
    Action.READ_DOCUMENT: Rule("查看文书", "read documents", READERS),
    Action.EXPORT_CASE_FILE: Rule("导出案卷", "export the case file", {role: _OWN for role in WRITERS}),  # PIPL: the agency's
    Action.WRITE_DOCUMENT: Rule("制作、印发、送达文书", "draft, issue or serve documents", WRITERS),
    Action.APPROVE_DOCUMENT: Rule("审核文书", "approve documents", APPROVERS),
    Action.READ_TASKS: Rule("查看待办", "read tasks", READERS),
    Action.ASSIGN_TASK: Rule("认领、分派待办", "claim or assign tasks", WRITERS),
    Action.READ_APPROVALS: Rule("查看审批", "read what waits for approval", APPROVERS),
    Action.DECIDE_APPROVAL: Rule("审批", "approve or return what waits for approval", APPROVERS),
    Action.READ_REPORT: Rule("查看年度报告", "read annual reports", READERS),
    Action.PUBLISH_REPORT: Rule("发布年度报告", "publish the annual report", APPROVERS),
    Action.WRITE_REGISTER: Rule("填报表二", "fill in the table 二 register", WRITERS),
    Action.ADMINISTER: Rule("系统管理", "administer users, agencies and settings", {Role.ADMIN: _EVERY}),
}

# the sweep and the worker act as the scheduler (workflows/people/accounts.py SCHEDULER: no login, no row in `users`):
# timers fire and tasks are derived on every agency's requests
SYSTEM_ACTIONS = frozenset({Action.READ_REQUEST, Action.WRITE_REQUEST, Action.READ_TASKS, Action.ASSIGN_TASK})
# the online door's actors (accounts.py APPLICANT_ONLINE, PAYMENT_PLATFORM, platform_actor) write only the steps of
# ONLINE_STEPS, on the one request the portal opened for them (workflows/portal/ checks the 查询码 or the token first)
ONLINE_ACTIONS = frozenset({Action.READ_REQUEST, Action.WRITE_REQUEST})
ONLINE_STEPS = {
    "applicant": frozenset({"receive", "submit_correction", "withdraw", "record_download", "choose_notices"}),
    "payment": frozenset({"pay_fee"}),
    "platform": frozenset({"receive"}),
}


def online_steps(user: User) -> frozenset[str]:
    """The steps an online actor may record (none for anyone else: staff are checked by POLICY)."""
    if not is_online_actor(user):
        return frozenset()
    return ONLINE_STEPS["platform" if user.username.startswith("platform:") else user.username]


def allows(role: Role, action: Action, own_agency: bool) -> bool:
    """The table alone (no database): may `role` take `action` on an agency that is (`own_agency`) or is not theirs?"""
    reach = POLICY[action].reach.get(role)
    return reach is Reach.EVERY_AGENCY or (reach is Reach.OWN_AGENCIES and own_agency)


def reach_of(user: User, action: Action) -> Reach | None:
    if user.username == SCHEDULER_USERNAME and action in SYSTEM_ACTIONS:
        return Reach.EVERY_AGENCY
    if is_online_actor(user) and action in ONLINE_ACTIONS:
        return Reach.EVERY_AGENCY  # which request and which steps: RequestService.require_online_step
    return POLICY[action].reach.get(user.role)


def require_role(user: User, action: Action) -> None:
    """The role may take `action` on some agency (checked before anything is read)."""
    if reach_of(user, action) is None:
        raise _role_refusal(user, action)


def require(conn: Connection, user: User, action: Action, agency: str) -> None:
    """PermissionDenied unless `user` may take `action` on `agency`'s requests, documents, tasks or reports."""
    reach = reach_of(user, action)
    if reach is None:
        raise _role_refusal(user, action)
    if reach is Reach.EVERY_AGENCY:
        return
    tree = _agency_tree(conn)
    if user.agencies & {agency, *_above(tree, agency)}:
        return
    rule = POLICY[action]
    name = tree[agency][0] if agency in tree else agency
    raise PermissionDenied(
        f"无权{rule.zh}：{user.username}（{ROLE_LABELS[user.role]}）不在{name}或其上级机关工作")


def may(conn: Connection, user: User, action: Action, agency: str) -> bool:
    try:
        require(conn, user, action, agency)
    except PermissionDenied:
        return False
    return True


def reachable_agencies(conn: Connection, user: User, action: Action = Action.READ_REQUEST) -> list[str] | None:
    """The agencies whose items a list shows `user`: None for every agency; else theirs and those below them,
    sorted ([] for staff of no agency, and for a role that may not take `action`)."""
    reach = reach_of(user, action)
    if reach is Reach.EVERY_AGENCY:
        return None
    if reach is None or not user.agencies:
        return []
    tree = _agency_tree(conn)
    return sorted(slug for slug in tree if user.agencies & {slug, *_above(tree, slug)})


def _role_refusal(user: User, action: Action) -> PermissionDenied:
    rule = POLICY[action]
    if user.role == Role.AUDITOR:
        return PermissionDenied(f"无权{rule.zh}：{user.username}是审计，审计只能查看，不能修改")
    roles = [role for role in rule.reach]
    return PermissionDenied(
        f"无权{rule.zh}：须由{'或'.join(ROLE_LABELS[r] for r in sorted(roles, key=_ROLE_ORDER.index))}办理，"
        f"{user.username}是{ROLE_LABELS[user.role]}")


_ROLE_ORDER = [Role.HEAD, Role.STAFF, Role.AUDITOR, Role.ADMIN, Role.APPLICANT]  # "head or administrator"
_ROLE_NAMES = {Role.ADMIN: "administrator", Role.HEAD: "head", Role.STAFF: "staff", Role.AUDITOR: "auditor",
               Role.APPLICANT: "applicant"}


def _agency_tree(conn: Connection) -> dict[str, tuple[str, str | None]]:
    """slug → (name, parent): a handful of rows, read once per check."""
    rows = conn.execute(select(agencies_table.c.slug, agencies_table.c.name, agencies_table.c.parent))
    return {row.slug: (row.name, row.parent) for row in rows}


def _above(tree: Mapping[str, tuple[str, str | None]], agency: str) -> list[str]:
    out: list[str] = []
    current = tree.get(agency, ("", None))[1]
    while current and current not in out and current != agency:  # a cycle in the parent links must not loop
        out.append(current)
        current = tree.get(current, ("", None))[1]
    return out
