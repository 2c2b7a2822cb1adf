"""What a clerk does next on a request: the next legal steps in the procedure's order, each with the paper it needs
and how far that paper has come, and the rest of the allowed steps as 其他操作. Pure (the folded state only).

The workflow definition says which steps are *allowed* from a stage; this says which of them are *the next ones*
and drops those the state already rules out (a second correction notice, a second extension, Art. 41 on a
disclosure request, reasons never asked for), so a page offers no step only to refuse it.

On a live request a step that a paper carries is taken through the paper (DESIGN §9): issuing the approved reply
records the decision; serving the correction notice, the fee notice or the reply records 一次性告知补正, 发出收费通知
or 送达. Such a step is shown with its paper and no form of its own; an imported history (its papers are not in
ogi) takes it as a form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from workflows.foi import commands as c
from workflows.foi.approvals import pending
from workflows.foi.documents import DOCUMENT_TITLES, DocumentType, latest
from workflows.foi.state import RequestState, Stage
from workflows.foi.vocabulary import CONFIRMABLE_CHANNELS, Procedure

# a paper's progress, in words: what it is waiting for
PAPER_PROGRESS = {None: "尚未起草", "draft": "已起草，待负责人审核", "sent_back": "退回修改中", "approved": "已审核，待印发",
                  "issued": "已印发，待送达", "returned": "邮件退回，待重新送达", "served": "已送达"}
# the steps a paper carries on a live request (DESIGN §9), and the paper
CARRIED_BY: dict[str, str] = {c.RequestCorrection.name: DocumentType.CORRECTION_NOTICE,
                              c.NotifyFee.name: DocumentType.FEE_NOTICE, c.Decide.name: DocumentType.REPLY,
                              c.Deliver.name: DocumentType.REPLY}


@dataclass(frozen=True)
class Paper:
    doc_type: str
    title: str
    state: str | None  # the latest document of its type: None when none was drafted

    @property
    def issued(self) -> bool:
        return self.state in ("issued", "served", "returned")

    @property
    def progress(self) -> str:
        return PAPER_PROGRESS.get(self.state, "办理中")


@dataclass(frozen=True)
class GuidedStep:
    """A step the page offers: `command` a step form to fill in here, or None when the paper carries it."""

    key: str  # the command, or the paper's step (its command name) when the paper carries it
    command: str | None
    label: str
    article: str  # a rule code (cite() gives its words)
    when: str  # when it applies, in a few words
    paper: Paper | None = None
    primary: bool = True


@dataclass(frozen=True)
class Guidance:
    next: tuple[GuidedStep, ...]  # the next legal steps, in the procedure's order
    other: tuple[GuidedStep, ...]  # 其他操作: allowed, rarer, in the definition's order


def _paper(state: RequestState, doc_type: str) -> Paper:
    document = latest(state.documents, doc_type)
    return Paper(doc_type, DOCUMENT_TITLES[doc_type], document.state if document else None)


def _record_correction(state: RequestState) -> bool:
    return state.procedure == Procedure.RECORD_CORRECTION


def _notice_receipt_recorded(state: RequestState) -> bool:
    received = (state.correction_notice_received_on if state.stage == Stage.AWAITING_CORRECTION
                else state.fee_notice_received_on)
    return received is not None


# what, in the state, refuses a step whatever its fields (the guards of workflows/foi/definition.py say it in words)
_RULED_OUT: dict[str, Callable[[RequestState], bool]] = {
    c.ConfirmReceipt.name: lambda s: (s.channel not in CONFIRMABLE_CHANNELS or s.confirmed_on is not None
                                      or bool(s.correction_notice_on or s.suspensions or s.extension_days)),
    c.RequestCorrection.name: lambda s: s.correction_notice_on is not None,  # Art. 30: one notice
    c.NotifyFee.name: lambda s: s.fee_notified_on is not None or _record_correction(s),  # 109号 Art. 3: once
    c.Extend.name: lambda s: bool(s.extension_days) or any(a.kind == c.Extend.name for a in pending(s.approvals)),
    c.Decide.name: _record_correction,
    c.DecideRecordCorrection.name: lambda s: not _record_correction(s),  # Art. 41: records about the applicant only
    c.AskReasons.name: lambda s: s.reasons_requested_on is not None,
    c.ReceiveReasons.name: lambda s: s.reasons_requested_on is None or s.reasons_received_on is not None,
    c.RecordNoticeReceipt.name: _notice_receipt_recorded,
    c.Close.name: lambda s: bool(s.pending_cases()),
    c.CloseReview.name: lambda s: all(case.closed_on is not None for case in s.reviews.values()),
    c.CloseLitigation.name: lambda s: all(case.closed_on is not None for case in s.litigations.values()),
    c.AssignDepartment.name: lambda s: s.department is not None,
    c.TransferDepartment.name: lambda s: s.department is None,
    c.SendBack.name: lambda s: s.department is None,
    c.AnswerAssistance.name: lambda s: all(a.answered_on is not None for a in s.assists),
}


def ruled_out(state: RequestState, command: str) -> bool:
    """Whether the state already refuses `command` whatever its fields (so no page offers it)."""
    rule = _RULED_OUT.get(command)
    return rule is not None and rule(state)


# (command, label, article, when) of the next legal steps of each stage, in the procedure's order
_CONFIRM = (c.ConfirmReceipt.name, "确认收到申请", "Art. 31", "平常信函、互联网、传真、电子邮件提交的，以双方确认之日为收到申请之日")
_CORRECT = (c.RequestCorrection.name, "一次性告知补正", "Art. 30", "申请内容不明确的，自收到申请之日起7个工作日内一次性告知")
_CONSULT = (c.StartConsultation.name, "征求第三方或其他机关意见", "Art. 32, 34",
            "公开可能损害第三方合法权益，或信息由其他机关共同制作的；征求意见期间答复期限中止")
_EXTEND = (c.Extend.name, "延长答复期限", "Art. 33", "不能在20个工作日内答复的，经负责人同意，最长延长20个工作日")
_REPLY = (c.Decide.name, "作出答复", "Art. 36–39", "起草答复书，经负责人审核、印发后即作出答复")
_RECORD_ANSWER = (c.DecideRecordCorrection.name, "答复更正申请", "Art. 41",
                  "审核属实的予以更正；不属于本机关职能的转送或告知有权更正的机关")
NEXT_STEPS: dict[Stage, tuple[tuple[str, str, str, str], ...]] = {
    Stage.PROCESSING: (_CONFIRM, _CORRECT, _CONSULT, _EXTEND, _REPLY, _RECORD_ANSWER),
    Stage.AWAITING_CORRECTION: (
        (c.RecordNoticeReceipt.name, "记录申请人收到补正告知书之日", "Art. 30", "补正期限自申请人收到之日起算"),
        (c.SubmitCorrection.name, "收到补正后的申请", "Art. 30", "答复期限自收到补正的申请之日起重新计算"),
        (c.Decide.name, "不再处理（逾期未补正）", "Art. 30", "补正期限届满、申请人无正当理由未补正的，起草答复书告知不再处理")),
    Stage.CONSULTING: (
        (c.EndConsultation.name, "征求意见结束", "Art. 32, 34", "收到意见或15个工作日届满；答复期限恢复计算"),),
    Stage.AWAITING_PAYMENT: (
        (c.RecordNoticeReceipt.name, "记录申请人收到收费通知书之日", "109号", "缴费期限自收到通知次日起20个工作日"),
        (c.PayFee.name, "申请人缴费", "109号", "缴费后答复期限恢复计算"),
        (c.Decide.name, "不再处理（逾期未缴费）", "109号", "缴费期限届满未缴纳的，起草答复书告知不再处理")),
    Stage.DECIDED: ((c.Deliver.name, "送达答复书", "235号", "直接送达以签收之日、邮寄以交邮之日为送达日"),),
    Stage.SERVED: (
        (c.CloseReview.name, "行政复议审结", "行政复议法", "复议机关作出决定后记录结果"),
        (c.CloseLitigation.name, "行政诉讼审结", "行政诉讼法", "法院裁判后记录结果"),
        (c.Close.name, "办结归档", "归档", "已送达、无未审结的复议或诉讼")),
}
NEXT_STEPS[Stage.WITHDRAWN] = NEXT_STEPS[Stage.SERVED]


def _lapse_decision_due(state: RequestState) -> bool:
    period = {Stage.AWAITING_CORRECTION: "correction", Stage.AWAITING_PAYMENT: "payment"}.get(state.stage)
    return period is not None and state.has_lapsed(period)


def guide(state: RequestState, allowed: Iterable[str], labels: dict[str, tuple[str, str]] | None = None) -> Guidance:
    """The next legal steps and 其他操作 of `state`, among the step forms `allowed` (the workflow's, in the
    definition's order); `labels` gives each allowed command's (label, article) for 其他操作."""
    allowed = list(allowed)
    live = state.imported_from is None
    labels = labels or {}
    taken: set[str] = set()
    primary: list[GuidedStep] = []
    if live and state.stage == Stage.PROCESSING and latest(state.documents, DocumentType.RECEIPT) is None:
        primary.append(GuidedStep("receipt", None, "出具登记回执", "", "收到申请后出具登记回执，告知申请人查询码",
                                  _paper(state, DocumentType.RECEIPT)))
    for command, words, article, when in NEXT_STEPS.get(state.stage, ()):
        if command == c.Decide.name and state.stage != Stage.PROCESSING and not _lapse_decision_due(state):
            continue  # while the applicant has time, nothing is decided (DESIGN §3)
        if ruled_out(state, command):
            taken.add(command)
            continue
        paper_type = CARRIED_BY.get(command) if live else None
        if paper_type is not None:
            primary.append(GuidedStep(command, None, words, article, when, _paper(state, paper_type)))
        elif command in allowed:
            primary.append(GuidedStep(command, command, words, article, when))
        taken.add(command)
    other = [GuidedStep(command, command, *labels.get(command, (command, "")), when="", primary=False)
             for command in allowed if command not in taken and not ruled_out(state, command)
             and not (live and command in CARRIED_BY)]
    if live and state.stage == Stage.PROCESSING and not ruled_out(state, c.NotifyFee.name):
        other.insert(0, GuidedStep(c.NotifyFee.name, None, "收取信息处理费", "109号 Art. 3–5",
                                   "申请数量、频次明显超过合理范围的，可收取信息处理费；收费期间答复期限中止",
                                   _paper(state, DocumentType.FEE_NOTICE), primary=False))
    return Guidance(tuple(primary), tuple(other))
