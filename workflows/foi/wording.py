"""The words of the workflow's refusals (issue 19 item 1): each step's short name, what it needs first, and the
labels of the values a refusal names, so that a clerk reads "申请当前为“征求意见中”，不能办理“缴费”" rather than a
command's identifier. Pure data; definition.py hands it to the engine's machine.

A refusal names a field by the label a clerk sees; the machine name follows in parentheses only where a CLI or API
caller types it (补正期限（period_days）).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["FIELD_NAMES", "STEP_NAMES", "STEP_NEEDS", "VALUE_KINDS", "earlier_than_previous", "field_named", "label_of",
           "moment_shown", "not_one_of", "step_name"]

from workflows.foi import commands as c
from workflows.foi.field_names import FIELD_NAMES, field_named  # re-exported: the words of every refusal in one place
from workflows.foi.vocabulary import (
    APPLICANT_LABELS,
    CASE_RESULT_LABELS,
    CHANNEL_LABELS,
    CONSULTED_PARTY_LABELS,
    DELIVERY_LABELS,
    FEE_METHOD_LABELS,
    NOTICE_LABELS,
    OPINION_LABELS,
    OUTCOME_LABELS,
    PROVISION_FORM_LABELS,
    RECORD_CORRECTION_LABELS,
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

# a step's short name, as a clerk says it
STEP_NAMES: dict[str, str] = {
    c.Receive.name: "收到申请", c.ConfirmReceipt.name: "确认收到申请", c.RequestCorrection.name: "告知补正",
    c.SubmitCorrection.name: "收到补正", c.StartConsultation.name: "征求意见", c.EndConsultation.name: "征求意见结束",
    c.NotifyFee.name: "收费通知", c.PayFee.name: "缴费", c.Extend.name: "延长答复期限", c.Decide.name: "作出答复",
    c.Deliver.name: "送达答复", c.Withdraw.name: "申请人撤回申请", c.FileReview.name: "申请行政复议",
    c.CloseReview.name: "行政复议审结", c.FileLitigation.name: "提起行政诉讼", c.CloseLitigation.name: "行政诉讼审结",
    c.Close.name: "办结归档", c.RecordNoticeReceipt.name: "申请人收到通知", c.DecideRecordCorrection.name: "答复更正申请",
    c.VoidStep.name: "撤销误录的步骤", c.AskReasons.name: "要求说明理由", c.ReceiveReasons.name: "收到理由",
    c.LapsePeriod.name: "期限届满", c.RecomputeDeadlines.name: "重新计算期限",
    c.DraftDocument.name: "起草文书", c.ApproveDocument.name: "审核文书", c.SendBackDraft.name: "退回文书草稿",
    c.IssueDocument.name: "印发文书", c.ServeDocument.name: "送达文书", c.ReturnDocument.name: "邮件退回",
    c.AssignDepartment.name: "分办", c.TransferDepartment.name: "转办", c.SendBack.name: "退回分办",
    c.RequestAssistance.name: "请求协办", c.AnswerAssistance.name: "协办回复", c.RequestApproval.name: "提请审批",
    c.GrantApproval.name: "审批同意", c.RejectApproval.name: "审批不同意",
    # the online door (online.py)
    "release_files": "提供信息文件", "record_download": "申请人下载", "choose_notices": "设置进展通知",
}

# what a step needs first, completing "须……" in the refusal of a step the state does not allow
STEP_NEEDS: dict[str, str] = {
    c.ConfirmReceipt.name: "申请已收到、正在办理，且尚未补正、中止或延期",
    c.RequestCorrection.name: "申请正在办理且没有其他未结的步骤（补正告知在收到申请之日起7个工作日内一次性作出）",
    c.SubmitCorrection.name: "先发出补正告知书、等待申请人补正",
    c.StartConsultation.name: "申请正在办理且没有其他未结的步骤",
    c.EndConsultation.name: "先征求意见（征求意见尚未结束时才能结束）",
    c.NotifyFee.name: "申请正在办理且没有其他未结的步骤",
    c.PayFee.name: "先发出收费通知、等待申请人缴费",
    c.Extend.name: "答复期限正在计算（等待补正时、作出答复后不能延期）",
    c.Decide.name: "申请尚未办结且没有正在进行的征求意见（一件申请作出一次答复），并已印发答复书",
    c.Deliver.name: "先作出答复（已作出、尚未送达的答复才能送达）",
    c.Withdraw.name: "申请尚未办结",
    c.FileReview.name: "已作出答复或已撤回、尚未归档",
    c.CloseReview.name: "已申请行政复议、尚未归档",
    c.FileLitigation.name: "已作出答复或已撤回、尚未归档",
    c.CloseLitigation.name: "已提起行政诉讼、尚未归档",
    c.Close.name: "已送达答复或申请已撤回",
    c.RecordNoticeReceipt.name: "有等待申请人的补正告知书或收费通知书",
    c.DecideRecordCorrection.name: "更正政府信息记录的申请正在办理",
    c.VoidStep.name: "申请已收到、尚未归档",
    c.AskReasons.name: "申请正在办理",
    c.ReceiveReasons.name: "先要求申请人说明理由",
    c.DraftDocument.name: "申请已收到、尚未归档",
    c.ApproveDocument.name: "申请已收到、尚未归档，且文书已起草",
    c.SendBackDraft.name: "申请已收到、尚未归档，且文书已起草",
    c.IssueDocument.name: "申请已收到、尚未归档，且文书已审核",
    c.ServeDocument.name: "申请已收到、尚未归档，且文书已印发",
    c.ReturnDocument.name: "申请已收到、尚未归档，且文书已送达",
    c.AssignDepartment.name: "申请尚未办结",
    c.TransferDepartment.name: "申请尚未办结且已分办至承办部门",
    c.SendBack.name: "申请尚未办结且已分办至承办部门",
    c.RequestAssistance.name: "申请尚未办结",
    c.AnswerAssistance.name: "申请尚未办结且已请求协办",
    c.RequestApproval.name: "申请已收到、尚未归档",
    c.GrantApproval.name: "申请已收到、尚未归档，且有待审批的事项",
    c.RejectApproval.name: "申请已收到、尚未归档，且有待审批的事项",
    "release_files": "申请正在办理、已作出答复或已送达，且答复提供信息",
    "record_download": "申请已收到",
    "choose_notices": "申请已收到",
}

PARTY_LABELS = CONSULTED_PARTY_LABELS  # the labels the pages show (vocabulary.py), one catalogue
PROCEDURE_LABELS: dict[str, str] = {Procedure.DISCLOSURE: "政府信息公开申请", Procedure.RECORD_CORRECTION: "更正政府信息记录的申请"}

# the labels of each kind of value a refusal names: (the field's label, the machine name, value → label)
VALUE_KINDS: dict[type, tuple[str, str, Mapping[str, str]]] = {
    Channel: ("申请方式", "channel", CHANNEL_LABELS),
    ApplicantKind: ("申请人类型", "kind", APPLICANT_LABELS),
    ProvisionForm: ("提供形式", "form", PROVISION_FORM_LABELS),
    Procedure: ("办理程序", "procedure", PROCEDURE_LABELS),
    ConsultedParty: ("征求对象", "party", PARTY_LABELS),
    Opinion: ("意见", "opinion", OPINION_LABELS),
    FeeMethod: ("收费方式", "method", FEE_METHOD_LABELS),
    Outcome: ("答复结果", "outcome", OUTCOME_LABELS),
    RecordCorrectionResult: ("更正结果", "result", RECORD_CORRECTION_LABELS),
    DeliveryMethod: ("送达方式", "method", DELIVERY_LABELS),
    NoticeKind: ("通知书", "notice", NOTICE_LABELS),
    CaseResult: ("审结结果", "result", CASE_RESULT_LABELS),
}


def label_of(value: str | None, kind: type) -> str:
    """A value in the clerk's words; one without a label stays as given (it names what was typed)."""
    if value is None:
        return "（未填写）"
    return VALUE_KINDS[kind][2].get(value, value)


def not_one_of(value: str, kind: type) -> str:
    """The refusal of a value outside its list: the field, what was given and what may be given."""
    field, machine_name, labels = VALUE_KINDS[kind]
    choices = "、".join(f"{labels.get(member.value, member.value)}（{member.value}）" for member in _members(kind))
    return f"{field}（{machine_name}）“{value}”不是可选的值，可选：{choices}"


def _members(kind: type) -> Iterable:
    return list(kind)  # type: ignore[call-overload]


def step_name(command_name: str) -> str:
    return STEP_NAMES.get(command_name, command_name)


def moment_shown(moment) -> str:
    """A moment as a clerk reads it: 2024-03-05 09:30 (a midnight alone: the day)."""
    if moment.hour == moment.minute == moment.second == 0:
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%d %H:%M")


def earlier_than_previous(command, previous) -> str:
    return (f"“{step_name(command.name)}”的时间（{moment_shown(command.at)}）早于上一步骤（{moment_shown(previous)}）；"
            "步骤须按发生的先后记录，请核对日期")
