"""The 审批 list and its decisions (DESIGN §9): what waits for a head or administrator of the request's agency — an
extension or a void asked for by staff, a document drafted for 审核 — and the approval or rejection with the
审批意见, recorded as events of the request whose actor is the approver (the same for `ogi approval`, /approvals
and /api/v1/approvals).

The list is derived from the log: the tasks read model says which requests have something waiting (the tasks
decide_approval and approve_document, workflows/foi/tasks.py), and each of them is folded for the details.
An approval's id names its request and its place there: `REQUEST_ID:a2` (the second approval asked for) or
`REQUEST_ID:d3` (the request's third document, a draft); an id of another agency's request is refused (403).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select

from engine.clock import Clock
from engine.errors import NotFound, PermissionDenied, RuleViolation
from workflows.documents.service import DocumentService
from workflows.foi import approvals
from workflows.foi import commands as c
from workflows.foi.documents import DOCUMENT_TITLES, ISSUED_WITHOUT_APPROVAL
from workflows.foi.event_types import EventType
from workflows.foi.tasks import TaskType
from workflows.people import access
from workflows.people.access import Action
from workflows.people.accounts import User
from workflows.requests.service import Loaded, RequestService, may_approve
from workflows.tables import tasks_table

DOCUMENT_KIND = "document"
_WAITING = (TaskType.DECIDE_APPROVAL.value, TaskType.APPROVE_DOCUMENT.value)


@dataclass(frozen=True)
class PendingApproval:
    id: str
    request_id: str
    agency: str
    kind: str  # extend | void_step | document
    label: str
    article: str
    step: dict  # the step's fields (an extension's working_days, a void's version and reason); a document's type
    reason: str  # why staff ask for it (for a document: empty)
    requested_by: str | None
    requested_on: dt.date
    due: dt.date | None  # the reply's due day: an extension must be consented to before it (Art. 33)

    def as_dict(self) -> dict:
        return {"id": self.id, "request_id": self.request_id, "agency": self.agency, "kind": self.kind,
                "label": self.label, "article": self.article, "step": self.step, "reason": self.reason,
                "requested_by": self.requested_by, "requested_on": self.requested_on.isoformat(),
                "due": self.due.isoformat() if self.due else None}


@dataclass(frozen=True)
class ApprovalDecision:
    id: str
    request_id: str
    decision: str  # granted | rejected
    opinion: str
    approver: str

    def as_dict(self) -> dict:
        return {"id": self.id, "request_id": self.request_id, "decision": self.decision, "opinion": self.opinion,
                "approver": self.approver}


_ARTICLES = {c.Extend.name: "Art. 33", c.VoidStep.name: "记录更正", DOCUMENT_KIND: "approval"}


def _require_approving_role(actor: User) -> None:
    access.require_role(actor, Action.DECIDE_APPROVAL)


def pending_of(loaded: Loaded) -> list[PendingApproval]:
    """What waits for an approver on one request, from its stream (the actor of each request is in the log)."""
    state = loaded.state
    due = state.deadlines["reply"].due if "reply" in state.deadlines else None
    asked_by = {e.payload.get("approval_id"): e.actor for e in loaded.events if e.type == EventType.APPROVAL_REQUESTED}
    drafted_by = {e.payload.get("doc_type"): e.actor for e in loaded.events if e.type == EventType.DOCUMENT_DRAFTED}
    out = [PendingApproval(f"{state.request_id}:{a.id}", state.request_id, state.agency, a.kind, a.label,
                           _ARTICLES[a.kind], a.step, a.reason, asked_by.get(a.id), a.requested_on, due)
           for a in approvals.pending(state.approvals)]
    out += [PendingApproval(f"{state.request_id}:d{index + 1}", state.request_id, state.agency, DOCUMENT_KIND,
                            f"审核{DOCUMENT_TITLES.get(d.type, d.type)}", _ARTICLES[DOCUMENT_KIND],
                            {"doc_type": d.type, **({"outcome": d.outcome} if d.outcome else {})}, "",
                            drafted_by.get(d.type), d.drafted_on, due)
            for index, d in enumerate(state.documents) if d.state == "draft" and d.type not in ISSUED_WITHOUT_APPROVAL]
    return out


@dataclass
class ApprovalService:
    engine: Engine
    clock: Clock
    requests: RequestService
    documents: DocumentService

    def listing(self, viewer: User) -> list[PendingApproval]:
        """What waits for `viewer` (a head: his agencies and those below them; an administrator: every agency),
        the reply due soonest first."""
        _require_approving_role(viewer)
        t = tasks_table.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.request_id, t.agency).where(t.type.in_(_WAITING)).distinct()).all()
            mine = {agency for agency in {r.agency for r in rows} if may_approve(conn, viewer, agency)}
            found = [p for request_id in sorted({r.request_id for r in rows if r.agency in mine})
                     for p in pending_of(self.requests.load(conn, request_id))]
        return sorted(found, key=lambda p: (p.due is None, p.due or dt.date.max, p.requested_on, p.id))

    def approve(self, approval_id: str, actor: User, opinion: str = "") -> ApprovalDecision:
        """Grant it: the approval and the step it asked for, in one transaction, with `actor` as the approver."""
        request_id, local, loaded = self._find(approval_id, actor)
        if local.startswith("d"):
            self.documents.approve(request_id, self._draft_type(loaded, local), actor)
        else:
            with self.engine.begin() as conn:
                state = self.requests.act_in(conn, request_id, lambda now: c.GrantApproval(
                    at=now, approval_id=local, opinion=opinion.strip()), actor)
                asked = approvals.find(state.approvals, local)
                assert asked is not None  # just granted
                step = approvals.asked_step(asked.kind, asked.step, self.clock.now(), approved_by="")
                assert isinstance(step, c.Extend | c.VoidStep)
                self.requests.record_approved(conn, request_id, step, actor)
        return ApprovalDecision(approval_id, request_id, approvals.GRANTED, opinion.strip(), actor.username)

    def reject(self, approval_id: str, actor: User, opinion: str) -> ApprovalDecision:
        """Refuse it with the 审批意见: an asked step is not taken; a draft goes back to its drafter for revision."""
        request_id, local, loaded = self._find(approval_id, actor)  # who and which first: a stranger learns nothing more
        if not (opinion or "").strip():
            raise RuleViolation("审批不同意须写明审批意见：应当如何办理", "approval")
        if local.startswith("d"):
            self.documents.send_back(request_id, self._draft_type(loaded, local), actor, opinion.strip())
        else:
            self.requests.act(request_id, lambda now: c.RejectApproval(at=now, approval_id=local,
                                                                        opinion=opinion.strip()), actor)
        return ApprovalDecision(approval_id, request_id, approvals.REJECTED, opinion.strip(), actor.username)

    # -- the id --------------------------------------------------------------------------------------------------
    def _find(self, approval_id: str, actor: User) -> tuple[str, str, Loaded]:
        """(request id, the approval's place in it, the request as folded for the check): the fold serves the caller."""
        _require_approving_role(actor)
        request_id, _, local = approval_id.rpartition(":")
        if not request_id or not (local[:1] in ("a", "d") and local[1:].isdigit()):
            raise NotFound(f"没有审批编号为“{approval_id[:60]}”的审批事项")
        with self.engine.connect() as conn:
            loaded = self.requests.load(conn, request_id)
            if not may_approve(conn, actor, loaded.state.agency):
                raise PermissionDenied(f"“{actor.display_name}”无权审批其他机关的事项：由申请所属机关（或其上级机关）"
                                       "的负责人或管理员审批")
        if approval_id not in {p.id for p in pending_of(loaded)}:
            raise NotFound(f"审批事项“{approval_id[:60]}”不在待审批之列：已经审批，或者从未提请")
        return request_id, local, loaded

    @staticmethod
    def _draft_type(loaded: Loaded, local: str) -> str:
        return loaded.state.documents[int(local[1:]) - 1].type

