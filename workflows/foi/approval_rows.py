"""The workflow's rows for approvals (审批, workflows/foi/approvals.py): asking for a step that needs a head's consent,
granting it and rejecting it. Who may grant is checked by the service; these rows hold what the request says."""

from __future__ import annotations

from engine.machine import Transition
from workflows.foi import approvals
from workflows.foi import commands as c
from workflows.foi.paper_trail import LIVE_STAGES
from workflows.foi.state import RequestState, Stage


def approval_can_be_asked(state: RequestState, cmd: c.RequestApproval) -> str | None:
    return approvals.request_refusal(state.approvals, cmd.kind, cmd.step, cmd.reason)


def approval_is_pending(state: RequestState, cmd: c.GrantApproval) -> str | None:
    return approvals.decision_refusal(state.approvals, cmd.approval_id, cmd.opinion, rejecting=False)


def approval_is_pending_with_opinion(state: RequestState, cmd: c.RejectApproval) -> str | None:
    return approvals.decision_refusal(state.approvals, cmd.approval_id, cmd.opinion, rejecting=True)


T = Transition
TRANSITIONS: list[Transition[Stage]] = [
    T(LIVE_STAGES, c.RequestApproval.name, None, "Art. 33; 记录更正", (approval_can_be_asked,),
      "提请负责人审批（延长答复期限、撤销误录的步骤）", "a request received and not archived"),
    T(LIVE_STAGES, c.GrantApproval.name, None, "Art. 33; 记录更正", (approval_is_pending,),
      "负责人审批同意（随即记录所批准的步骤）", "an approval asked for and still pending"),
    T(LIVE_STAGES, c.RejectApproval.name, None, "Art. 33; 记录更正", (approval_is_pending_with_opinion,),
      "负责人审批不同意（附审批意见）", "an approval asked for and still pending"),
]
