"""Approvals (审批, DESIGN §9): a step that needs the consent of a head or administrator — an extension of the reply
period (Art. 33: 经政府信息公开工作机构负责人同意) or the void of a step recorded by mistake — is asked for by staff
and waits; the approver grants it (the step is then recorded with the approver as `approved_by`) or rejects it with
the opinion (审批意见). Who may approve is the service's business (workflows/documents/approvals.py); here is what the request's
stream says about each approval, and the rules that do not depend on the person.

Pure: no I/O. An approval's id is its place among the request's approvals (a1, a2, …), stable across replays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from workflows.foi import commands as c

# the steps that are asked for instead of recorded when staff take them (their command class by name)
APPROVABLE: dict[str, type[c.Command]] = {c.Extend.name: c.Extend, c.VoidStep.name: c.VoidStep}
APPROVAL_KIND_LABELS = {c.Extend.name: "延长答复期限", c.VoidStep.name: "撤销误录的步骤"}
PENDING, GRANTED, REJECTED = "pending", "granted", "rejected"
_DECIDED_WORDS = {GRANTED: "审批同意", REJECTED: "审批不同意"}
ASKED = "（待负责人审批）"  # the approver's name while the step is only asked for: its other rules are checked now


@dataclass(frozen=True)
class Approval:
    id: str  # a1, a2, … in the order asked for within the request
    kind: str  # a key of APPROVABLE
    step: dict  # the step's own fields, as asked for
    reason: str  # why staff ask for it
    requested_on: dt.date
    status: str = PENDING
    opinion: str | None = None  # 审批意见
    decided_on: dt.date | None = None

    @property
    def label(self) -> str:
        return APPROVAL_KIND_LABELS.get(self.kind, self.kind)


def next_id(approvals: tuple[Approval, ...]) -> str:
    return f"a{len(approvals) + 1}"


def step_fields(command: c.Command) -> dict:
    """The fields of an approvable step as they are asked for (the approver is never among them)."""
    return {k: v for k, v in command.payload().items() if k != "approved_by"}


def asked_step(kind: str, step: dict, at: dt.datetime, approved_by: str = ASKED) -> c.Command:
    """The step an approval asks for, as a command dated `at` with `approved_by` the approver."""
    return APPROVABLE[kind](at=at, **{**step, "approved_by": approved_by})


def pending(approvals: tuple[Approval, ...]) -> tuple[Approval, ...]:
    return tuple(a for a in approvals if a.status == PENDING)


def find(approvals: tuple[Approval, ...], approval_id: str) -> Approval | None:
    return next((a for a in approvals if a.id == approval_id), None)


# -- folds ---------------------------------------------------------------------------------------------------------
def requested(approvals: tuple[Approval, ...], p: dict, day: dt.date) -> tuple[Approval, ...]:
    return approvals + (Approval(p["approval_id"], p["kind"], dict(p.get("step") or {}), p.get("reason", ""), day),)


def decided(approvals: tuple[Approval, ...], p: dict, day: dt.date, status: str) -> tuple[Approval, ...]:
    return tuple(replace(a, status=status, opinion=p.get("opinion") or None, decided_on=day)
                 if a.id == p["approval_id"] else a for a in approvals)


# -- guards (the rule in words when refused) -----------------------------------------------------------------------
def request_refusal(approvals: tuple[Approval, ...], kind: str, step: dict, reason: str) -> str | None:
    if kind not in APPROVABLE:
        choices = "、".join(f"{APPROVAL_KIND_LABELS[k]}（{k}）" for k in APPROVABLE)
        return f"审批事项（kind）“{kind}”不是可提请审批的事项，可选：{choices}"
    if kind == c.VoidStep.name and not reason.strip():
        return "撤销误录的步骤须说明理由（reason：哪里录错了）"
    same = [a for a in pending(approvals) if a.kind == kind and (kind != c.VoidStep.name or a.step == step)]
    if same:
        return f"“{same[0].label}”已于 {same[0].requested_on} 提请审批（审批编号 {same[0].id}），正等待负责人审批，不能重复提请"
    return None


def asked_already(approvals: tuple[Approval, ...], kind: str, step: dict) -> str | None:
    """A step taken while staff's ask for it waits: the ask is decided in 审批 instead, so nothing waits for a step
    already taken (an extension: any pending one; a void: one of the same version)."""
    for a in pending(approvals):
        if a.kind == kind and (kind != c.VoidStep.name or a.step.get("version") == step.get("version")):
            return (f"“{a.label}”已于 {a.requested_on} 提请审批（审批编号 {a.id}）：请在审批中同意或不同意，"
                    "不能另行办理")
    return None


def decision_refusal(approvals: tuple[Approval, ...], approval_id: str, opinion: str, rejecting: bool) -> str | None:
    found = find(approvals, approval_id)
    if found is None:
        return f"本申请没有编号为“{approval_id}”的审批事项，请核对审批编号"
    if found.status != PENDING:
        return f"审批事项 {approval_id} 已于 {found.decided_on} {_DECIDED_WORDS.get(found.status, found.status)}，不能再次审批"
    if rejecting and not opinion.strip():
        return "审批不同意须写明审批意见（reason）：经办人应当如何办理"
    return None
