"""The staff tasks (待办) of one request, derived from its folded state (DESIGN §8).

Pure: a task is what the state shows is to be done next, with the article that asks for it and the due date of the
period it belongs to. Nothing here is stored; claims and assignments are recorded elsewhere and handed in.
Every rule is one small function over `RequestState`; what a rule cannot read from the state is said beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from engine.errors import PermissionDenied
from workflows.foi.approvals import pending
from workflows.foi.deadlines import CONSULTATION_DAYS, Timer
from workflows.foi.definition import awaiting_confirmation
from workflows.foi.documents import ISSUED_WITHOUT_APPROVAL
from workflows.foi.state import RequestState, Stage
from workflows.foi.vocabulary import Channel


class AssigneeRefused(PermissionDenied):
    """The person a task was to go to may not take it (another agency's, a disabled account): the assigner's form
    is wrong, not their right, so a page shows it beside the form."""


HANDLER = "handler"  # the assignments key of the request's 经办人: default assignee of every staff task
EXTENSION_WINDOW_DAYS = 7  # calendar days before the reply is due in which the head is asked about an extension


class TaskType(StrEnum):
    """Fixed identifiers (DESIGN §8), in the order the procedure meets them; tasks of one due date sort this way."""

    CONFIRM_RECEIPT = "confirm_receipt"
    SEND_CORRECTION_NOTICE = "send_correction_notice"
    REVIEW_CORRECTION = "review_correction"
    DECIDE_NO_CORRECTION = "decide_no_correction"
    FOLLOW_CONSULTATION = "follow_consultation"
    CONFIRM_PAYMENT = "confirm_payment"
    DECIDE_UNPAID_FEE = "decide_unpaid_fee"
    APPROVE_EXTENSION = "approve_extension"
    DRAFT_REPLY = "draft_reply"
    SERVE_REPLY = "serve_reply"
    HANDLE_REVIEW = "handle_review"
    HANDLE_LITIGATION = "handle_litigation"
    # the paper trail and the departments (issue 11)
    APPROVE_DOCUMENT = "approve_document"
    ISSUE_DOCUMENT = "issue_document"
    SERVE_DOCUMENT = "serve_document"
    ANSWER_ASSISTANCE = "answer_assistance"
    # approvals (审批, issue 17): what staff asked a head for, and a draft the head sent back
    DECIDE_APPROVAL = "decide_approval"
    REVISE_DOCUMENT = "revise_document"


class TaskRole(StrEnum):
    STAFF = "staff"
    HEAD = "head"  # 政府信息公开工作机构负责人: approves the extension (Art. 33)


@dataclass(frozen=True)
class TaskKind:
    role: TaskRole
    article: str
    label: str


TASK_KINDS: dict[TaskType, TaskKind] = {
    TaskType.CONFIRM_RECEIPT: TaskKind(TaskRole.STAFF, "Art. 31", "与申请人确认收到申请的日期"),
    TaskType.SEND_CORRECTION_NOTICE: TaskKind(TaskRole.STAFF, "Art. 30", "审查申请内容，需补正的7个工作日内一次性告知"),
    TaskType.REVIEW_CORRECTION: TaskKind(TaskRole.STAFF, "Art. 30", "审查补正后的申请"),
    TaskType.DECIDE_NO_CORRECTION: TaskKind(TaskRole.STAFF, "Art. 30", "补正期限届满，决定是否不再处理（逾期不补正）"),
    TaskType.FOLLOW_CONSULTATION: TaskKind(TaskRole.STAFF, "Art. 32, 34", f"跟进征求意见（{CONSULTATION_DAYS}个工作日）"),
    TaskType.CONFIRM_PAYMENT: TaskKind(TaskRole.STAFF, "109号", "确认申请人缴费"),
    TaskType.DECIDE_UNPAID_FEE: TaskKind(TaskRole.STAFF, "109号", "缴费期限届满，决定是否不再处理（逾期未缴费）"),
    TaskType.APPROVE_EXTENSION: TaskKind(TaskRole.HEAD, "Art. 33", "决定是否延长答复期限"),
    TaskType.DRAFT_REPLY: TaskKind(TaskRole.STAFF, "Art. 33, 36", "拟写答复书"),
    TaskType.SERVE_REPLY: TaskKind(TaskRole.STAFF, "Art. 33; 235号", "送达答复书"),
    TaskType.HANDLE_REVIEW: TaskKind(TaskRole.STAFF, "Art. 51", "办理行政复议案件"),
    TaskType.HANDLE_LITIGATION: TaskKind(TaskRole.STAFF, "Art. 51", "办理行政诉讼案件"),
    TaskType.APPROVE_DOCUMENT: TaskKind(TaskRole.HEAD, "approval", "审核文书（含保密审查）"),
    TaskType.ISSUE_DOCUMENT: TaskKind(TaskRole.STAFF, "approval", "印发已审核的文书（编发文号）"),
    TaskType.SERVE_DOCUMENT: TaskKind(TaskRole.STAFF, "235号", "送达已印发的文书（退件的重新送达）"),
    TaskType.ANSWER_ASSISTANCE: TaskKind(TaskRole.STAFF, "内部协办", "协办部门回复"),
    TaskType.DECIDE_APPROVAL: TaskKind(TaskRole.HEAD, "Art. 33; 记录更正", "审批经办人提请的事项（延长答复期限、撤销误录的步骤）"),
    TaskType.REVISE_DOCUMENT: TaskKind(TaskRole.STAFF, "approval", "按审批意见修改退回的文书草稿"),
}
TASK_LABELS: dict[str, str] = {kind: meta.label for kind, meta in TASK_KINDS.items()}
# an online application has no receipt date until the agency confirms it (Art. 31(3)): the task says which it is
ONLINE_CONFIRMATION_LABEL = "确认收到网上申请"


@dataclass(frozen=True)
class Task:
    type: TaskType
    role: str  # "staff" or "head": the role expected to do it
    article: str  # the legal basis
    due: dt.date | None  # from state.deadlines; None when no period runs
    label: str
    assignee: str | None

    def id_for(self, request_id: str) -> str:
        return f"{request_id}/{self.type.value}"


def overdue(task: Task, today: dt.date) -> bool:
    return task.due is not None and task.due < today


@dataclass(frozen=True)
class _Listed:
    """A rule's answer when its task is listed: the due date (None when no period runs)."""

    due: dt.date | None


_NO_PERIOD = _Listed(None)


def _due(state: RequestState, period: str) -> dt.date | None:
    deadline = state.deadlines.get(period)
    return deadline.due if deadline else None


def _current_period_lapsed(state: RequestState, period: str) -> bool:
    """The lapse of the period as it now runs has fired (a notice receipt recorded later can move it)."""
    due = _due(state, period)
    return due is not None and Timer(period, due).key in state.lapsed


# -- the rules: one per task type ------------------------------------------------------------------------------------

def _confirm_receipt(state: RequestState, today: dt.date) -> _Listed | None:
    # Only while the confirmation can still be recorded: the workflow refuses it after any other step
    # (`not_confirmed_yet`). Art. 31 asks plain letters to be confirmed the day they arrive, but no period is kept
    # for it in the state, so there is no due date.
    return _NO_PERIOD if awaiting_confirmation(state) else None


def _send_correction_notice(state: RequestState, today: dt.date) -> _Listed | None:
    # Whether the application needs correcting is not knowable from the state: the review is listed while the
    # 7 working days run (the deadline exists only while no notice was sent) and dropped when they have ended,
    # since a late notice is still legal but most applications need none.
    due = _due(state, "correction_notice")
    if state.stage == Stage.PROCESSING and state.correction_notice_on is None and due is not None and today <= due:
        return _Listed(due)
    return None


def _review_correction(state: RequestState, today: dt.date) -> _Listed | None:
    # The state keeps no mark that the corrected application was examined: the review is open from the correction
    # until the next step that shows it was done (a consultation or fee notice since the correction, which start
    # from an empty list of suspensions, or Art. 35 reasons asked) or the decision. Due with the restarted reply.
    if state.stage != Stage.PROCESSING or state.corrected_on is None:
        return None
    reasons_asked_since = state.reasons_requested_on is not None and state.reasons_requested_on >= state.corrected_on
    if state.suspensions or reasons_asked_since:
        return None
    return _Listed(_due(state, "reply"))


def _decide_no_correction(state: RequestState, today: dt.date) -> _Listed | None:
    # A proposal only: the lapse is recorded as a `period_lapsed` event and never concludes (DESIGN §3).
    if state.stage == Stage.AWAITING_CORRECTION and _current_period_lapsed(state, "correction"):
        return _NO_PERIOD
    return None


def _follow_consultation(state: RequestState, today: dt.date) -> _Listed | None:
    return _Listed(_due(state, "consultation")) if state.open_consultation is not None else None


def _confirm_payment(state: RequestState, today: dt.date) -> _Listed | None:
    # kept after the lapse too: a late payment is still accepted until staff decide (flag late_payment)
    return _Listed(_due(state, "payment")) if state.stage == Stage.AWAITING_PAYMENT else None


def _decide_unpaid_fee(state: RequestState, today: dt.date) -> _Listed | None:
    if state.stage == Stage.AWAITING_PAYMENT and _current_period_lapsed(state, "payment"):
        return _NO_PERIOD
    return None


def _approve_extension(state: RequestState, today: dt.date) -> _Listed | None:
    # Art. 33 allows one extension. Working days cannot be counted without the calendar, so the window is in
    # calendar days. A suspended reply period has no due date and is not running.
    due = _due(state, "reply")
    if state.stage != Stage.PROCESSING or state.extension_days or due is None:
        return None
    if any(a.kind == "extend" for a in pending(state.approvals)):
        return None  # asked for already: the head decides it as an approval (decide_approval)
    return _Listed(due) if 0 <= (due - today).days <= EXTENSION_WINDOW_DAYS else None


def _draft_reply(state: RequestState, today: dt.date) -> _Listed | None:
    # done once a reply is drafted: its approval and issue are tasks of their own
    if state.stage != Stage.PROCESSING or any(d.type == "reply" for d in state.documents):
        return None
    return _Listed(_due(state, "reply"))


def _serve_reply(state: RequestState, today: dt.date) -> _Listed | None:
    # The reply is on time when served within the period (DESIGN §3); a request decided while awaiting the
    # applicant kept no reply period, so its service has no due date.
    return _Listed(_due(state, "reply")) if state.stage == Stage.DECIDED else None


def _handle_review(state: RequestState, today: dt.date) -> _Listed | None:
    # one task however many cases are pending: the task's id is REQUEST_ID/TYPE
    return _NO_PERIOD if any(case.closed_on is None for case in state.reviews.values()) else None


def _handle_litigation(state: RequestState, today: dt.date) -> _Listed | None:
    return _NO_PERIOD if any(case.closed_on is None for case in state.litigations.values()) else None


def _documents_in(state: RequestState, wanted: frozenset[str], skip: frozenset[str] = frozenset()) -> _Listed | None:
    # one task for all the request's documents in that state; due with the reply while a reply period runs
    found = [d for d in state.documents if d.state in wanted and d.type not in skip]
    return _Listed(_due(state, "reply")) if found else None


def _approve_document(state: RequestState, today: dt.date) -> _Listed | None:
    # a drafted 登记回执 waits for no head (ISSUED_WITHOUT_APPROVAL): it is issued, not approved
    return _documents_in(state, frozenset({"draft"}), ISSUED_WITHOUT_APPROVAL)


def _issue_document(state: RequestState, today: dt.date) -> _Listed | None:
    drafted_receipt = any(d.state == "draft" and d.type in ISSUED_WITHOUT_APPROVAL for d in state.documents)
    return _Listed(_due(state, "reply")) if drafted_receipt else _documents_in(state, frozenset({"approved"}))


def _serve_document(state: RequestState, today: dt.date) -> _Listed | None:
    # the reply has its own task (serve_reply); a 送达回证 records a service and is not itself served
    return _documents_in(state, frozenset({"issued", "returned"}), frozenset({"reply", "service_record"}))


def _decide_approval(state: RequestState, today: dt.date) -> _Listed | None:
    # one task for all the request's pending approvals; due with the reply, which an extension must precede (Art. 33)
    return _Listed(_due(state, "reply")) if pending(state.approvals) else None


def _revise_document(state: RequestState, today: dt.date) -> _Listed | None:
    return _documents_in(state, frozenset({"sent_back"}))


def _answer_assistance(state: RequestState, today: dt.date) -> _Listed | None:
    open_assists = [a.due_on for a in state.assists if a.answered_on is None]
    return _Listed(min(open_assists)) if open_assists and state.is_open else None


_RULES: dict[TaskType, Callable[[RequestState, dt.date], _Listed | None]] = {
    TaskType.CONFIRM_RECEIPT: _confirm_receipt,
    TaskType.SEND_CORRECTION_NOTICE: _send_correction_notice,
    TaskType.REVIEW_CORRECTION: _review_correction,
    TaskType.DECIDE_NO_CORRECTION: _decide_no_correction,
    TaskType.FOLLOW_CONSULTATION: _follow_consultation,
    TaskType.CONFIRM_PAYMENT: _confirm_payment,
    TaskType.DECIDE_UNPAID_FEE: _decide_unpaid_fee,
    TaskType.APPROVE_EXTENSION: _approve_extension,
    TaskType.DRAFT_REPLY: _draft_reply,
    TaskType.SERVE_REPLY: _serve_reply,
    TaskType.HANDLE_REVIEW: _handle_review,
    TaskType.HANDLE_LITIGATION: _handle_litigation,
    TaskType.APPROVE_DOCUMENT: _approve_document,
    TaskType.ISSUE_DOCUMENT: _issue_document,
    TaskType.SERVE_DOCUMENT: _serve_document,
    TaskType.ANSWER_ASSISTANCE: _answer_assistance,
    TaskType.DECIDE_APPROVAL: _decide_approval,
    TaskType.REVISE_DOCUMENT: _revise_document,
}
_ORDER = {kind: position for position, kind in enumerate(TaskType)}


def _assignee(kind: TaskType, role: TaskRole, assignments: Mapping[str, str]) -> str | None:
    if kind.value in assignments:
        return assignments[kind.value]
    return assignments.get(HANDLER) if role == TaskRole.STAFF else None


def _label(kind: TaskType, state: RequestState, meta: TaskKind) -> str:
    online = kind == TaskType.CONFIRM_RECEIPT and state.channel == Channel.ONLINE
    return ONLINE_CONFIRMATION_LABEL if online else meta.label


def tasks_of(state: RequestState, assignments: Mapping[str, str] = MappingProxyType({}), *,
             today: dt.date) -> list[Task]:
    """The open tasks of one request as of `today`, by due date (None last), then in procedure order.

    `assignments` maps a task type value (e.g. "draft_reply") to the user given that task, and "handler" to the
    request's 经办人. A task's own key wins; without one, a staff task goes to the handler and a head task
    (the extension, Art. 33) to nobody: a head is given it only by its own key. A NEW or CLOSED request has none.
    """
    if state.stage in (Stage.NEW, Stage.CLOSED):
        return []
    tasks = []
    for kind, rule in _RULES.items():
        listed = rule(state, today)
        if listed is None:
            continue
        meta = TASK_KINDS[kind]
        tasks.append(Task(kind, meta.role.value, meta.article, listed.due, _label(kind, state, meta),
                          _assignee(kind, meta.role, assignments)))
    return sorted(tasks, key=lambda t: (t.due is None, t.due or dt.date.min, _ORDER[t.type]))
