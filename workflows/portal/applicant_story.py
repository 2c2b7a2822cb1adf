"""A request's progress told to its applicant: the steps that concern them, in the second person, without the
staff's names, the departments, approvals, drafts, downloads or the timers' own records, and without the name of a
third party consulted (Art. 32: the party's identity is not the applicant's to know from this page).

Pure, like workflows/foi/narration.py, whose labels it shares; an event taken back (a voided step) is not told.
Also here: the items of a served correction notice, read from its text, for the page to answer one by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from engine.adapters.eventstore import StoredEvent
from workflows.foi.decide import withdrawn_versions
from workflows.foi.documents import DOCUMENT_TITLES, DocumentType, chinese_date
from workflows.foi.event_types import EventType
from workflows.foi.state import RequestState
from workflows.foi.vocabulary import CHANNEL_LABELS, DELIVERY_LABELS, RECORD_CORRECTION_LABELS, Channel, label

E = EventType
Payload = Mapping[str, object]
CORRECTION_ITEMS_START = "补正事项如下："  # templates/documents/correction_notice.txt.j2: the items follow this line


def _day(value: object) -> str:
    try:
        return chinese_date(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return ""


def _due(p: Payload, name: str) -> str:
    deadlines = p.get("deadlines")
    if isinstance(deadlines, Mapping) and isinstance(deadlines.get(name), Mapping):
        return _day(deadlines[name].get("due"))
    return ""


def _until(p: Payload, name: str, words: str) -> str:
    due = _due(p, name)
    return f"，{words}{due}" if due else ""


def _received(p: Payload) -> str:
    how = "网上提交" if p.get("channel") == Channel.ONLINE else label(CHANNEL_LABELS, p.get("channel"), "提交")
    told = f"收到您的申请（{how}）"
    if p.get("confirmed_at"):
        told += f"，收到日期为{_day(p['confirmed_at'])}" + _until(p, "reply", "答复期限至")
    elif p.get("channel") == Channel.ONLINE:
        told += "，待受理机关确认收到"
    if p.get("electronic_service"):
        told += "；您同意以电子方式送达答复"
    return told


def _confirmed(p: Payload, when: dt.date) -> str:
    return f"受理机关确认收到您的申请，收到日期为{chinese_date(when)}" + _until(p, "reply", "答复期限至")


def _fee(p: Payload) -> str:
    amount = p.get("amount_yuan")
    money = f"{amount:g}元" if isinstance(amount, int | float) else ""
    return f"受理机关通知您缴纳信息处理费{money}，缴费期间答复期限暂停计算" + _until(p, "payment", "缴费期限至")


def _extended(p: Payload) -> str:
    days = p.get("working_days")
    reason = str(p.get("reason") or "").strip()
    return ((f"答复期限延长{days}个工作日" if days else "答复期限延长") + _until(p, "reply", "至")
            + (f"（理由：{reason}）" if reason else ""))


def _notice_received(p: Payload) -> str:
    if p.get("notice") == "fee":
        return "您已收到收费通知书" + _until(p, "payment", "缴费期限至")
    return "您已收到补正告知书" + _until(p, "correction", "补正期限至")


def _delivered(p: Payload) -> str:
    how = label(DELIVERY_LABELS, p.get("method"), "")
    day = _day(p.get("served_on")) if p.get("served_on") else ""
    return "答复已送达您" + (f"（{how}" + (f"，送达日{day}" if day else "") + "）" if how else "")


def _served(p: Payload) -> str:
    # the notices that carry a step are told by that step; the rest (receipt, extension notice) here
    if p.get("doc_type") in (DocumentType.RECEIPT, DocumentType.EXTENSION_NOTICE):
        return f"向您送达{label(DOCUMENT_TITLES, p.get('doc_type'), '文书')}"
    return ""


Teller = Callable[[Payload, dt.date], str]
TELLERS: dict[str, Teller] = {
    E.RECEIVED: lambda p, d: _received(p),
    E.RECEIPT_CONFIRMED: _confirmed,
    E.CORRECTION_REQUESTED: lambda p, d: "受理机关告知您补正申请" + _until(p, "correction", "补正期限至"),
    E.NOTICE_RECEIVED: lambda p, d: _notice_received(p),
    E.CORRECTED: lambda p, d: "受理机关收到您的补正，答复期限自收到补正之日重新计算" + _until(p, "reply", "至"),
    E.CONSULTATION_STARTED: lambda p, d: "受理机关就您申请的信息征求有关方面意见，征求意见期间答复期限暂停计算",
    E.CONSULTATION_ENDED: lambda p, d: "征求意见结束，答复期限恢复计算" + _until(p, "reply", "至"),
    E.FEE_NOTIFIED: lambda p, d: _fee(p),
    E.FEE_PAID: lambda p, d: "信息处理费已缴纳，答复期限恢复计算" + _until(p, "reply", "至"),
    E.EXTENDED: lambda p, d: _extended(p),
    E.REASONS_REQUESTED: lambda p, d: "受理机关请您说明理由（申请数量、频次明显超过合理范围）",
    E.REASONS_RECEIVED: lambda p, d: "受理机关收到您说明的理由",
    E.DOCUMENT_SERVED: lambda p, d: _served(p),
    E.DELIVERED: lambda p, d: _delivered(p),
    E.RECORD_CORRECTION_DECIDED: lambda p, d: "受理机关答复您的更正申请："
    + label(RECORD_CORRECTION_LABELS, p.get("result"), "已作出答复"),
    E.WITHDRAWN: lambda p, d: "您撤回了申请",
    E.CLOSED: lambda p, d: "办结归档",
}


def story(events: Iterable[StoredEvent]) -> list[str]:
    """The applicant's steps of the request, oldest first: "2026年11月26日　收到您的申请（网上提交）…"."""
    events = list(events)
    taken_back = withdrawn_versions(events)
    told = []
    for event in events:
        teller = TELLERS.get(event.type)
        if teller is None or event.version in taken_back:
            continue
        text = teller(event.payload or {}, event.occurred_at.date())
        if text:
            told.append(f"{chinese_date(event.occurred_at.date())}　{text}")
    return told


def correction_items(state: RequestState) -> list[str]:
    """The items of the correction notice last served (the lines after 补正事项如下： up to the blank line)."""
    notices = [d for d in state.documents if d.type == DocumentType.CORRECTION_NOTICE and d.state == "served"]
    if not notices:
        return []
    return items_of(notices[-1].text)


def items_of(text: str) -> list[str]:
    _, found, after = text.partition(CORRECTION_ITEMS_START)
    if not found:
        return []
    items: list[str] = []
    for line in after.splitlines():
        if line.strip():
            items.append(line.strip())
        elif items:
            break
    return items


def answered(answers: Sequence[str]) -> str:
    """The content recorded for the answers given, by item: 第1项：…\n第3项：… (an item left empty is not told)."""
    return "\n".join(f"第{n}项：{a.strip()}" for n, a in enumerate(answers, 1) if a.strip())
