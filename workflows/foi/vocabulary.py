"""Stable identifiers of DESIGN §2 with their official Chinese labels (statute.md §7)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class ApplicantKind(StrEnum):
    NATURAL_PERSON = "natural_person"
    COMMERCIAL = "commercial"
    RESEARCH = "research"
    PUBLIC_INTEREST = "public_interest"
    LEGAL_SERVICES = "legal_services"
    OTHER_ORG = "other_org"


APPLICANT_LABELS: dict[str, str] = {  # keyed by the enum, looked up by enum or plain code alike
    ApplicantKind.NATURAL_PERSON: "自然人",
    ApplicantKind.COMMERCIAL: "商业企业",
    ApplicantKind.RESEARCH: "科研机构",
    ApplicantKind.PUBLIC_INTEREST: "社会公益组织",
    ApplicantKind.LEGAL_SERVICES: "法律服务机构",
    ApplicantKind.OTHER_ORG: "其他",
}


class Outcome(StrEnum):
    DISCLOSED = "disclosed"
    PARTIAL = "partial"
    WITHHELD_STATE_SECRET = "withheld.state_secret"
    WITHHELD_LAW_FORBIDS = "withheld.law_forbids"
    WITHHELD_SECURITY_STABILITY = "withheld.security_stability"
    WITHHELD_THIRD_PARTY = "withheld.third_party"
    WITHHELD_INTERNAL_AFFAIRS = "withheld.internal_affairs"
    WITHHELD_PROCESS_INFO = "withheld.process_info"
    WITHHELD_ENFORCEMENT_FILE = "withheld.enforcement_file"
    WITHHELD_QUERY_MATTER = "withheld.query_matter"
    UNABLE_NOT_HELD = "unable.not_held"
    UNABLE_NEEDS_CREATION = "unable.needs_creation"
    UNABLE_UNCLEAR = "unable.unclear"
    REJECTED_PETITION = "rejected.petition"
    REJECTED_REPEAT = "rejected.repeat"
    REJECTED_PUBLICATION = "rejected.publication"
    REJECTED_MASS_REPEAT = "rejected.mass_repeat"
    REJECTED_CONFIRM_REISSUE = "rejected.confirm_reissue"
    OTHER_NO_CORRECTION = "other.no_correction"
    OTHER_UNPAID_FEE = "other.unpaid_fee"
    OTHER_OTHER = "other.other"


# Row labels of table 三, exactly as in 国办公开办函〔2021〕30号.
OUTCOME_LABELS: dict[str, str] = {
    Outcome.DISCLOSED: "（一）予以公开",
    Outcome.PARTIAL: "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    Outcome.WITHHELD_STATE_SECRET: "（三）不予公开 1.属于国家秘密",
    Outcome.WITHHELD_LAW_FORBIDS: "（三）不予公开 2.其他法律行政法规禁止公开",
    Outcome.WITHHELD_SECURITY_STABILITY: "（三）不予公开 3.危及“三安全一稳定”",
    Outcome.WITHHELD_THIRD_PARTY: "（三）不予公开 4.保护第三方合法权益",
    Outcome.WITHHELD_INTERNAL_AFFAIRS: "（三）不予公开 5.属于三类内部事务信息",
    Outcome.WITHHELD_PROCESS_INFO: "（三）不予公开 6.属于四类过程性信息",
    Outcome.WITHHELD_ENFORCEMENT_FILE: "（三）不予公开 7.属于行政执法案卷",
    Outcome.WITHHELD_QUERY_MATTER: "（三）不予公开 8.属于行政查询事项",
    Outcome.UNABLE_NOT_HELD: "（四）无法提供 1.本机关不掌握相关政府信息",
    Outcome.UNABLE_NEEDS_CREATION: "（四）无法提供 2.没有现成信息需要另行制作",
    Outcome.UNABLE_UNCLEAR: "（四）无法提供 3.补正后申请内容仍不明确",
    Outcome.REJECTED_PETITION: "（五）不予处理 1.信访举报投诉类申请",
    Outcome.REJECTED_REPEAT: "（五）不予处理 2.重复申请",
    Outcome.REJECTED_PUBLICATION: "（五）不予处理 3.要求提供公开出版物",
    Outcome.REJECTED_MASS_REPEAT: "（五）不予处理 4.无正当理由大量反复申请",
    Outcome.REJECTED_CONFIRM_REISSUE: "（五）不予处理 5.要求行政机关确认或重新出具已获取信息",
    Outcome.OTHER_NO_CORRECTION: "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    Outcome.OTHER_UNPAID_FEE: "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    Outcome.OTHER_OTHER: "（六）其他处理 3.其他",
}


class Channel(StrEnum):
    IN_PERSON = "in_person"
    POST_SIGNED = "post_signed"
    POST_PLAIN = "post_plain"
    ONLINE = "online"
    FAX = "fax"
    EMAIL = "email"


CHANNEL_LABELS: dict[str, str] = {
    Channel.IN_PERSON: "当面提交",
    Channel.POST_SIGNED: "邮寄（需签收）",
    Channel.POST_PLAIN: "平常信函",
    Channel.ONLINE: "互联网渠道",
    Channel.FAX: "传真",
    Channel.EMAIL: "电子邮件",
}

# Art. 31: for these channels the receipt date is the date of confirmation, when one is recorded.
# E-mail is read as an internet channel (statute.md §1), so it is confirmable too; see docs/readings.md.
CONFIRMABLE_CHANNELS = frozenset({Channel.POST_PLAIN, Channel.ONLINE, Channel.FAX, Channel.EMAIL})


class ConsultedParty(StrEnum):
    THIRD_PARTY = "third_party"  # Art. 32
    AGENCY = "agency"  # Art. 34


class Opinion(StrEnum):
    CONSENT = "consent"
    OBJECT = "object"
    NONE = "none"


class DeliveryMethod(StrEnum):
    IN_PERSON = "in_person"  # served on the day the applicant signs (235号)
    POST = "post"  # served on the day handed to the post office (235号)
    ELECTRONIC = "electronic"


class FeeMethod(StrEnum):
    PER_REQUEST = "per_request"  # 按件计收, 109号 Art. 4
    BY_VOLUME = "by_volume"  # 按量计收, 109号 Art. 5


class ProvisionForm(StrEnum):
    """Art. 40: the form in which information is provided (asked for on receipt, given with the decision)."""

    PAPER = "paper"  # 纸质文本
    ELECTRONIC = "electronic"  # 电子数据
    INSPECTION = "inspection"  # 安排查阅
    COPYING = "copying"  # 安排抄录
    OTHER = "other"  # 其他适当形式


PROVISION_FORM_LABELS: dict[str, str] = {
    ProvisionForm.PAPER: "纸质文本",
    ProvisionForm.ELECTRONIC: "电子数据",
    ProvisionForm.INSPECTION: "查阅",
    ProvisionForm.COPYING: "抄录",
    ProvisionForm.OTHER: "其他适当形式",
}


class Procedure(StrEnum):
    """Which procedure a request follows: disclosure (the default) or the correction of records (Art. 41)."""

    DISCLOSURE = "disclosure"
    RECORD_CORRECTION = "record_correction"  # 更正与申请人自身相关的政府信息记录: not counted in table 三


class RecordCorrectionResult(StrEnum):
    """Art. 41: how a request to correct records about the applicant ends."""

    CORRECTED = "corrected"  # 审核属实，予以更正并告知申请人
    NOT_CORRECTED = "not_corrected"  # 证据不能证明记录不准确，不予更正（说明理由）
    REFERRED = "referred"  # 不属于本机关职能范围，转送有权更正的行政机关处理并告知申请人
    DIRECTED = "directed"  # 告知申请人向有权更正的行政机关提出


RECORD_CORRECTION_LABELS: dict[str, str] = {
    RecordCorrectionResult.CORRECTED: "予以更正",
    RecordCorrectionResult.NOT_CORRECTED: "不予更正",
    RecordCorrectionResult.REFERRED: "转送有权更正的机关",
    RecordCorrectionResult.DIRECTED: "告知向有权更正的机关提出",
}


class NoticeKind(StrEnum):
    """Notices whose receipt by the applicant starts the applicant's own period."""

    CORRECTION = "correction"  # 补正告知书: the correction period (Art. 30)
    FEE = "fee"  # 收费通知书: the payment period (109号)


class CaseResult(StrEnum):
    MAINTAINED = "maintained"  # 结果维持
    CORRECTED = "corrected"  # 结果纠正
    OTHER = "other"  # 其他结果


class Flag(StrEnum):
    """Legal but late steps: accepted, recorded, shown."""

    LATE_CORRECTION_NOTICE = "late_correction_notice"  # Art. 30: notice after 7 working days
    LATE_CORRECTION = "late_correction"  # applicant corrected after the period set in the notice
    LATE_FEE_NOTICE = "late_fee_notice"  # 109号: the notice must be sent within the reply period
    LATE_PAYMENT = "late_payment"  # 109号: paid after the 20 working days (accepted: the agency had not yet stopped)
    LATE_EXTENSION = "late_extension"  # Art. 33: extension decided after the reply period ended
    LATE_REPLY = "late_reply"  # Art. 33: reply served after the reply period
    FORM_CHANGED = "form_changed"  # Art. 40: provided in another form than asked, with the reason recorded
    REPLY_OVERDUE = "reply_overdue"  # the reply period ended with no reply yet
    PROVISIONAL_DEADLINE = "provisional_deadline"  # a deadline counted on a year without holiday data
    # lapses: a task for staff, never a conclusion by itself (DESIGN §3)
    CORRECTION_LAPSED = "correction_lapsed"
    PAYMENT_LAPSED = "payment_lapsed"


FLAG_LABELS: dict[str, str] = {
    Flag.LATE_CORRECTION_NOTICE: "补正告知逾期（超过7个工作日）",
    Flag.LATE_CORRECTION: "申请人逾期补正",
    Flag.LATE_FEE_NOTICE: "收费通知晚于答复期限",
    Flag.LATE_PAYMENT: "申请人逾期缴费",
    Flag.LATE_EXTENSION: "答复期限届满后延期",
    Flag.LATE_REPLY: "逾期答复",
    Flag.FORM_CHANGED: "未按申请的形式提供（已说明理由）",
    Flag.REPLY_OVERDUE: "已超答复期限",
    Flag.PROVISIONAL_DEADLINE: "期限按暂定日历计算",
    Flag.CORRECTION_LAPSED: "补正期限届满，待决定是否不再处理",
    Flag.PAYMENT_LAPSED: "缴费期限届满，待决定是否不再处理",
}


# -- words for people (issue 19): what a page, a timeline sentence or a form choice says for each code ---------------
# The outcome as a clerk says it; OUTCOME_LABELS above are the report's row labels, counting notes and all.
OUTCOME_SHORT_LABELS: dict[str, str] = {
    Outcome.DISCLOSED: "予以公开",
    Outcome.PARTIAL: "部分公开",
    Outcome.WITHHELD_STATE_SECRET: "不予公开（属于国家秘密）",
    Outcome.WITHHELD_LAW_FORBIDS: "不予公开（其他法律行政法规禁止公开）",
    Outcome.WITHHELD_SECURITY_STABILITY: "不予公开（危及“三安全一稳定”）",
    Outcome.WITHHELD_THIRD_PARTY: "不予公开（保护第三方合法权益）",
    Outcome.WITHHELD_INTERNAL_AFFAIRS: "不予公开（属于三类内部事务信息）",
    Outcome.WITHHELD_PROCESS_INFO: "不予公开（属于四类过程性信息）",
    Outcome.WITHHELD_ENFORCEMENT_FILE: "不予公开（属于行政执法案卷）",
    Outcome.WITHHELD_QUERY_MATTER: "不予公开（属于行政查询事项）",
    Outcome.UNABLE_NOT_HELD: "无法提供（本机关不掌握相关政府信息）",
    Outcome.UNABLE_NEEDS_CREATION: "无法提供（没有现成信息需要另行制作）",
    Outcome.UNABLE_UNCLEAR: "无法提供（补正后申请内容仍不明确）",
    Outcome.REJECTED_PETITION: "不予处理（信访举报投诉类申请）",
    Outcome.REJECTED_REPEAT: "不予处理（重复申请）",
    Outcome.REJECTED_PUBLICATION: "不予处理（要求提供公开出版物）",
    Outcome.REJECTED_MASS_REPEAT: "不予处理（无正当理由大量反复申请）",
    Outcome.REJECTED_CONFIRM_REISSUE: "不予处理（要求行政机关确认或重新出具已获取信息）",
    Outcome.OTHER_NO_CORRECTION: "不再处理（申请人无正当理由逾期不补正）",
    Outcome.OTHER_UNPAID_FEE: "不再处理（申请人逾期未缴纳信息处理费）",
    Outcome.OTHER_OTHER: "其他处理",
}

CONSULTED_PARTY_LABELS: dict[str, str] = {ConsultedParty.THIRD_PARTY: "第三方", ConsultedParty.AGENCY: "其他机关"}
OPINION_LABELS: dict[str, str] = {Opinion.CONSENT: "同意公开", Opinion.OBJECT: "不同意公开", Opinion.NONE: "未提出意见"}
# the reply's delivery (Deliver.method) and a document's service (ServeDocument.method, 235号)
DELIVERY_LABELS: dict[str, str] = {DeliveryMethod.IN_PERSON: "当面送达", DeliveryMethod.POST: "邮寄送达",
                                   DeliveryMethod.ELECTRONIC: "电子送达"}
SERVICE_METHOD_LABELS: dict[str, str] = {"personal": "直接送达", "post": "邮寄送达", "electronic": "电子送达",
                                         "notice": "公告送达"}
FEE_METHOD_LABELS: dict[str, str] = {FeeMethod.PER_REQUEST: "按件计收", FeeMethod.BY_VOLUME: "按量计收"}
NOTICE_LABELS: dict[str, str] = {NoticeKind.CORRECTION: "补正告知书", NoticeKind.FEE: "收费通知书"}
CASE_RESULT_LABELS: dict[str, str] = {CaseResult.MAINTAINED: "结果维持", CaseResult.CORRECTED: "结果纠正",
                                      CaseResult.OTHER: "其他结果"}
# the periods a timer watches (LapsePeriod.period) and the suspensions of the reply period (Suspension.reason)
PERIOD_LABELS: dict[str, str] = {"reply": "答复期限", "correction_notice": "补正告知期限", "correction": "补正期限",
                                 "payment": "缴费期限", "consultation": "征求意见期限"}
SUSPENSION_LABELS: dict[str, str] = {"consultation:third_party": "征求第三方意见", "consultation:agency": "征求其他机关意见",
                                     "fee": "收费通知至缴费"}
APPROVAL_STATUS_LABELS: dict[str, str] = {"pending": "待负责人审批", "granted": "已同意", "rejected": "不同意"}


def label(labels: Mapping[str, str], code: object, unknown: str = "（未知）") -> str:
    """The words for `code`; "（未记录）" when there is none, and `unknown` for a value no table knows (an old or
    imported record): never the code itself, which no person reads."""
    if code is None or code == "":
        return "（未记录）"
    return labels.get(str(code), unknown)
