"""The workflow's rules for papers and internal handling: what must be issued before it is served (DESIGN §9), how a
service is recorded (235号), and the department steps (签收/转办/退回/协办). Guards return the rule in words, or None.

A history brought in by `ogi import` is exempt from the paper rules: its papers are not in ogi.
"""

from __future__ import annotations

import datetime as dt

from engine.machine import Transition
from workflows.foi import commands as c
from workflows.foi import departments, documents, online
from workflows.foi.documents import DocumentType, chinese_date
from workflows.foi.state import OPEN_STAGES, RequestState, Stage
from workflows.foi.vocabulary import Outcome

_FEE_METHODS = {"per_request": "按件", "by_volume": "按量"}
LIVE_STAGES = tuple(s for s in Stage if s not in (Stage.NEW, Stage.CLOSED))


def _issued_unless_imported(state: RequestState, doc_type: str, step: str, day: dt.date | None = None) -> str | None:
    """The step rests on a paper issued on or before its own day (`day`; a step entered later names its day)."""
    if state.imported_from is not None:
        return None
    title = documents.DOCUMENT_TITLES[doc_type]
    if day is not None and documents.issued_by(state.documents, doc_type, day) is None:
        later = next((d for d in reversed(state.documents) if d.type == doc_type and d.issued_on), None)
        if later is not None and later.issued_on is not None:
            return (f"{title}{later.number}于{chinese_date(later.issued_on)}印发，晚于{step}之日"
                    f"（{chinese_date(day)}）：须先印发，再{step}；请核对印发日期或本步骤的日期")
    if documents.has_issued(state.documents, doc_type):
        return None
    return f"{title}尚未印发，不能{step}：请先起草，经负责人审核后印发"


def reply_issued_unless_imported(state: RequestState, cmd) -> str | None:
    return _issued_unless_imported(state, DocumentType.REPLY, "记录答复送达", cmd.at.date())


def decided_by_issued_reply(state: RequestState, cmd) -> str | None:
    """On a live request the decision is the issued reply's: drafted, approved by a head (审核), issued under a number;
    issuing it records `decided` (DESIGN §9). An imported history keeps the decision it recorded."""
    reply = documents.latest(state.documents, DocumentType.REPLY)
    if state.imported_from is not None or (reply is not None and reply.state in documents.ISSUED_STATES
                                           and reply.outcome == cmd.outcome):
        return None
    return ("作出答复不单独记录，而是由印发经审核的答复书记录：起草答复书 → 负责人审核 → 印发"
            "（起草时选择答复结果，负责人在审批中审核，印发即记录答复）")


def correction_notice_issued(state: RequestState, cmd) -> str | None:
    """The period asked for is the one the issued notice states (Art. 30): the paper and the step agree."""
    problem = _issued_unless_imported(state, DocumentType.CORRECTION_NOTICE, "告知补正", cmd.at.date())
    notice = documents.issued_by(state.documents, DocumentType.CORRECTION_NOTICE, cmd.at.date())  # not a redraft
    stated = documents.stated_correction_period(notice)
    if problem or notice is None or stated is None or state.imported_from is not None:
        return problem
    if cmd.period_days is not None and cmd.period_days != stated:
        return (f"已印发的补正告知书{notice.number}载明的补正期限为{stated}个工作日，不是{cmd.period_days}个工作日："
                "补正期限以告知书为准；要改期限，须重新起草补正告知书并经审核印发")
    return None


def fee_notice_issued(state: RequestState, cmd) -> str | None:
    """The fee charged is the one the issued notice states: one method, one amount (109号 Art. 3)."""
    problem = _issued_unless_imported(state, DocumentType.FEE_NOTICE, "通知收费", cmd.at.date())
    notice = documents.latest(state.documents, DocumentType.FEE_NOTICE)
    if problem or notice is None or not notice.fee:
        return problem
    if cmd.method != notice.fee["method"]:
        return (f"已印发的收费通知书{notice.number}{_FEE_METHODS.get(notice.fee['method'], '')}计收，"
                f"不能改为{_FEE_METHODS.get(cmd.method, '其他方式')}计收：一件申请只按一种方式计收")
    if round(float(cmd.amount_yuan), 2) != round(float(notice.fee["amount_yuan"]), 2):
        return f"已印发的收费通知书{notice.number}载明的金额为{notice.fee['amount_yuan']}元，不是{cmd.amount_yuan}元"
    return None


def served_on_fits(state: RequestState, cmd) -> str | None:
    if cmd.served_on is None:
        return None
    try:
        day = dt.date.fromisoformat(cmd.served_on)
    except ValueError:
        return "送达日期不是有效日期（年-月-日）"
    if day > cmd.at.date():
        return f"送达日期{chinese_date(day)}晚于记录送达之日（{chinese_date(cmd.at.date())}），答复书不可能在那天送达"
    if state.concluded_on is not None and day < state.concluded_on:
        return f"送达日期{chinese_date(day)}早于作出答复之日（{chinese_date(state.concluded_on)}）"
    return None


# -- documents -----------------------------------------------------------------------------------------------------
def document_can_be_drafted(state: RequestState, cmd) -> str | None:
    return documents.draft_refusal(state.documents, cmd.doc_type, cmd.text, cmd.outcome,
                                   frozenset(o.value for o in Outcome))


def document_is_a_draft(state: RequestState, cmd) -> str | None:
    if not cmd.approved_by:
        return "审核须记明审核的负责人或管理员（审核/保密审查）"
    return documents.approval_refusal(state.documents, cmd.doc_type)


def document_can_be_sent_back(state: RequestState, cmd) -> str | None:
    return documents.send_back_refusal(state.documents, cmd.doc_type, cmd.opinion)


def document_is_approved(state: RequestState, cmd) -> str | None:
    if not cmd.number or not cmd.text_hash:
        return "印发的文书须有文号和正文的校验值"
    return documents.issue_refusal(state.documents, cmd.doc_type)


def document_is_issued(state: RequestState, cmd) -> str | None:
    return documents.service_refusal(state.documents, cmd.doc_type, cmd.method, cmd.tracking_no, cmd.posted_on,
                                     cmd.signed_on, cmd.at.date())


def document_was_served(state: RequestState, cmd) -> str | None:
    return documents.return_refusal(state.documents, cmd.doc_type, cmd.reason)


# -- departments -----------------------------------------------------------------------------------------------------
def department_free(state: RequestState, cmd) -> str | None:
    return departments.assign_refusal(state.department, cmd.department)


def department_transferable(state: RequestState, cmd) -> str | None:
    return departments.transfer_refusal(state.department, cmd.department, cmd.reason)


def department_to_send_back(state: RequestState, cmd) -> str | None:
    return departments.send_back_refusal(state.department, cmd.reason)


def assistance_askable(state: RequestState, cmd) -> str | None:
    reply = state.deadlines.get("reply")
    return departments.assistance_refusal(state.assists, state.department, cmd.department, cmd.due_on, cmd.at.date(),
                                          reply.due if reply else None)


def assistance_open(state: RequestState, cmd) -> str | None:
    return departments.answer_refusal(state.assists, cmd.department)


T = Transition
TRANSITIONS: list[Transition[Stage]] = [
    T(LIVE_STAGES, c.DraftDocument.name, None, "paper", (document_can_be_drafted,), "起草文书（可修改，未印发前可重拟）",
      "a request received and not archived"),
    T(LIVE_STAGES, c.ApproveDocument.name, None, "paper", (document_is_a_draft,), "负责人审核文书（含保密审查）",
      "a drafted document"),
    T(LIVE_STAGES, c.SendBackDraft.name, None, "paper", (document_can_be_sent_back,),
      "负责人审核未通过，退回起草人修改（附审批意见）", "a drafted document"),
    T(LIVE_STAGES, c.IssueDocument.name, None, "paper", (document_is_approved,), "印发文书（编发文号；登记回执无需审核）",
      "an approved document"),
    T(LIVE_STAGES, c.ServeDocument.name, None, "235号", (document_is_issued, online.electronic_service_consented), "送达文书（送达方式、邮寄单号、交邮和签收日期）",
      "an issued document"),
    T(LIVE_STAGES, c.ReturnDocument.name, None, "235号", (document_was_served,),
      "邮件退回（未送达，须重新送达；答复书退回的，申请回到待送达）", "a served document"),
    T(OPEN_STAGES, c.AssignDepartment.name, None, "内部办理", (department_free,), "分办至承办部门（签收）",
      "an open request"),
    T(OPEN_STAGES, c.TransferDepartment.name, None, "内部办理", (department_transferable,), "转办至其他部门（说明理由，答复期限照常计算）",
      "an open request with a department"),
    T(OPEN_STAGES, c.SendBack.name, None, "内部办理", (department_to_send_back,), "退回（非本部门职责，说明理由）",
      "an open request with a department"),
    T(OPEN_STAGES, c.RequestAssistance.name, None, "内部办理", (assistance_askable,), "请其他部门协办（协办期限不晚于答复期限）",
      "an open request"),
    T(OPEN_STAGES, c.AnswerAssistance.name, None, "内部办理", (assistance_open,), "协办部门回复", "an open request for assistance"),
]
