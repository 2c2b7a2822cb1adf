"""What a drafted paper says, besides the request's own data: whom it addresses and how (您 or 贵单位), what an
Art. 29 application lacks (the correction notice), the reply's decision in words with its 附件, and the contact
line. Everything here is the template context of templates/documents/; nothing is read from the database.

The paper's fields (`PaperFields`) come from the draft form, the API or the CLI; each is checked here, and a
refusal names the field in words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from engine.errors import OgiError, RuleViolation
from workflows.foi.documents import DOCUMENT_TITLES, DocumentRecord, DocumentType, chinese_date, latest
from workflows.foi.obtaining import OBTAIN_METHOD_LABELS
from workflows.foi.remedies import LEGAL_BASIS, RemedySettings, remedies_paragraph
from workflows.foi.state import RequestState
from workflows.foi.vocabulary import (
    CHANNEL_LABELS,
    OUTCOME_LABELS,
    PROVISION_FORM_LABELS,
    SERVICE_METHOD_LABELS,
    ApplicantKind,
    Outcome,
)
from workflows.people.accounts import User

DECISION_FIELDS = ("reasons", "responsible_agency", "form_provided", "form_reason")  # Decide's, besides the outcome
MAX_ATTACHMENTS = 30
MAX_FIELD_CHARS = 2000

# Art. 29 ¶2: what an application contains; a correction notice names what this one lacks (Art. 30: 一次性告知)
CORRECTION_ITEMS: dict[str, str] = {
    "name": "申请人的姓名或者名称",
    "identity": "申请人的身份证明",
    "contact": "申请人的联系方式",
    "description": "所需政府信息的名称、文号或者便于本机关查询的其他特征性描述",
    "form": "所需政府信息的形式要求，包括获取信息的方式、途径",
}
_ITEM_OF_PARAGRAPH = {"name": "（一）", "identity": "（一）", "contact": "（一）", "description": "（二）", "form": "（三）"}
_CHINESE_ORDINALS = "一二三四五六七八九十"


def correction_requests(item: str, person: bool) -> str:
    """What the applicant is asked to supply for one missing item."""
    identity = ("身份证件复印件" if person else
                "营业执照、统一社会信用代码证书或者其他组织机构证明文件复印件，以及经办人的身份证件复印件和授权委托书")
    return {
        "name": "请写明申请人的姓名或者名称",
        "identity": f"请提供申请人的身份证明（{identity}）",
        "contact": "请提供申请人的联系电话、通讯地址或者电子邮箱等联系方式",
        "description": "请写明所需政府信息的名称、文号，或者所需信息的制作机关、大致时间、所涉事项等便于本机关查询的特征性描述",
        "form": "请写明所需政府信息的形式要求（纸质文本、电子数据等）以及获取信息的方式、途径（邮寄、电子邮件、自行领取等）",
    }[item]


@dataclass(frozen=True)
class PaperFields:
    """The fields of the draft form besides the type, outcome and note."""

    missing: tuple[str, ...] = ()  # correction notice: CORRECTION_ITEMS keys
    attachments: tuple[str, ...] = ()  # reply: the 附件 list
    addressee: str = ""  # consultation letter, third-party notice: the party's or agency's name
    addressee_kind: str = "natural_person"  # natural_person | organisation (the third party): 您 or 贵单位
    contact_name: str = ""
    contact_phone: str = ""
    decision: dict = field(default_factory=dict)  # the reply's DECISION_FIELDS

    def reasons_from(self, note: str | None, doc_type: str, outcome: str | None) -> tuple[PaperFields, str | None]:
        """A refusal's reasons given as the note (the CLI's --note): recorded as the decision's reasons, written once."""
        refusing = outcome == Outcome.PARTIAL or (outcome or "").startswith("withheld.")
        if doc_type != DocumentType.REPLY or not refusing or not note or self.decision.get("reasons"):
            return self, note
        return replace(self, decision={**self.decision, "reasons": note}), None

    @classmethod
    def from_values(cls, values: Mapping[str, str] | None, drafter: User | None = None) -> PaperFields:
        values = values or {}

        def text(name: str, label: str) -> str:
            value = _clean(values.get(name) or "")
            if len(value) > MAX_FIELD_CHARS:
                raise OgiError(f"{label}不能超过{MAX_FIELD_CHARS}个字，现为{len(value)}个字")
            return value

        missing = tuple(dict.fromkeys(m.strip() for m in re.split(r"[,，\s]+", values.get("missing") or "")
                                      if m.strip()))
        unknown = [m for m in missing if m not in CORRECTION_ITEMS]
        if unknown:
            raise OgiError(f"需要补正的事项须为{'、'.join(CORRECTION_ITEMS.values())}之中的一项或几项")
        attachments = tuple(line.strip() for line in text("attachments", "附件").split("\n") if line.strip())
        attachments = tuple(re.sub(r"^(附件[：:])?\s*\d+\s*[.．、]\s*", "", a) for a in attachments)
        if len(attachments) > MAX_ATTACHMENTS:
            raise OgiError(f"附件最多列{MAX_ATTACHMENTS}项，现为{len(attachments)}项")
        kind = values.get("addressee_kind") or "natural_person"
        if kind not in ("natural_person", "organisation"):
            raise OgiError("收件人类别须为个人或单位")
        name = text("contact_name", "联系人")
        phone = text("contact_phone", "联系电话")
        if drafter is not None and not name:  # the clerk who drafts is the contact, unless told
            name, phone = drafter.display_name, phone or drafter.phone or ""
        if phone and not re.fullmatch(r"[0-9０-９+\-－（）() 转]{5,30}", phone):
            raise OgiError(f"联系电话“{phone[:30]}”不是电话号码：只能有数字、“-”、括号和“转”")
        decision = {k: text(k, _DECISION_LABELS[k]) for k in DECISION_FIELDS}
        return cls(missing, attachments, text("addressee", "收件人"), kind, name, phone,
                   {k: v for k, v in decision.items() if v})


_DECISION_LABELS = {"reasons": "理由", "responsible_agency": "负责公开该信息的机关", "form_provided": "提供形式",
                    "form_reason": "未按申请的形式提供的理由"}


def _clean(value: str) -> str:
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def you_of(applicant: Mapping) -> str:
    """How a paper addresses the applicant: 您 (a person) or 贵单位 (a legal person or other organisation)."""
    return "您" if applicant.get("kind", ApplicantKind.NATURAL_PERSON) == ApplicantKind.NATURAL_PERSON else "贵单位"


def contact_line(paper: PaperFields) -> str:
    """The 附注 under the date: whom the addressee may call about the paper."""
    parts = [f"联系人：{paper.contact_name}" if paper.contact_name else "",
             f"联系电话：{paper.contact_phone}" if paper.contact_phone else ""]
    parts = [p for p in parts if p]
    return f"（{'；'.join(parts)}）" if parts else ""


def request_context(state: RequestState) -> dict:
    subject = (state.subject or "").replace("“", "‘").replace("”", "’")  # quoted inside “…” on the paper
    return {"id": state.request_id, "subject": subject,
            "received_on": chinese_date(state.received_on) if state.received_on else "",
            # Art. 31: the day both sides confirmed (letter, online, fax, e-mail), the day the reply counts from
            "confirmed_on": chinese_date(state.confirmed_on) if state.confirmed_on else "",
            "applicant_name": state.applicant.get("name", ""),
            "channel_label": CHANNEL_LABELS.get(state.channel, "") if state.channel else "",
            "channel_words": CHANNEL_WORDS.get(state.channel, "") if state.channel else ""}


# how the receipt says the application came: "收到您{words}提出的政府信息公开申请"
CHANNEL_WORDS = {"in_person": "当面", "post_signed": "以邮寄方式", "post_plain": "以平常信函方式",
                 "online": "通过网上申请平台", "fax": "以传真方式", "email": "以电子邮件方式"}


def reply_due(state: RequestState) -> str:
    reply = state.deadlines.get("reply")
    return chinese_date(reply.due) if reply and reply.due else ""


def correction_context(state: RequestState, paper: PaperFields, note: str | None) -> dict:
    """Art. 30: once, everything the application lacks, each item as the applicant is asked to supply it."""
    if not paper.missing and not note:
        raise RuleViolation("补正告知书须一次性写明需要补正的全部事项：请勾选申请缺少的内容，或在补充内容中写明", "Art. 30")
    person = you_of(state.applicant) == "您"
    asks = [correction_requests(item, person) for item in paper.missing] + ([note] if note else [])
    named = {_ITEM_OF_PARAGRAPH[item] for item in paper.missing}
    paragraphs = [p for p in ("（一）", "（二）", "（三）") if p in named]
    lacks = "、".join(CORRECTION_ITEMS[item] for item in paper.missing)
    return dict(missing_words=lacks, missing_paragraphs="、".join(f"第{p}项" for p in paragraphs),
                asks=[f"{_ordinal(i)}{ask.rstrip('。')}。" for i, ask in enumerate(asks)])


def _ordinal(index: int) -> str:
    return f"（{_CHINESE_ORDINALS[index]}）" if index < len(_CHINESE_ORDINALS) else f"（{index + 1}）"


FAMILY_SENTENCES = {
    "withheld": "{you}申请公开的政府信息{reason}，本机关决定不予公开。",
    "unable": "{you}申请公开的政府信息，本机关无法提供，理由是：{reason}。",
    "rejected": "{you}的申请属于{reason}的情形，本机关不予处理。",
    "other": "{reason}。",
}


def outcome_sentence(outcome: str, you: str, attachments: tuple[str, ...], note: str | None) -> str:
    """The decision in one sentence; a disclosure says where the information is: in the 附件, or how to obtain it."""
    if outcome in (Outcome.DISCLOSED, Outcome.PARTIAL):
        # Art. 36(2): provide it (the 附件) or tell the way to obtain it (the note; else through the contact line)
        given = ("现随本答复书提供（见附件）" if attachments else "获取方式见下文" if note
                 else f"请{you}按本答复书所列联系方式与本机关联系获取")
        if outcome == Outcome.DISCLOSED:
            return f"{you}申请公开的政府信息属于公开范围，本机关予以公开，{given}。"
        return (f"{you}申请公开的政府信息中，部分内容属于不予公开的范围。依照《中华人民共和国政府信息公开条例》"
                f"第三十七条的规定，本机关对可以公开的部分予以公开，{given}；不予公开的部分及其理由如下。")
    label = OUTCOME_LABELS[Outcome(outcome)]
    reason = label.split(" ", 1)[1].split(".", 1)[-1] if " " in label else label
    family = outcome.split(".", 1)[0]
    return FAMILY_SENTENCES.get(family, "{reason}。").format(reason=reason, you=you)


def reply_context(agency, state: RequestState, outcome: str | None, paper: PaperFields, note: str | None) -> dict:
    if outcome is None or outcome not in {o.value for o in Outcome}:
        raise RuleViolation("答复书须写明答复结果：请选择答复结果", "Art. 36")
    if not (agency.review_body and agency.court):
        raise OgiError("本机关尚未设置行政复议机关和人民法院，答复书无法写明救济途径：请管理员在机关设置中填写")
    try:
        settings = RemedySettings(agency.review_body, agency.court, agency.vertically_led)
    except ValueError as error:
        raise RuleViolation(f"{error}；请管理员在机关设置中更正行政复议机关和人民法院", "行政复议法 Art. 23–27") from None
    decision, you = paper.decision, you_of(state.applicant)
    if outcome == Outcome.PARTIAL and not decision.get("reasons"):
        raise RuleViolation("部分公开的答复书须写明不予公开的部分及其理由", "Art. 37")
    if outcome.startswith("withheld.") and not decision.get("reasons"):
        raise RuleViolation("不予公开的答复书须写明不予公开的理由", "Art. 36(3)")
    if outcome not in (Outcome.DISCLOSED, Outcome.PARTIAL) and paper.attachments:
        raise RuleViolation("只有予以公开或部分公开的答复书随附所提供的信息（附件）", "Art. 36")
    form = _form_sentence(state, decision, you)
    return dict(outcome_sentence=outcome_sentence(outcome, you, paper.attachments, note),
                reasons=decision.get("reasons", ""), note=note, responsible_agency=decision.get("responsible_agency", ""),
                form_sentence=form, legal_basis=LEGAL_BASIS[Outcome(outcome)],
                remedies=remedies_paragraph(outcome, settings))


def _form_sentence(state: RequestState, decision: Mapping[str, str], you: str) -> str:
    """Art. 40: the form the information is provided in, and why it is not the one asked for."""
    provided = decision.get("form_provided")
    if not provided:
        return ""
    words = PROVISION_FORM_LABELS.get(provided)
    if words is None:
        raise OgiError(f"提供形式须为{'、'.join(PROVISION_FORM_LABELS.values())}之一")
    asked = PROVISION_FORM_LABELS.get(state.form_requested or "")
    if asked and state.form_requested != provided:
        reason = decision.get("form_reason")
        if not reason:
            raise RuleViolation(f"未按申请的形式（{asked}）提供的，须写明理由", "Art. 40")
        return f"因{reason.rstrip('。')}，本机关未能按{you}申请的{asked}形式提供，依照《中华人民共和国政府信息公开条例》第四十条的规定，以{words}形式提供。"
    return f"本机关以{words}形式提供。"


def consultation_context(paper: PaperFields, party: str) -> dict:
    """Art. 32 (a third party: 您 or 贵单位) or Art. 34 (an agency that made the information jointly: 贵机关)."""
    if not paper.addressee:
        raise RuleViolation("征求意见书须写明收件人：第三方的姓名或者名称，或者被征求意见的机关", "Art. 32" if
                            party != "agency" else "Art. 34")
    you = "贵机关" if party == "agency" else ("您" if paper.addressee_kind == "natural_person" else "贵单位")
    return dict(addressee=paper.addressee, party_you=you)


TO_THE_PARTY = (DocumentType.CONSULTATION_LETTER, DocumentType.THIRD_PARTY_NOTICE)  # served on the party consulted


def party_addressed(doc_type: str, state: RequestState, paper: PaperFields, party: str, started: Mapping | None,
                    note: str | None) -> tuple[PaperFields, str | None]:
    """Whom a paper to the party consulted addresses, unless the draft names one: a third-party notice, the
    addressee of the 征求意见书 sent; else the party the clerk named when the consultation began (the latest
    `consultation_started`'s party_name, Art. 32, 34), if it is that kind of party; else the CLI's --note."""
    if paper.addressee:
        return paper, note
    letter = latest(state.documents, DocumentType.CONSULTATION_LETTER)
    if doc_type == DocumentType.THIRD_PARTY_NOTICE and letter is not None:
        return replace(paper, addressee=letter.text.split("\n", 1)[0].rstrip("：:"),
                       addressee_kind="organisation" if "贵单位" in letter.text else "natural_person"), note
    if started and started.get("party_name") and started.get("party", "third_party") == party:
        return replace(paper, addressee=str(started["party_name"])), note
    if doc_type == DocumentType.CONSULTATION_LETTER and note:
        return replace(paper, addressee=note), None
    return paper, note


def service_record_context(state: RequestState, served_type: str | None, note: str | None,
                           consulted: Mapping | None = None, request: Mapping | None = None) -> dict:
    """235号: the 送达回证 of a served paper; a letter to the party consulted is served on that party, at the address
    recorded when the consultation began (`consulted`): its 受送达人 (the template's request.applicant_name, of
    `request`, the request_context) is then the party; any other paper is served on the applicant."""
    served: DocumentRecord | None = latest(state.documents, served_type or DocumentType.REPLY)
    if served is None or served.number is None:
        title = DOCUMENT_TITLES.get(served_type or DocumentType.REPLY, "文书")
        raise RuleViolation(f"送达回证用于已印发的文书，而{title}尚未印发", "235号")
    method = (served.service or {}).get("method") or note or ""
    out = dict(served_title=DOCUMENT_TITLES[served.type], served_number=served.number,
               method_label=SERVICE_METHOD_LABELS.get(method, "直接送达"), place=state.applicant.get("address", ""))
    if served.type in TO_THE_PARTY and consulted and consulted.get("party_name") and request is not None:
        out.update(request={**request, "applicant_name": str(consulted["party_name"])},
                   place=str(consulted.get("party_address") or ""))
    return out


def receipt_context(received: Mapping) -> dict:
    """Art. 29 ¶2(3): the form asked for (提供形式) and the way to obtain it (获取方式), as registered."""
    form = PROVISION_FORM_LABELS.get(received.get("form_requested") or "", "")
    obtain = OBTAIN_METHOD_LABELS.get(received.get("obtain_method") or "", "")
    return dict(form_requested_words=form, obtain_method_words=obtain)
