"""Each event of a request's history told in one Chinese sentence, from the workflow's own labels.

Pure: it reads the history JSON's events (DESIGN §4: type, occurred_at, actor, payload), so whatever a reader is
shown of a payload (masked or not) is what the sentence says. Codes become words through the label tables of
vocabulary.py; people, agencies and departments through `Names`. A value no table knows is never printed as its
code. Every event type has its teller (TELLERS); tests/unit/test_narration.py fails for a new type without one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from workflows.foi.approvals import APPROVAL_KIND_LABELS
from workflows.foi.deadlines import DEADLINE_LABELS
from workflows.foi.decide import SYSTEM_ACTOR
from workflows.foi.documents import DOCUMENT_TITLES, chinese_date
from workflows.foi.event_types import EventType
from workflows.foi.vocabulary import (
    CASE_RESULT_LABELS,
    CHANNEL_LABELS,
    CONFIRMABLE_CHANNELS,
    CONSULTED_PARTY_LABELS,
    DELIVERY_LABELS,
    FEE_METHOD_LABELS,
    NOTICE_LABELS,
    OPINION_LABELS,
    OUTCOME_SHORT_LABELS,
    PROVISION_FORM_LABELS,
    RECORD_CORRECTION_LABELS,
    SERVICE_METHOD_LABELS,
    Procedure,
    label,
)

E = EventType
Payload = Mapping[str, object]


ONLINE_ACTORS = {"applicant": "申请人（网上）", "payment": "支付平台"}


@dataclass(frozen=True)
class Names:
    """Who and what the codes of a history name: usernames, agency slugs, department codes → their names."""

    users: Mapping[str, str] = field(default_factory=dict)
    agencies: Mapping[str, str] = field(default_factory=dict)
    departments: Mapping[str, str] = field(default_factory=dict)

    def user(self, username: object) -> str:
        if username == SYSTEM_ACTOR:
            return "系统（计时器）"
        if str(username) in ONLINE_ACTORS:  # workflows/people/accounts.py: no row in `users`
            return ONLINE_ACTORS[str(username)]
        if str(username).startswith("platform:"):
            return self.users.get(str(username)) or "政务服务平台"
        return self.users.get(str(username)) or str(username or "—")

    def agency(self, slug: object) -> str:
        return self.agencies.get(str(slug)) or str(slug or "—")

    def department(self, code: object) -> str:
        return self.departments.get(str(code)) or str(code or "—")


@dataclass(frozen=True)
class Narrated:
    """One event told: when (in words), what happened, who did it, and whether a later step took it back."""

    version: int
    type: str
    when: str  # 2026年12月1日 09:30
    text: str  # 收到申请（平常信函，待确认收到）
    actor: str  # the person's name
    withdrawn_note: str = ""  # 已由第N项撤销

    @property
    def sentence(self) -> str:
        note = f"（{self.withdrawn_note}）" if self.withdrawn_note else ""
        return f"{self.when} {self.text}（{self.actor}）{note}"


@dataclass
class _Context:
    """What an event's sentence needs from the events before it (an approval's kind, a case's party)."""

    names: Names
    approvals: dict[str, str] = field(default_factory=dict)  # approval id → kind
    drafts: set[str] = field(default_factory=set)  # document types drafted and not yet approved: a redraft is an edit


Teller = Callable[[Payload, _Context], str]


# -- small helpers --------------------------------------------------------------------------------------------------
def _day(value: object) -> str:
    if not value:
        return "（未记录）"
    try:
        return chinese_date(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _when(occurred_at: str) -> str:
    moment = dt.datetime.fromisoformat(occurred_at)
    return f"{chinese_date(moment.date())} {moment:%H:%M}"


def _due(payload: Payload, name: str) -> str:
    """The due day a step set for the deadline `name` (the payload's `deadlines`), or '' when it set none."""
    deadlines = payload.get("deadlines")
    if not isinstance(deadlines, Mapping) or not isinstance(deadlines.get(name), Mapping):
        return ""
    due = deadlines[name].get("due")
    return _day(due) if due else ""


def _parts(*parts: str) -> str:
    """'（a，b）' of the parts given, '' when none is."""
    given = [p for p in parts if p]
    return f"（{'，'.join(given)}）" if given else ""


def _text(payload: Payload, key: str, before: str = "") -> str:
    value = payload.get(key)
    return f"{before}{str(value).strip()}" if isinstance(value, str | int | float) and str(value).strip() else ""


def _title(payload: Payload) -> str:
    return label(DOCUMENT_TITLES, payload.get("doc_type"), "文书")


def _yuan(amount: object) -> str:
    if isinstance(amount, int | float):
        return f"{amount:g}元"
    return "（金额未记录）"


# -- one teller per event type ------------------------------------------------------------------------------------
def _received(p: Payload, ctx: _Context) -> str:
    channel = p.get("channel")
    confirmed = p.get("confirmed_at")
    confirmation = ""
    if channel in CONFIRMABLE_CHANNELS:
        confirmation = f"{_day(confirmed)}确认收到" if confirmed else "待确认收到"
    what = "更正政府信息记录的申请" if p.get("procedure") == Procedure.RECORD_CORRECTION else "申请"
    return f"收到{what}" + _parts(
        label(CHANNEL_LABELS, channel), confirmation,
        f"申请以{label(PROVISION_FORM_LABELS, p['form_requested'])}提供" if p.get("form_requested") else "",
        _text(p, "assisted_by", "由") + ("代为书写" if p.get("assisted_by") else ""),
        "由历史记录导入" if p.get("imported_from") else "",
        "申请人同意电子送达" if p.get("electronic_service") else "",
        f"答复期限至{_due(p, 'reply')}" if _due(p, "reply") else "")


def _receipt_confirmed(p: Payload, ctx: _Context) -> str:
    due = _due(p, "reply")
    return "确认收到申请，答复期限自确认之日起算" + (f"，至{due}" if due else "")


def _correction_requested(p: Payload, ctx: _Context) -> str:
    days = p.get("period_days")
    period = f"补正期限{days}个工作日" if days else ""
    return "一次性告知申请人补正" + _parts(period, f"至{_due(p, 'correction')}" if _due(p, "correction") else "")


def _corrected(p: Payload, ctx: _Context) -> str:
    due = _due(p, "reply")
    return "收到补正后的申请，答复期限重新起算" + (f"，至{due}" if due else "") + _parts(_text(p, "content", "补正内容："))


def _consultation_started(p: Payload, ctx: _Context) -> str:
    party = label(CONSULTED_PARTY_LABELS, p.get("party"), "有关方面")
    return (f"征求{party}意见" + _parts(_text(p, "party_name"), _text(p, "party_address", "地址："))
            + "，答复期限中止计算")


def _consultation_ended(p: Payload, ctx: _Context) -> str:
    party = label(CONSULTED_PARTY_LABELS, p.get("party"), "有关方面")
    due = _due(p, "reply")
    return (f"征求{party}意见结束：{label(OPINION_LABELS, p.get('opinion'))}，答复期限恢复计算"
            + (f"，至{due}" if due else ""))


def _fee_notified(p: Payload, ctx: _Context) -> str:
    return (f"发出收费通知（{label(FEE_METHOD_LABELS, p.get('method'))}，{_yuan(p.get('amount_yuan'))}），"
            "答复期限中止计算")


def _fee_paid(p: Payload, ctx: _Context) -> str:
    due = _due(p, "reply")
    return "申请人缴纳信息处理费，答复期限恢复计算" + (f"，至{due}" if due else "")


def _extended(p: Payload, ctx: _Context) -> str:
    approver = ctx.names.user(p["approved_by"]) if p.get("approved_by") else "负责人"
    due = _due(p, "reply")
    return (f"延长答复期限{p.get('working_days', '（天数未记录）')}个工作日，经负责人{approver}同意"
            + (f"，答复期限至{due}" if due else "") + _parts(_text(p, "reason", "理由：")))


def _decided(p: Payload, ctx: _Context) -> str:
    return f"作出答复：{label(OUTCOME_SHORT_LABELS, p.get('outcome'))}" + _parts(
        _text(p, "reasons", "理由："), _text(p, "responsible_agency", "掌握该信息的机关："),
        f"以{label(PROVISION_FORM_LABELS, p['form_provided'])}提供" if p.get("form_provided") else "",
        _text(p, "form_reason", "未按申请形式提供的理由："))


def _delivered(p: Payload, ctx: _Context) -> str:
    return f"答复送达申请人（{label(DELIVERY_LABELS, p.get('method'))}" + (
        f"，送达日{_day(p['served_on'])}" if p.get("served_on") else "") + (
        f"，{str(p['evidence'])[:200]}）" if p.get("evidence") else "）")


def _review_filed(p: Payload, ctx: _Context) -> str:
    return "申请人申请行政复议" + _parts(_text(p, "case", "案号："))


def _review_closed(p: Payload, ctx: _Context) -> str:
    return f"行政复议审结：{label(CASE_RESULT_LABELS, p.get('result'))}" + _parts(_text(p, "case", "案号："))


def _litigation_filed(p: Payload, ctx: _Context) -> str:
    how = "经行政复议后起诉" if p.get("after_review") else "未经复议直接起诉"
    return "申请人提起行政诉讼" + _parts(how, _text(p, "case", "案号："))


def _litigation_closed(p: Payload, ctx: _Context) -> str:
    return f"行政诉讼审结：{label(CASE_RESULT_LABELS, p.get('result'))}" + _parts(_text(p, "case", "案号："))


def _period_lapsed(p: Payload, ctx: _Context) -> str:
    period = label(DEADLINE_LABELS, p.get("period"), "期限")
    return f"{period}届满" + (f"（{_day(p['due'])}）" if p.get("due") else "")


def _deadlines_recomputed(p: Payload, ctx: _Context) -> str:
    return "日历数据更新，期限重新计算" + _parts(_text(p, "reason"))


def _record_correction_decided(p: Payload, ctx: _Context) -> str:
    return f"答复更正申请：{label(RECORD_CORRECTION_LABELS, p.get('result'))}" + _parts(
        _text(p, "competent_agency", "有权更正的机关："), _text(p, "reasons", "理由："))


def _notice_received(p: Payload, ctx: _Context) -> str:
    runs = {"correction": "补正期限自收到之日起算", "fee": "缴费期限自收到次日起算"}.get(str(p.get("notice")), "")
    return f"申请人收到{label(NOTICE_LABELS, p.get('notice'), '通知书')}" + (f"，{runs}" if runs else "")


def _reasons_received(p: Payload, ctx: _Context) -> str:
    if not p.get("reasonable"):
        return "收到申请人说明的理由：理由不合理"
    days = p.get("reply_days")
    return "收到申请人说明的理由：理由合理" + (f"，确定答复期限{days}个工作日" if days else "")


def _versions(values: object) -> str:
    numbers = [str(v) for v in values] if isinstance(values, list | tuple) else [str(values)]
    return "、".join(f"第{n}项" for n in numbers)


def _system_events_withdrawn(p: Payload, ctx: _Context) -> str:
    return f"按补录的步骤撤回系统记录的{_versions(p.get('versions', []))}，重新计算"


def _step_voided(p: Payload, ctx: _Context) -> str:
    approver = f"，经{ctx.names.user(p['approved_by'])}批准" if p.get("approved_by") else ""
    return f"撤销误录的{_versions(p.get('version'))}步骤" + _parts(_text(p, "reason", "理由：")) + approver


def _document_drafted(p: Payload, ctx: _Context) -> str:
    fee = p.get("fee")
    fee_words = ""
    if isinstance(fee, Mapping) and fee:
        units = fee.get("units")
        fee_words = (f"{label(FEE_METHOD_LABELS, fee.get('method'))}"
                     + (f"{units}{'页' if fee.get('method') == 'by_volume' else '件'}" if units else "")
                     + f"，{_yuan(fee.get('amount_yuan'))}")
    doc_type = str(p.get("doc_type"))
    verb = "修改" if doc_type in ctx.drafts else "起草"  # DocumentService.edit records the new text as a redraft
    ctx.drafts.add(doc_type)
    return f"{verb}{_title(p)}{'正文' if verb == '修改' else ''}" + _parts(
        f"答复结果：{label(OUTCOME_SHORT_LABELS, p['outcome'])}" if p.get("outcome") else "", fee_words)


def _document_approved(p: Payload, ctx: _Context) -> str:
    ctx.drafts.discard(str(p.get("doc_type")))
    return f"审核通过{_title(p)}"  # the approver is the event's actor, named beside the sentence


def _document_issued(p: Payload, ctx: _Context) -> str:
    ctx.drafts.discard(str(p.get("doc_type")))
    return f"印发{_title(p)}" + _parts(_text(p, "number"))


def _document_served(p: Payload, ctx: _Context) -> str:
    return f"送达{_title(p)}" + _parts(
        label(SERVICE_METHOD_LABELS, p.get("method")), _text(p, "tracking_no", "邮件单号"),
        f"交邮日{_day(p['posted_on'])}" if p.get("posted_on") else "",
        f"签收日{_day(p['signed_on'])}" if p.get("signed_on") else "",
        str(p["evidence"])[:200] if p.get("evidence") else "")  # 电子送达: where, when and which text


def _document_returned(p: Payload, ctx: _Context) -> str:
    return f"{_title(p)}被退回，须重新送达" + _parts(_text(p, "reason", "原因："))


def _document_sent_back(p: Payload, ctx: _Context) -> str:
    return f"{_title(p)}审核未通过，退回修改" + _parts(_text(p, "opinion", "审批意见："))


def approval_step_words(kind: object, step: object) -> str:
    """What an approval asks for, in words: 延长答复期限15个工作日 / 撤销误录的第7项步骤."""
    fields = step if isinstance(step, Mapping) else {}
    if kind == "extend":
        days = fields.get("working_days", 20)
        return f"延长答复期限{days}个工作日"
    if kind == "void_step":
        return f"撤销误录的{_versions(fields.get('version'))}步骤"
    return label(APPROVAL_KIND_LABELS, kind, "审批事项")


def _approval_requested(p: Payload, ctx: _Context) -> str:
    ctx.approvals[str(p.get("approval_id"))] = str(p.get("kind"))
    return f"提请负责人审批：{approval_step_words(p.get('kind'), p.get('step'))}" + _parts(_text(p, "reason", "理由："))


def _approval_decided(granted: bool) -> Teller:
    def tell(p: Payload, ctx: _Context) -> str:
        kind = ctx.approvals.get(str(p.get("approval_id")))
        what = label(APPROVAL_KIND_LABELS, kind, "所提请的事项")
        return f"负责人{'同意' if granted else '不同意'}{what}" + _parts(_text(p, "opinion", "审批意见："))
    return tell


def _department_assigned(p: Payload, ctx: _Context) -> str:
    return f"分办至{ctx.names.department(p.get('department'))}（签收）"


def _department_transferred(p: Payload, ctx: _Context) -> str:
    return f"转办至{ctx.names.department(p.get('department'))}" + _parts(_text(p, "reason", "理由："))


def _department_sent_back(p: Payload, ctx: _Context) -> str:
    return "承办部门退回（非本部门职责）" + _parts(_text(p, "reason", "理由："))


def _assistance_requested(p: Payload, ctx: _Context) -> str:
    return f"请{ctx.names.department(p.get('department'))}协办，协办期限至{_day(p.get('due_on'))}"


def _assistance_answered(p: Payload, ctx: _Context) -> str:
    return f"{ctx.names.department(p.get('department'))}回复协办意见" + _parts(_text(p, "note"))


def _information_released(p: Payload, ctx: _Context) -> str:
    # the names are the files' own (often in Latin letters): the page lists them; the sentence says how many
    given = p.get("files")
    files = [f for f in given if isinstance(f, Mapping)] if isinstance(given, list | tuple) else []
    size = sum(int(f.get("size") or 0) for f in files)
    return f"提供信息文件{len(files)}个" + _parts(f"共{max(1, size // 1024)}千字节" if size else "")


def _applicant_downloaded(p: Payload, ctx: _Context) -> str:
    if p.get("item") == "file":
        return "申请人在网上下载信息文件"
    return "申请人在网上下载文书" + _parts(_text(p, "ref"))


def _fixed(words: str) -> Teller:
    return lambda p, ctx: words


TELLERS: dict[str, Teller] = {
    E.RECEIVED: _received,
    E.RECEIPT_CONFIRMED: _receipt_confirmed,
    E.CORRECTION_REQUESTED: _correction_requested,
    E.CORRECTED: _corrected,
    E.CONSULTATION_STARTED: _consultation_started,
    E.CONSULTATION_ENDED: _consultation_ended,
    E.FEE_NOTIFIED: _fee_notified,
    E.FEE_PAID: _fee_paid,
    E.EXTENDED: _extended,
    E.DECIDED: _decided,
    E.DELIVERED: _delivered,
    E.WITHDRAWN: lambda p, ctx: "申请人撤回申请" + _parts(_text(p, "reason", "理由：")),
    E.REVIEW_FILED: _review_filed,
    E.REVIEW_CLOSED: _review_closed,
    E.LITIGATION_FILED: _litigation_filed,
    E.LITIGATION_CLOSED: _litigation_closed,
    E.CLOSED: _fixed("办结归档"),
    E.PERIOD_LAPSED: _period_lapsed,
    E.DEADLINES_RECOMPUTED: _deadlines_recomputed,
    E.RECORD_CORRECTION_DECIDED: _record_correction_decided,
    E.NOTICE_RECEIVED: _notice_received,
    E.REASONS_REQUESTED: _fixed("要求申请人说明理由（申请数量、频次明显超过合理范围）"),
    E.REASONS_RECEIVED: _reasons_received,
    E.SYSTEM_EVENTS_WITHDRAWN: _system_events_withdrawn,
    E.STEP_VOIDED: _step_voided,
    E.DOCUMENT_DRAFTED: _document_drafted,
    E.DOCUMENT_APPROVED: _document_approved,
    E.DOCUMENT_ISSUED: _document_issued,
    E.DOCUMENT_SERVED: _document_served,
    E.DOCUMENT_RETURNED: _document_returned,
    E.DOCUMENT_SENT_BACK: _document_sent_back,
    E.APPROVAL_REQUESTED: _approval_requested,
    E.APPROVAL_GRANTED: _approval_decided(granted=True),
    E.APPROVAL_REJECTED: _approval_decided(granted=False),
    E.DEPARTMENT_ASSIGNED: _department_assigned,
    E.DEPARTMENT_TRANSFERRED: _department_transferred,
    E.DEPARTMENT_SENT_BACK: _department_sent_back,
    E.ASSISTANCE_REQUESTED: _assistance_requested,
    E.ASSISTANCE_ANSWERED: _assistance_answered,
    E.INFORMATION_RELEASED: _information_released,
    E.APPLICANT_DOWNLOADED: _applicant_downloaded,
    E.APPLICANT_NOTICES_CHOSEN: lambda p, ctx: "申请人" + ("订阅" if p.get("enabled", True) else "退订") + "办理进展通知",
}


def narrate(events: Iterable[Mapping], names: Names = Names()) -> list[Narrated]:
    """The history JSON's `events`, in order, each told in one sentence."""
    context = _Context(names)
    told = []
    for event in events:
        teller = TELLERS.get(str(event["type"]))
        payload = event.get("payload") or {}
        text = teller(payload, context) if teller else "其他记录"
        withdrawn = event.get("withdrawn_by")
        told.append(Narrated(int(event["version"]), str(event["type"]), _when(str(event["occurred_at"])), text,
                             names.user(event.get("actor")), f"已由第{withdrawn}项撤销" if withdrawn else ""))
    return told
