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


def document_number(prefix: str, doc_type: str, year: int, sequence: int) -> str:
    return f"{prefix}{TYPE_WORDS[doc_type]}〔{year}〕{sequence}号"


@dataclass(frozen=True)
class DocumentRecord:
    type: str
    state: str  # draft | approved | issued | served
    text: str
    drafted_on: dt.date
    outcome: str | None = None  # the reply's outcome code
    approved_by: str | None = None
    number: str | None = None
    issued_on: dt.date | None = None
    text_hash: str | None = None  # SHA-256 of the issued text: what left the office
    served_on: dt.date | None = None
    service: dict | None = None  # method, tracking_no, posted_on, signed_on


def latest(documents: tuple[DocumentRecord, ...], doc_type: str) -> DocumentRecord | None:
    return next((d for d in reversed(documents) if d.type == doc_type), None)


def has_issued(documents: tuple[DocumentRecord, ...], doc_type: str) -> bool:
    return any(d.type == doc_type and d.state in ("issued", "served") for d in documents)


def _replace_latest(documents: tuple[DocumentRecord, ...], doc_type: str, **changes) -> tuple[DocumentRecord, ...]:
    index = max(i for i, d in enumerate(documents) if d.type == doc_type)
    return documents[:index] + (replace(documents[index], **changes),) + documents[index + 1:]


def drafted(documents: tuple[DocumentRecord, ...], p: dict, day: dt.date) -> tuple[DocumentRecord, ...]:
    """A new draft replaces an unissued one of the same type (a redraft), else starts a new document."""
    record = DocumentRecord(p["doc_type"], "draft", p["text"], day, p.get("outcome"))
    current = latest(documents, p["doc_type"])
    if current is not None and current.state in ("draft", "approved"):
        index = max(i for i, d in enumerate(documents) if d.type == p["doc_type"])
        return documents[:index] + (record,) + documents[index + 1:]
    return documents + (record,)


def approved(documents: tuple[DocumentRecord, ...], p: dict, day: dt.date) -> tuple[DocumentRecord, ...]:
    return _replace_latest(documents, p["doc_type"], state="approved", approved_by=p["approved_by"])


def issued(documents: tuple[DocumentRecord, ...], p: dict, day: dt.date) -> tuple[DocumentRecord, ...]:
    return _replace_latest(documents, p["doc_type"], state="issued", number=p["number"], issued_on=day,
                           text_hash=p["text_hash"])


def served(documents: tuple[DocumentRecord, ...], p: dict, day: dt.date) -> tuple[DocumentRecord, ...]:
    service = {k: p.get(k) for k in ("method", "tracking_no", "posted_on", "signed_on") if p.get(k) is not None}
    return _replace_latest(documents, p["doc_type"], state="served", served_on=day, service=service)


# -- guards (the rule in words when refused) ------------------------------------------------------------------
def draft_refusal(documents: tuple[DocumentRecord, ...], doc_type: str, text: str, outcome: str | None,
                  outcomes: frozenset[str]) -> str | None:
    if doc_type not in TYPE_WORDS:
        return f"unknown document type '{doc_type}'; one of: {', '.join(TYPE_WORDS)}"
    if not text.strip():
        return "a document needs its text"
    if doc_type == DocumentType.REPLY and outcome not in outcomes:
        return f"a reply states one of the 21 outcomes (--outcome); '{outcome}' is none of them"
    return None


def step_refusal(documents: tuple[DocumentRecord, ...], doc_type: str, needs: str, step: str) -> str | None:
    current = latest(documents, doc_type)
    if current is None:
        return f"no {doc_type} has been drafted (ogi document draft first)"
    if current.state != needs:
        return f"the latest {doc_type} is {current.state}; only a {needs} one can be {step}"
    return None
