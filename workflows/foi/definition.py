"""The 依申请公开 workflow as data: every transition with the article it implements and its guards.

Each guard returns the reason for refusing, in Chinese, naming the field a clerk sees (wording.py), or None; the
row's article is its citation (（依据：《条例》第三十条）), so a reason does not repeat it.
docs/workflow.md is generated from this file (`python -m workflows.workflow_docs`).
"""

from __future__ import annotations

import math
from functools import cache

from engine.machine import MachineDefinition, Transition
from workflows.foi import approval_rows, approvals, online, paper_trail
from workflows.foi import commands as c
from workflows.foi.state import (
    ANSWERED_STAGES,
    OPEN_STAGES,
    REPLY_RUNNING_STAGES,
    STAGE_LABELS,
    RequestState,
    Stage,
)
from workflows.foi.vocabulary import (
    CONFIRMABLE_CHANNELS,
    ApplicantKind,
    CaseResult,
    Channel,
    ConsultedParty,
    DeliveryMethod,
    FeeMethod,
    NoticeKind,
    Opinion,
    Outcome,
    Procedure,
    ProvisionForm,
    RecordCorrectionResult,
)
from workflows.foi.wording import STEP_NAMES, STEP_NEEDS, label_of, not_one_of

MAX_EXTENSION_DAYS = 20  # Art. 33 ¶2
MAX_APPLICANT_PERIOD_DAYS = 120  # a "reasonable" period set by the agency (Art. 30, 35): about half a year at most
MAX_FEE_YUAN = 10_000_000  # far above any 109号 band; a larger figure is a typing error


@cache
def _values(enum_class) -> frozenset[str]:
    return frozenset(member.value for member in enum_class)


def _one_of(value: str, allowed) -> str | None:
    if value in _values(allowed):  # runs on every step of every replay
        return None
    return not_one_of(value, allowed)


def _day(moment) -> str:
    return moment.date().isoformat() if hasattr(moment, "date") else str(moment)


# -- guards --------------------------------------------------------------------------------------
def known_channel_and_kind(state: RequestState, cmd: c.Receive) -> str | None:
    return (
        _one_of(cmd.channel, Channel)
        or _one_of(cmd.applicant.get("kind", ""), ApplicantKind)
        or (None if cmd.request_id else "须填写申请编号（request_id）")
        or (_one_of(cmd.form_requested, ProvisionForm) if cmd.form_requested else None)
        or ("须写明代为书面填写申请的人（assisted_by，《条例》第二十九条、第四十三条）"
            if cmd.assisted_by is not None and not cmd.assisted_by.strip() else None)
        or (_one_of(cmd.procedure, Procedure) if cmd.procedure else None)
    )


def _confirmable(channel: str | None) -> str | None:
    if channel in CONFIRMABLE_CHANNELS:
        return None
    return (f"以“{label_of(channel, Channel)}”方式提交的申请，以提交或签收之日为收到申请之日，不经确认；"
            "只有平常信函、互联网渠道、传真和电子邮件的申请才记录双方确认之日")


def confirmation_fits_channel(state: RequestState, cmd: c.Receive) -> str | None:
    if cmd.confirmed_at is None:
        return None
    if cmd.confirmed_at < cmd.at:
        return (f"确认收到之日（{_day(cmd.confirmed_at)}）不能早于申请到达之日（{_day(cmd.at)}），"
                "请核对确认日期（confirmed_at）")
    return _confirmable(cmd.channel)


def channel_takes_confirmation(state: RequestState, cmd: c.ConfirmReceipt) -> str | None:
    return _confirmable(state.channel)


def not_confirmed_yet(state: RequestState, cmd) -> str | None:
    if state.confirmed_on is not None:
        return f"收到申请已于 {state.confirmed_on} 确认，不能再次确认"
    if state.correction_notice_on or state.suspensions or state.extension_days:
        return "确认收到申请须在补正、中止、延期等其他步骤之前"
    return None


def awaiting_confirmation(state: RequestState) -> bool:
    """The agency may still confirm the receipt (Art. 31(3)): the `confirm_receipt` row's own conditions, as the
    confirmation task, the applicant's page and a platform's read-back all ask them."""
    return (state.stage == S.PROCESSING and state.channel in CONFIRMABLE_CHANNELS
            and not_confirmed_yet(state, None) is None)


def correction_noticed_once(state: RequestState, cmd) -> str | None:
    if state.correction_notice_on is not None:
        return f"已于 {state.correction_notice_on} 告知补正；补正须一次性告知需要补正的事项，不能再次告知"
    if cmd.period_days is None:
        return "补正告知须写明合理的补正期限（period_days）"
    if not 1 <= cmd.period_days <= MAX_APPLICANT_PERIOD_DAYS:
        return f"补正期限（period_days）应为 1 至 {MAX_APPLICANT_PERIOD_DAYS} 个工作日的合理期限，不能是 {cmd.period_days}"
    return None


def no_open_consultation(state: RequestState, cmd) -> str | None:
    if state.open_consultation:
        return f"向{label_of(state.open_consultation[0], ConsultedParty)}征求意见尚未结束，须先结束该次征求意见"
    return _one_of(cmd.party, ConsultedParty)


def consultation_is_open_with_party(state: RequestState, cmd) -> str | None:
    problem = _one_of(cmd.opinion, Opinion)
    if cmd.party is not None:
        problem = problem or _one_of(cmd.party, ConsultedParty)
    if problem:
        return problem
    if cmd.party is not None and state.consulted_party != cmd.party:
        return (f"没有向{label_of(cmd.party, ConsultedParty)}征求意见（正在征求的是"
                f"{label_of(state.consulted_party, ConsultedParty)}的意见），请核对征求对象（party）")
    return None


def fee_noticed_once(state: RequestState, cmd) -> str | None:
    if state.fee_notified_on is not None:
        return f"已于 {state.fee_notified_on} 发出收费通知；同一申请只能按一种方式收费一次"
    if not (isinstance(cmd.amount_yuan, int | float) and math.isfinite(cmd.amount_yuan)
            and 0 < cmd.amount_yuan <= MAX_FEE_YUAN):
        return f"收费金额（amount_yuan）应大于 0 元、不超过 {MAX_FEE_YUAN} 元，不能是 {cmd.amount_yuan}"
    return _one_of(cmd.method, FeeMethod)


def extended_once_within_limit(state: RequestState, cmd) -> str | None:
    if state.extension_days:
        return f"答复期限已延长 {state.extension_days} 个工作日；答复期限只能延长一次"
    if not 1 <= cmd.working_days <= MAX_EXTENSION_DAYS:
        return f"延长的期限（working_days）应为 1 至 {MAX_EXTENSION_DAYS} 个工作日，不能是 {cmd.working_days}"
    if not cmd.approved_by.strip():
        return "延长答复期限须经政府信息公开工作机构负责人同意：请提请负责人审批"
    return approvals.asked_already(state.approvals, c.Extend.name, {})


def outcome_allowed_now(state: RequestState, cmd) -> str | None:
    if state.procedure == Procedure.RECORD_CORRECTION:
        return "更正政府信息记录的申请，以“答复更正申请”作答，不作政府信息公开的答复（《条例》第四十一条）"
    problem = _one_of(cmd.outcome, Outcome) or _form_given_with_reason(state, cmd)
    if problem:
        return problem
    outcome = Outcome(cmd.outcome)
    if outcome == Outcome.REJECTED_MASS_REPEAT and state.reasons_reasonable:
        return (f"“{label_of(outcome, Outcome)}”只用于理由不合理的情形；申请人的理由已于 {state.reasons_received_on} "
                "被认定为合理（《条例》第三十五条）")
    if state.stage == Stage.AWAITING_CORRECTION:
        return _only_after_lapse(state, outcome, Outcome.OTHER_NO_CORRECTION, "correction", "Art. 30")
    if state.stage == Stage.AWAITING_PAYMENT:
        return _only_after_lapse(state, outcome, Outcome.OTHER_UNPAID_FEE, "payment", "109号")
    if outcome == Outcome.OTHER_NO_CORRECTION:
        return f"“{label_of(outcome, Outcome)}”只能在等待补正且补正期限届满后作出（《条例》第三十条）"
    if outcome == Outcome.OTHER_UNPAID_FEE:
        return f"“{label_of(outcome, Outcome)}”只能在等待缴费且缴费期限届满后作出（国办函〔2020〕109号）"
    if outcome == Outcome.UNABLE_UNCLEAR and state.corrected_on is None:
        return f"“{label_of(outcome, Outcome)}”用于补正后申请内容仍不明确的情形，而申请人尚未补正（《条例》第三十条）"
    return None


def _form_given_with_reason(state: RequestState, cmd) -> str | None:
    if not cmd.form_provided:
        return None
    problem = _one_of(cmd.form_provided, ProvisionForm)
    if problem:
        return problem
    if state.form_requested and cmd.form_provided != state.form_requested and not (cmd.form_reason or "").strip():
        return (f"申请人要求以“{label_of(state.form_requested, ProvisionForm)}”形式提供，改以"
                f"“{label_of(cmd.form_provided, ProvisionForm)}”形式提供须说明理由（form_reason：危及载体安全或"
                "公开成本过高等，《条例》第四十条）")
    return None


def record_correction_answer(state: RequestState, cmd) -> str | None:
    if state.procedure != Procedure.RECORD_CORRECTION:
        return "只有申请更正与申请人自身相关的政府信息记录的申请，才以“答复更正申请”作答"
    problem = _one_of(cmd.result, RecordCorrectionResult)
    if problem:
        return problem
    if cmd.result == RecordCorrectionResult.NOT_CORRECTED and not (cmd.reasons or "").strip():
        return "不予更正须说明理由（reasons）"
    if cmd.result in (RecordCorrectionResult.REFERRED, RecordCorrectionResult.DIRECTED) and not (cmd.competent_agency or "").strip():
        return "转送或告知有权更正的机关，须写明有权更正的机关（competent_agency）"
    return None


def void_has_reason_and_approver(state: RequestState, cmd) -> str | None:
    if not cmd.reason.strip():
        return "撤销误录的步骤须说明理由（reason：哪里录错了）"
    if not cmd.approved_by.strip():
        return "撤销误录的步骤须经负责人或管理员批准：请提请负责人审批"
    return approvals.asked_already(state.approvals, c.VoidStep.name, {"version": cmd.version})


def notice_received_once(state: RequestState, cmd) -> str | None:
    expected = {Stage.AWAITING_CORRECTION: "correction", Stage.AWAITING_PAYMENT: "fee"}[state.stage]
    problem = _one_of(cmd.notice, NoticeKind)
    if problem:
        return problem
    given, open_one = label_of(cmd.notice, NoticeKind), label_of(expected, NoticeKind)
    if cmd.notice != expected:
        return f"没有等待申请人的{given}；正在等待的是{open_one}，请核对通知书（notice）"
    sent, received = ((state.correction_notice_on, state.correction_notice_received_on) if expected == "correction"
                      else (state.fee_notified_on, state.fee_notice_received_on))
    if received is not None:
        return f"申请人收到{open_one}已于 {received} 记录，不能再次记录"
    if sent is not None and cmd.at.date() < sent:
        return f"申请人收到{open_one}之日（{cmd.at.date()}）不能早于发出之日（{sent}）"
    return None


def reasons_asked_once(state: RequestState, cmd) -> str | None:
    if state.reasons_requested_on is not None:
        return f"已于 {state.reasons_requested_on} 要求申请人说明理由，不能再次要求"
    return None


def reasons_were_asked(state: RequestState, cmd) -> str | None:
    if state.reasons_requested_on is None:
        return "尚未要求申请人说明理由：须先“要求说明理由”"
    if state.reasons_received_on is not None:
        return f"申请人的理由已于 {state.reasons_received_on} 记录，不能再次记录"
    if cmd.reply_days is not None and (not cmd.reasonable or not 1 <= cmd.reply_days <= MAX_APPLICANT_PERIOD_DAYS):
        return (f"合理的答复期限（reply_days，1 至 {MAX_APPLICANT_PERIOD_DAYS} 个工作日）只在理由合理时确定，"
                "理由不合理的不设答复期限")
    return None


def _only_after_lapse(state: RequestState, outcome: Outcome, only: Outcome, period: str, rule: str) -> str | None:
    """While waiting on the applicant the one decision is `only`, and only once their period has lapsed."""
    waiting = _WAITING[period]
    if outcome != only:
        also = "或由申请人撤回申请" if period == "correction" else ""
        return f"{waiting}时只能在{waiting[2:]}期限届满后作出“{label_of(only, Outcome)}”的答复{also}"
    if not state.has_lapsed(period):
        due = state.deadlines.get(period)
        return (f"“{label_of(outcome, Outcome)}”须在{waiting[2:]}期限届满后作出（期限至 {due.due if due else '未定'}，"
                f"{_CITED[rule]}）")
    return None


_WAITING = {"correction": "等待补正", "payment": "等待缴费"}
_CITED = {"Art. 30": "《条例》第三十条", "109号": "国办函〔2020〕109号"}  # a rule other than the decision's own


def known_delivery_method(state: RequestState, cmd) -> str | None:
    return _one_of(cmd.method, DeliveryMethod)


def new_review_case(state: RequestState, cmd) -> str | None:
    if not cmd.case:
        return "须填写行政复议的案号（case）"
    if cmd.case in state.reviews:
        return f"行政复议案号“{cmd.case}”已经登记，不能重复登记"
    return None


def open_review_case(state: RequestState, cmd) -> str | None:
    return _open_case(state.reviews, "行政复议", cmd)


def new_litigation_case(state: RequestState, cmd) -> str | None:
    if not cmd.case:
        return "须填写行政诉讼的案号（case）"
    if cmd.case in state.litigations:
        return f"行政诉讼案号“{cmd.case}”已经登记，不能重复登记"
    if cmd.after_review and not any(r.closed_on for r in state.reviews.values()):
        return "经复议后起诉（after_review），须本申请有已审结的行政复议"
    return None


def open_litigation_case(state: RequestState, cmd) -> str | None:
    return _open_case(state.litigations, "行政诉讼", cmd)


def _open_case(cases, what, cmd) -> str | None:
    case = cases.get(cmd.case)
    if case is None:
        return f"没有登记案号为“{cmd.case}”的{what}，请核对案号（case）"
    if case.closed_on is not None:
        return f"案号为“{cmd.case}”的{what}已于 {case.closed_on} 审结"
    if cmd.at.date() < case.filed_on:
        return f"案号为“{cmd.case}”的{what}不能在登记之日（{case.filed_on}）之前审结"
    return _one_of(cmd.result, CaseResult)


def no_pending_cases(state: RequestState, cmd) -> str | None:
    pending = state.pending_cases()
    return f"尚有未审结的行政复议或行政诉讼（{'、'.join(pending)}），审结后才能归档" if pending else None


# -- the table -----------------------------------------------------------------------------------
S = Stage
T = Transition

TRANSITIONS: list[Transition[Stage]] = [
    T((S.NEW,), c.Receive.name, S.PROCESSING, "Art. 31", (known_channel_and_kind, confirmation_fits_channel), "收到申请"),
    T((S.PROCESSING,), c.ConfirmReceipt.name, None, "Art. 31", (channel_takes_confirmation, not_confirmed_yet), "确认收到申请",
      "a request received and still being processed, not yet corrected, suspended or extended"),
    T((S.PROCESSING,), c.RequestCorrection.name, S.AWAITING_CORRECTION, "Art. 30", (correction_noticed_once, paper_trail.correction_notice_issued),
      "一次性告知补正",
      "a request being processed, with no other step open (the notice comes first, within 7 working days)"),
    T((S.AWAITING_CORRECTION,), c.SubmitCorrection.name, S.PROCESSING, "Art. 30", (), "收到补正申请，答复期限重新计算",
      "a correction notice awaiting the applicant (request_correction first)"),
    T((S.PROCESSING,), c.StartConsultation.name, S.CONSULTING, "Art. 32, 34", (no_open_consultation,), "征求第三方或其他机关意见（期限中止）",
      "a request being processed with nothing else open"),
    T((S.CONSULTING,), c.EndConsultation.name, S.PROCESSING, "Art. 32, 34", (consultation_is_open_with_party,), "征求意见结束（期限恢复）",
      "an open consultation (start_consultation first)"),
    T((S.PROCESSING,), c.NotifyFee.name, S.AWAITING_PAYMENT, "109号 Art. 3–5", (fee_noticed_once, paper_trail.fee_notice_issued),
      "发出收费通知（期限中止）",
      "a request being processed with nothing else open"),
    T((S.AWAITING_PAYMENT,), c.PayFee.name, S.PROCESSING, "109号", (), "申请人缴费（期限恢复）",
      "a fee notice awaiting payment (notify_fee first)"),
    T(REPLY_RUNNING_STAGES, c.Extend.name, None, "Art. 33", (extended_once_within_limit,), "经负责人同意延长答复期限",
      "a running reply period (not while awaiting a correction, not after the decision)"),
    T((S.PROCESSING, S.AWAITING_CORRECTION, S.AWAITING_PAYMENT), c.Decide.name, S.DECIDED, "Art. 36–39",
      (outcome_allowed_now, paper_trail.decided_by_issued_reply), "作出答复",
      "an open request with no consultation running (one request, one decision), its reply issued"),
    T((S.DECIDED,), c.Deliver.name, S.SERVED, "235号", (known_delivery_method, online.electronic_service_consented,
                                                       paper_trail.reply_issued_unless_imported,
                                                       paper_trail.served_on_fits), "送达",
      "a decision not yet served (decide first)"),
    T(OPEN_STAGES, c.Withdraw.name, S.WITHDRAWN, "withdrawal", (), "申请人撤回申请（计入其他处理）",
      "an open request"),
    T(ANSWERED_STAGES, c.FileReview.name, None, "行政复议法 Art. 20", (new_review_case,), "申请行政复议",
      "a decision or withdrawal to review, before the file is closed"),
    T(ANSWERED_STAGES, c.CloseReview.name, None, "行政复议法", (open_review_case,), "行政复议审结",
      "a review filed on a decided request"),
    T(ANSWERED_STAGES, c.FileLitigation.name, None, "行政诉讼法 Art. 45, 46", (new_litigation_case,), "提起行政诉讼",
      "a decision or withdrawal to sue over, before the file is closed"),
    T(ANSWERED_STAGES, c.CloseLitigation.name, None, "行政诉讼法", (open_litigation_case,), "行政诉讼审结",
      "a suit filed on a decided request"),
    T((S.SERVED, S.WITHDRAWN), c.Close.name, S.CLOSED, "归档", (no_pending_cases,), "办结归档",
      "a served or withdrawn request"),
    T((S.AWAITING_CORRECTION, S.AWAITING_PAYMENT), c.RecordNoticeReceipt.name, None, "Art. 30; 109号",
      (notice_received_once,), "申请人收到补正或收费通知（其期限自收到之日起算）",
      "a correction or fee notice awaiting the applicant"),
    T((S.PROCESSING,), c.DecideRecordCorrection.name, S.DECIDED, "Art. 41", (record_correction_answer,),
      "答复更正申请（予以更正、不予更正、转送或告知有权机关）", "a request to correct records being processed"),
    T(tuple(s for s in Stage if s not in (S.NEW, S.CLOSED)), c.VoidStep.name, None, "记录更正（不修改、不删除）",
      (void_has_reason_and_approver,), "撤销误录的步骤（说明理由，负责人批准），按撤销后的记录重新计算",
      "a request not yet archived"),
    T((S.PROCESSING,), c.AskReasons.name, None, "Art. 35", (reasons_asked_once,), "要求申请人说明理由（申请数量、频次明显超过合理范围）",
      "a request being processed"),
    T((S.PROCESSING,), c.ReceiveReasons.name, None, "Art. 35", (reasons_were_asked,), "收到理由；理由合理而无法按期答复的，确定合理的延迟答复期限",
      "reasons asked for (ask_reasons first)"),
    # timers: a lapse never concludes a request (DESIGN §3); it records the fact and enables the decision
    T(OPEN_STAGES, c.LapsePeriod.name, None, "timer", (), "期限届满（计时器）"),
    T(OPEN_STAGES, c.RecomputeDeadlines.name, None, "timer", (), "日历数据更新，重新计算期限"),
]

TRANSITIONS += paper_trail.TRANSITIONS
TRANSITIONS += approval_rows.TRANSITIONS
TRANSITIONS += online.TRANSITIONS

WORKFLOW: MachineDefinition[Stage] = MachineDefinition(
    name="依申请公开",
    states=Stage,
    initial=Stage.NEW,
    finals=frozenset({Stage.CLOSED}),
    transitions=TRANSITIONS,
    state_labels=STAGE_LABELS,
    system_commands=c.SYSTEM_COMMANDS,
    command_labels=STEP_NAMES,
    requirements=STEP_NEEDS,
)
