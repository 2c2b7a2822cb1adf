"""The 依申请公开 workflow as data: every transition with the article it implements and its guards.

Each guard returns the reason for refusing, in words that name the rule, or None.
docs/workflow.md is generated from this file (`python -m workflows.workflow_docs`).
"""

from __future__ import annotations

import math
from functools import cache

from engine.machine import MachineDefinition, Transition
from workflows.foi import approval_rows, approvals, paper_trail
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

MAX_EXTENSION_DAYS = 20  # Art. 33 ¶2
MAX_APPLICANT_PERIOD_DAYS = 120  # a "reasonable" period set by the agency (Art. 30, 35): about half a year at most
MAX_FEE_YUAN = 10_000_000  # far above any 109号 band; a larger figure is a typing error


@cache
def _values(enum_class) -> frozenset[str]:
    return frozenset(member.value for member in enum_class)


def _one_of(value: str, allowed, what: str) -> str | None:
    if value in _values(allowed):  # runs on every step of every replay
        return None
    return f"unknown {what} '{value}'; expected one of: {', '.join(v.value for v in allowed)}"


# -- guards --------------------------------------------------------------------------------------
def known_channel_and_kind(state: RequestState, cmd: c.Receive) -> str | None:
    return (
        _one_of(cmd.channel, Channel, "channel")
        or _one_of(cmd.applicant.get("kind", ""), ApplicantKind, "applicant kind")
        or (None if cmd.request_id else "a request needs an id")
        or (_one_of(cmd.form_requested, ProvisionForm, "form (Art. 40)") if cmd.form_requested else None)
        or ("the person who assisted the applicant must be named (Art. 43)"
            if cmd.assisted_by is not None and not cmd.assisted_by.strip() else None)
        or (_one_of(cmd.procedure, Procedure, "procedure") if cmd.procedure else None)
    )


def _confirmable(channel: str | None) -> str | None:
    if channel in CONFIRMABLE_CHANNELS:
        return None
    return f"channel '{channel}' takes its receipt date from handing in or signing, not from a confirmation (Art. 31)"


def confirmation_fits_channel(state: RequestState, cmd: c.Receive) -> str | None:
    if cmd.confirmed_at is None:
        return None
    if cmd.confirmed_at < cmd.at:
        return f"confirmation ({cmd.confirmed_at.isoformat()}) cannot be before the application arrived ({cmd.at.isoformat()})"
    return _confirmable(cmd.channel)


def channel_takes_confirmation(state: RequestState, cmd: c.ConfirmReceipt) -> str | None:
    return _confirmable(state.channel)


def not_confirmed_yet(state: RequestState, cmd) -> str | None:
    if state.confirmed_on is not None:
        return f"receipt was already confirmed on {state.confirmed_on}"
    if state.correction_notice_on or state.suspensions or state.extension_days:
        return "receipt must be confirmed before any other step"
    return None


def correction_noticed_once(state: RequestState, cmd) -> str | None:
    if state.correction_notice_on is not None:
        return f"a correction was already requested on {state.correction_notice_on}; Art. 30 requires one notice covering everything (一次性告知)"
    if cmd.period_days is None:
        return "a correction notice needs the applicant's period (period_days, Art. 30: 合理的补正期限)"
    if not 1 <= cmd.period_days <= MAX_APPLICANT_PERIOD_DAYS:
        return (f"the correction period is 1 to {MAX_APPLICANT_PERIOD_DAYS} working days (a reasonable period, Art. 30), "
                f"not {cmd.period_days}")
    return None


def no_open_consultation(state: RequestState, cmd) -> str | None:
    if state.open_consultation:
        return f"a consultation with '{state.open_consultation[0]}' is still open; end it first"
    return _one_of(cmd.party, ConsultedParty, "consulted party")


def consultation_is_open_with_party(state: RequestState, cmd) -> str | None:
    problem = _one_of(cmd.opinion, Opinion, "opinion")
    if cmd.party is not None:
        problem = problem or _one_of(cmd.party, ConsultedParty, "consulted party")
    if problem:
        return problem
    if cmd.party is not None and state.consulted_party != cmd.party:
        return f"no consultation with '{cmd.party}' is open (the open one is with '{state.consulted_party}')"
    return None


def fee_noticed_once(state: RequestState, cmd) -> str | None:
    if state.fee_notified_on is not None:
        return f"a fee was already noticed on {state.fee_notified_on}; one request is charged once by one method (109号 Art. 3)"
    if not (isinstance(cmd.amount_yuan, int | float) and math.isfinite(cmd.amount_yuan)
            and 0 < cmd.amount_yuan <= MAX_FEE_YUAN):
        return f"a fee notice needs an amount above 0 and at most {MAX_FEE_YUAN} yuan, not {cmd.amount_yuan}"
    return _one_of(cmd.method, FeeMethod, "fee method")


def extended_once_within_limit(state: RequestState, cmd) -> str | None:
    if state.extension_days:
        return f"the reply period was already extended by {state.extension_days} working days; Art. 33 allows one extension"
    if not 1 <= cmd.working_days <= MAX_EXTENSION_DAYS:
        return f"an extension is 1 to {MAX_EXTENSION_DAYS} working days (Art. 33), not {cmd.working_days}"
    if not cmd.approved_by.strip():
        return "an extension needs the consent of the person in charge (负责人同意, Art. 33): ask for it in 审批"
    return approvals.asked_already(state.approvals, c.Extend.name, {})


def outcome_allowed_now(state: RequestState, cmd) -> str | None:
    if state.procedure == Procedure.RECORD_CORRECTION:
        return "a request to correct records is answered with decide_record_correction, not an OGI outcome (Art. 41)"
    problem = _one_of(cmd.outcome, Outcome, "outcome") or _form_given_with_reason(state, cmd)
    if problem:
        return problem
    outcome = Outcome(cmd.outcome)
    if outcome == Outcome.REJECTED_MASS_REPEAT and state.reasons_reasonable:
        return (f"{outcome.value} is for reasons found unreasonable; the applicant's reasons were accepted on "
                f"{state.reasons_received_on} (Art. 35)")
    if state.stage == Stage.AWAITING_CORRECTION:
        return _only_after_lapse(state, outcome, Outcome.OTHER_NO_CORRECTION, "correction", "Art. 30")
    if state.stage == Stage.AWAITING_PAYMENT:
        return _only_after_lapse(state, outcome, Outcome.OTHER_UNPAID_FEE, "payment", "109号")
    if outcome == Outcome.OTHER_NO_CORRECTION:
        return f"{outcome.value} only while awaiting a correction whose period lapsed (Art. 30)"
    if outcome == Outcome.OTHER_UNPAID_FEE:
        return f"{outcome.value} only while awaiting a payment whose period lapsed (109号)"
    if outcome == Outcome.UNABLE_UNCLEAR and state.corrected_on is None:
        return f"{outcome.value} means still unclear after correction (Art. 30); no correction was received"
    return None


def _form_given_with_reason(state: RequestState, cmd) -> str | None:
    if not cmd.form_provided:
        return None
    problem = _one_of(cmd.form_provided, ProvisionForm, "form (Art. 40)")
    if problem:
        return problem
    if state.form_requested and cmd.form_provided != state.form_requested and not (cmd.form_reason or "").strip():
        return (f"the applicant asked for {state.form_requested}; providing {cmd.form_provided} instead needs the "
                "reason (form_reason: the carrier at risk or the cost too high, Art. 40)")
    return None


def record_correction_answer(state: RequestState, cmd) -> str | None:
    if state.procedure != Procedure.RECORD_CORRECTION:
        return "only a request to correct records about the applicant (procedure record_correction) takes this answer (Art. 41)"
    problem = _one_of(cmd.result, RecordCorrectionResult, "result")
    if problem:
        return problem
    if cmd.result == RecordCorrectionResult.NOT_CORRECTED and not (cmd.reasons or "").strip():
        return "refusing to correct a record needs the reasons (reasons)"
    if cmd.result in (RecordCorrectionResult.REFERRED, RecordCorrectionResult.DIRECTED) and not (cmd.competent_agency or "").strip():
        return "referring the applicant needs the agency that may correct the record (competent_agency, Art. 41)"
    return None


def void_has_reason_and_approver(state: RequestState, cmd) -> str | None:
    if not cmd.reason.strip():
        return "voiding a step needs the reason (what was wrong)"
    if not cmd.approved_by.strip():
        return "voiding a step needs the approval of a head or administrator: ask for it in 审批"
    return approvals.asked_already(state.approvals, c.VoidStep.name, {"version": cmd.version})


def notice_received_once(state: RequestState, cmd) -> str | None:
    expected = {Stage.AWAITING_CORRECTION: "correction", Stage.AWAITING_PAYMENT: "fee"}[state.stage]
    problem = _one_of(cmd.notice, NoticeKind, "notice")
    if problem:
        return problem
    if cmd.notice != expected:
        return f"no {cmd.notice} notice is awaiting the applicant; the open one is the {expected} notice"
    sent, received = ((state.correction_notice_on, state.correction_notice_received_on) if expected == "correction"
                      else (state.fee_notified_on, state.fee_notice_received_on))
    if received is not None:
        return f"the applicant's receipt of the {expected} notice was already recorded ({received})"
    if sent is not None and cmd.at.date() < sent:
        return f"the applicant cannot have received the {expected} notice ({cmd.at.date()}) before it was sent ({sent})"
    return None


def reasons_asked_once(state: RequestState, cmd) -> str | None:
    if state.reasons_requested_on is not None:
        return f"reasons were already asked for on {state.reasons_requested_on} (Art. 35)"
    return None


def reasons_were_asked(state: RequestState, cmd) -> str | None:
    if state.reasons_requested_on is None:
        return "no reasons were asked for: ask_reasons first (Art. 35)"
    if state.reasons_received_on is not None:
        return f"the reasons were already recorded on {state.reasons_received_on} (Art. 35)"
    if cmd.reply_days is not None and (not cmd.reasonable or not 1 <= cmd.reply_days <= MAX_APPLICANT_PERIOD_DAYS):
        return (f"a reply period of the agency's (reply_days 1 to {MAX_APPLICANT_PERIOD_DAYS}) is set only for reasons "
                "found reasonable (Art. 35)")
    return None


def _only_after_lapse(state: RequestState, outcome: Outcome, only: Outcome, period: str, rule: str) -> str | None:
    """While waiting on the applicant the one decision is `only`, and only once their period has lapsed."""
    if outcome != only:
        after = "(after the period lapsed) or withdrawal" if period == "correction" else "(after the payment period lapsed)"
        return f"while awaiting {period} the only decision is {only.value} {after}"
    if not state.has_lapsed(period):
        due = state.deadlines.get(period)
        return f"{outcome.value} only after the {period} period lapsed (due {due.due if due else '?'}; {rule})"
    return None


def known_delivery_method(state: RequestState, cmd) -> str | None:
    return _one_of(cmd.method, DeliveryMethod, "delivery method")


def new_review_case(state: RequestState, cmd) -> str | None:
    if not cmd.case:
        return "a review needs a case number"
    if cmd.case in state.reviews:
        return f"review case '{cmd.case}' was already filed"
    return None


def open_review_case(state: RequestState, cmd) -> str | None:
    return _open_case(state.reviews, "review", cmd)


def new_litigation_case(state: RequestState, cmd) -> str | None:
    if not cmd.case:
        return "a suit needs a case number"
    if cmd.case in state.litigations:
        return f"litigation case '{cmd.case}' was already filed"
    if cmd.after_review and not any(r.closed_on for r in state.reviews.values()):
        return "a suit after review needs a closed administrative review of this request"
    return None


def open_litigation_case(state: RequestState, cmd) -> str | None:
    return _open_case(state.litigations, "litigation", cmd)


def _open_case(cases, what, cmd) -> str | None:
    case = cases.get(cmd.case)
    if case is None:
        return f"no {what} case '{cmd.case}' was filed"
    if case.closed_on is not None:
        return f"{what} case '{cmd.case}' was already closed on {case.closed_on}"
    if cmd.at.date() < case.filed_on:
        return f"{what} case '{cmd.case}' cannot close before it was filed ({case.filed_on})"
    return _one_of(cmd.result, CaseResult, "case result")


def no_pending_cases(state: RequestState, cmd) -> str | None:
    pending = state.pending_cases()
    return f"review or litigation still pending: {', '.join(pending)}" if pending else None


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
    T((S.DECIDED,), c.Deliver.name, S.SERVED, "235号", (known_delivery_method, paper_trail.reply_issued_unless_imported,
                                                       paper_trail.served_on_fits), "送达",
      "a decision not yet served (decide first)"),
    T(OPEN_STAGES, c.Withdraw.name, S.WITHDRAWN, "DESIGN §6", (), "申请人撤回申请（计入其他处理）",
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
    T(OPEN_STAGES, c.LapsePeriod.name, None, "DESIGN §3", (), "期限届满（计时器）"),
    T(OPEN_STAGES, c.RecomputeDeadlines.name, None, "DESIGN §3", (), "日历数据更新，重新计算期限"),
]

TRANSITIONS += paper_trail.TRANSITIONS
TRANSITIONS += approval_rows.TRANSITIONS

WORKFLOW: MachineDefinition[Stage] = MachineDefinition(
    name="依申请公开",
    states=Stage,
    initial=Stage.NEW,
    finals=frozenset({Stage.CLOSED}),
    transitions=TRANSITIONS,
    state_labels=STAGE_LABELS,
    system_commands=c.SYSTEM_COMMANDS,
)
