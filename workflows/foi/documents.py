"""The official documents of a request (DESIGN §9) as part of its state: each is drafted, approved by a head or
administrator (审核/保密审查), issued under a number, and served — every step an event of the request's stream.

Pure: the number is allocated by the service (gapless per agency, type and year) and handed in with the command.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum


class DocumentType(StrEnum):
    RECEIPT = "receipt"  # 登记回执
    CORRECTION_NOTICE = "correction_notice"  # 补正告知书
    EXTENSION_NOTICE = "extension_notice"  # 延期答复告知书
    CONSULTATION_LETTER = "consultation_letter"  # 征求意见书（第三方）/ 征求意见函（其他机关）
    CONSULTATION_NOTICE = "consultation_notice"  # 征求意见告知书 (to the applicant)
    FEE_NOTICE = "fee_notice"  # 收费通知书
    REPLY = "reply"  # 答复书
    THIRD_PARTY_NOTICE = "third_party_notice"  # 第三方告知书 (Art. 32: before disclosing over an objection)
    SERVICE_RECORD = "service_record"  # 送达回证


DOCUMENT_TITLES: dict[str, str] = {
    DocumentType.RECEIPT: "政府信息公开申请登记回执",
    DocumentType.CORRECTION_NOTICE: "政府信息公开申请补正告知书",
    DocumentType.EXTENSION_NOTICE: "政府信息公开申请延期答复告知书",
    DocumentType.CONSULTATION_LETTER: "政府信息公开征求意见书",
    DocumentType.CONSULTATION_NOTICE: "政府信息公开申请征求意见告知书",
    DocumentType.FEE_NOTICE: "政府信息公开信息处理费收费通知书",
    DocumentType.REPLY: "政府信息公开申请答复书",
    DocumentType.THIRD_PARTY_NOTICE: "政府信息公开第三方告知书",
    DocumentType.SERVICE_RECORD: "送达回证",
}
# the word of the number (文号) for each type: agency prefix + word + 〔year〕 + sequence + 号
TYPE_WORDS: dict[str, str] = {
    DocumentType.RECEIPT: "依申登", DocumentType.CORRECTION_NOTICE: "依申补", DocumentType.EXTENSION_NOTICE: "依申延",
    DocumentType.CONSULTATION_LETTER: "依申征", DocumentType.CONSULTATION_NOTICE: "依申告",
    DocumentType.FEE_NOTICE: "依申费", DocumentType.REPLY: "依申复", DocumentType.THIRD_PARTY_NOTICE: "依申三",
    DocumentType.SERVICE_RECORD: "依申送",
}
SERVICE_METHODS = ("personal", "post", "electronic", "notice")  # 直接送达, 邮寄, 电子, 公告 (235号)
# the documents whose service starts or ends a period, or concludes: serving one needs it issued first
MUST_BE_ISSUED_TO_SERVE = frozenset({DocumentType.REPLY, DocumentType.CORRECTION_NOTICE, DocumentType.FEE_NOTICE})
# issued as drafted, without a head's 审核: the 登记回执 is the 受理窗口's own act of acknowledging receipt
ISSUED_WITHOUT_APPROVAL = frozenset({DocumentType.RECEIPT})
# the states in words, for the refusals people read
STATE_WORDS: dict[str, str] = {"draft": "草稿", "sent_back": "已退回修改", "approved": "已审核", "issued": "已印发",
                               "served": "已送达", "returned": "已退件"}


def document_number(prefix: str, doc_type: str, year: int, sequence: int) -> str:
    return f"{prefix}{TYPE_WORDS[doc_type]}〔{year}〕{sequence}号"


def chinese_date(day: dt.date) -> str:
    """A date as official documents write it: 2023年3月6日."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class DocumentRecord:
    type: str
    state: str  # draft | sent_back (审核 not passed, back with its drafter) | approved | issued | served | returned
    text: str
    drafted_on: dt.date
    outcome: str | None = None  # the reply's outcome code
    approved_by: str | None = None
    number: str | None = None
    issued_on: dt.date | None = None
    text_hash: str | None = None  # SHA-256 of the issued text: what left the office
    served_on: dt.date | None = None
    service: dict | None = None  # method, tracking_no, posted_on, signed_on, and service_day (the legal one)
    fee: dict | None = None  # a fee notice's method, units and amount_yuan: notify_fee must charge exactly these
    returned_on: dt.date | None = None  # a letter that came back undelivered: served again
    return_reason: str | None = None
    review_opinion: str | None = None  # 审批意见 of the head who sent the draft back for revision
    decision: dict | None = None  # a reply's decision fields besides its outcome (Art. 36(3), 36(5), 37, 40)


def latest(documents: tuple[DocumentRecord, ...], doc_type: str) -> DocumentRecord | None:
    return next((d for d in reversed(documents) if d.type == doc_type), None)


ISSUED_STATES = frozenset({"issued", "served", "returned"})
UNISSUED_STATES = frozenset({"draft", "sent_back", "approved"})  # a new draft replaces it (a redraft)


def has_issued(documents: tuple[DocumentRecord, ...], doc_type: str) -> bool:
    return any(d.type == doc_type and d.state in ISSUED_STATES for d in documents)


def stated_correction_period(record: DocumentRecord | None) -> int | None:
    """The period (working days) a correction notice gives, as drafted on it (Art. 30); None on older notices."""
    if record is None or record.type != DocumentType.CORRECTION_NOTICE or not record.decision:
        return None
    period = record.decision.get("period_days")
    return period if isinstance(period, int) else None


def issued_by(documents: tuple[DocumentRecord, ...], doc_type: str, day: dt.date) -> DocumentRecord | None:
    """The latest document of `doc_type` issued on or before `day`: the paper a step dated `day` rests on."""
    return next((d for d in reversed(documents) if d.type == doc_type and d.state in ISSUED_STATES
                 and d.issued_on is not None and d.issued_on <= day), None)


def legal_service_day(method: str, posted_on: dt.date | None, signed_on: dt.date | None, day: dt.date) -> dt.date:
    """The day a document counts as served (国办公开办函〔2016〕235号): by post the day handed to the post office;
    in person the day the applicant signed; electronically the day it was sent; else the day recorded."""
    if method == "post" and posted_on is not None:
        return posted_on
    if method == "personal" and signed_on is not None:
        return signed_on
    if method == "electronic" and posted_on is not None:
        return posted_on
    return day


def _replace_latest(documents: tuple[DocumentRecord, ...], doc_type: str, **changes) -> tuple[DocumentRecord, ...]:
    index = max(i for i, d in enumerate(documents) if d.type == doc_type)
    return documents[:index] + (replace(documents[index], **changes),) + documents[index + 1:]


def drafted(documents: tuple[DocumentRecord, ...], p: dict, day: dt.date) -> tuple[DocumentRecord, ...]:
    """A new draft replaces an unissued one of the same type (a redraft), else starts a new document."""
    record = DocumentRecord(p["doc_type"], "draft", p["text"], day, p.get("outcome"), fee=p.get("fee"),
                            decision=p.get("decision"))
    current = latest(documents, p["doc_type"])
    if current is not None and current.state in UNISSUED_STATES:
        index = max(i for i, d in enumerate(documents) if d.type == p["doc_type"])
        return documents[:index] + (record,) + documents[index + 1:]
    return documents + (record,)


def approved(documents: tuple[DocumentRecord, ...], p: dict, day: dt.date) -> tuple[DocumentRecord, ...]:
    return _replace_latest(documents, p["doc_type"], state="approved", approved_by=p["approved_by"])


def sent_back(documents: tuple[DocumentRecord, ...], p: dict, day: dt.date) -> tuple[DocumentRecord, ...]:
    return _replace_latest(documents, p["doc_type"], state="sent_back", review_opinion=p["opinion"])


def issued(documents: tuple[DocumentRecord, ...], p: dict, day: dt.date) -> tuple[DocumentRecord, ...]:
    return _replace_latest(documents, p["doc_type"], state="issued", number=p["number"], issued_on=day,
                           text_hash=p["text_hash"])


def served(documents: tuple[DocumentRecord, ...], p: dict, day: dt.date) -> tuple[DocumentRecord, ...]:
    service = {k: p.get(k) for k in ("method", "tracking_no", "posted_on", "signed_on") if p.get(k) is not None}
    service_day = legal_service_day(p["method"], _date(p.get("posted_on")), _date(p.get("signed_on")), day)
    service["service_day"] = service_day.isoformat()
    return _replace_latest(documents, p["doc_type"], state="served", served_on=service_day, service=service)


def returned(documents: tuple[DocumentRecord, ...], p: dict, day: dt.date) -> tuple[DocumentRecord, ...]:
    """The letter came back (退件): not served after all; the document waits for another service."""
    return _replace_latest(documents, p["doc_type"], state="returned", returned_on=day, return_reason=p["reason"],
                           served_on=None)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# -- guards (the rule in words when refused) ------------------------------------------------------------------
def _title(doc_type: str) -> str:
    return DOCUMENT_TITLES.get(doc_type, "文书")


def _state_of(current: DocumentRecord | None) -> str:
    return STATE_WORDS.get(current.state, current.state) if current else "尚未起草"


def draft_refusal(documents: tuple[DocumentRecord, ...], doc_type: str, text: str, outcome: str | None,
                  outcomes: frozenset[str]) -> str | None:
    if doc_type not in TYPE_WORDS:
        return f"文书类型不明：须为{'、'.join(DOCUMENT_TITLES.values())}之一"
    if not text.strip():
        return f"{_title(doc_type)}的正文不能为空"
    if doc_type == DocumentType.REPLY and outcome not in outcomes:
        return "答复书须写明答复结果（处理决定），请选择答复结果"
    return None


def edit_refusal(documents: tuple[DocumentRecord, ...], doc_type: str, text: str) -> str | None:
    """The text is the drafter's until a head approves it: a draft, or one sent back for revision, is edited."""
    current = latest(documents, doc_type)
    if current is None or current.state not in ("draft", "sent_back"):
        return (f"{_title(doc_type)}{_state_of(current)}，只有草稿或退回修改的文书可以修改正文；"
                "已审核的文书须重新起草，再经负责人审核")
    if not text.strip():
        return f"{_title(doc_type)}的正文不能为空"
    return None


SERVICE_METHOD_WORDS = {"personal": "直接送达", "post": "邮寄送达", "electronic": "电子送达", "notice": "公告送达"}


def service_refusal(documents: tuple[DocumentRecord, ...], doc_type: str, method: str, tracking_no: str | None,
                    posted_on: str | None, signed_on: str | None, today: dt.date) -> str | None:
    """235号: how it was served, with the dates that make the service provable."""
    if method not in SERVICE_METHODS:
        return f"送达方式须为{'、'.join(SERVICE_METHOD_WORDS.values())}之一"
    if method == "post" and not (tracking_no and posted_on):
        return "邮寄送达须记录邮件单号和交邮日期：以交邮之日为送达之日"
    current = latest(documents, doc_type)
    if current is None or current.state not in ("issued", "returned"):
        return f"{_title(doc_type)}{_state_of(current)}，只有已印发（或已退件）的文书可以送达"
    try:
        posted, signed = _date(posted_on), _date(signed_on)
    except ValueError:
        return "交邮日期或签收日期不是有效日期（年-月-日）"
    for name, value in (("交邮日期", posted), ("签收日期", signed)):
        if value is not None and value > today:
            return f"{name}{chinese_date(value)}晚于今天"
        if value is not None and current.issued_on is not None and value < current.issued_on:
            return f"{name}{chinese_date(value)}早于文书印发之日（{chinese_date(current.issued_on)}）"
    if posted is not None and signed is not None and signed < posted:
        return f"签收日期{chinese_date(signed)}早于交邮日期{chinese_date(posted)}"
    return None


def return_refusal(documents: tuple[DocumentRecord, ...], doc_type: str, reason: str) -> str | None:
    current = latest(documents, doc_type)
    if current is None or current.state != "served":
        return f"{_title(doc_type)}{_state_of(current)}，只有已送达的邮件才会退回"
    if (current.service or {}).get("method") == "personal":
        return "直接送达并经签收的文书已经送达，不会退件"
    if not reason.strip():
        return "退件须写明退回原因（如查无此人、拒收）"
    return None


def send_back_refusal(documents: tuple[DocumentRecord, ...], doc_type: str, opinion: str) -> str | None:
    if not opinion.strip():
        return "退回修改须写明审批意见：哪些内容需要修改"
    return step_refusal(documents, doc_type, ("draft",), "退回修改")


def step_refusal(documents: tuple[DocumentRecord, ...], doc_type: str, needs: tuple[str, ...], step: str) -> str | None:
    current = latest(documents, doc_type)
    if current is None:
        return f"尚未起草{_title(doc_type)}，请先起草"
    if current.state not in needs:
        wanted = "或".join(STATE_WORDS[n] for n in needs)
        return f"{_title(doc_type)}{_state_of(current)}，只有{wanted}的文书可以{step}"
    return None


def approval_refusal(documents: tuple[DocumentRecord, ...], doc_type: str) -> str | None:
    # a receipt needs no 审核 but may have one (a head who reads it first): ISSUED_WITHOUT_APPROVAL only frees the issue
    return step_refusal(documents, doc_type, ("draft",), "审核")


def issue_refusal(documents: tuple[DocumentRecord, ...], doc_type: str) -> str | None:
    """Issued once approved by a head; the receipt as drafted (ISSUED_WITHOUT_APPROVAL)."""
    needs = ("draft", "approved") if doc_type in ISSUED_WITHOUT_APPROVAL else ("approved",)
    return step_refusal(documents, doc_type, needs, "印发")
