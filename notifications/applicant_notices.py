"""Messages to the applicant (issue 20 item 5): the codes the portal sends (`write_applicant_message`, handed to
workflows/portal/ by bootstrap as its `Send`) and the milestones of a request (`ApplicantNotices`, an after-append
projector): confirmed, correction needed, fee notice, extension, reply served, withdrawal — through the outbox, once
each (the outbox's unique dedupe key), unless the applicant turned them off (`choose_notices`).

Who gets the milestones: the applicant of a request received on the online channel, at the phone and the e-mail
address the application gave (they applied through a system that answers them there); for any other channel only
when the applicant consented to 电子送达 (`electronic_service`) — a letter-writer who gave a phone number for a
question did not thereby ask to be messaged. Never for a history brought in by `ogi import` (`imported_from`): its
milestones happened long ago, on paper. Each message says only what the applicant told the agency or the agency
decided (dates, amounts, the 查询码), never a staff member's name or another person's data.

The words are templates/messages/applicant/ (Jinja2, StrictUndefined), rendered once, when the row is written; the
verification code is in the body only (the subject is shown in staff's list of failed messages), and delivery
(notifications/delivery.py, email.py, sms.py) logs the outbox id, the channel and a masked address, never a body.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from engine.adapters.eventstore import StoredEvent
from engine.adapters.rendering import render
from engine.projection import Change
from notifications import outbox
from notifications.notices import public_site
from workflows.foi.documents import chinese_date
from workflows.foi.event_types import EventType
from workflows.foi.state import RequestState
from workflows.foi.vocabulary import Channel
from workflows.portal.applicant_sign_in import contacts
from workflows.portal.messages import SIGN_IN_KIND, VERIFY_KIND, ApplicantMessage
from workflows.tables import agencies_table

TEMPLATES = "messages/applicant"
CODE_MINUTES = 10  # when the portal does not say how long its code lasts
CHANNELS = ("sms", "email")
SUBJECT_SHOWN = 60  # characters of the request's subject an e-mail repeats
REASON_SHOWN = 200  # characters of an extension's reason

# the event that makes a milestone, and the message kind it is written under
MILESTONES: dict[str, str] = {
    EventType.RECEIPT_CONFIRMED: "applicant.confirmed",
    EventType.CORRECTION_REQUESTED: "applicant.correction",
    EventType.FEE_NOTIFIED: "applicant.fee",
    EventType.EXTENDED: "applicant.extended",
    EventType.DELIVERED: "applicant.replied",
    EventType.WITHDRAWN: "applicant.withdrawn",
}


def milestone_kind(event: StoredEvent) -> str | None:
    """The message kind `event` makes, if any: an application received already confirmed (Art. 31: the confirmation
    recorded with the receipt) is confirmed as a `receipt_confirmed` would."""
    if event.type == EventType.RECEIVED:
        return MILESTONES[EventType.RECEIPT_CONFIRMED] if event.payload.get("confirmed_at") else None
    return MILESTONES.get(event.type)


# -- codes ----------------------------------------------------------------------------------------------------------
def write_applicant_message(conn: Connection, message: ApplicantMessage, now: dt.datetime) -> None:
    """The code message, in words, as an outbox row (a second writer of the same dedupe key writes nothing).

    `message.context`: `code` (six digits, required), `minutes` it is valid (default 10), `agency_name` (default
    the agency's name), `request_id` (the sign-in code names the request whose page it opens)."""
    if message.kind not in (VERIFY_KIND, SIGN_IN_KIND):
        raise ValueError(f"不是发给申请人的验证码消息：{message.kind[:40]}")
    if message.channel not in CHANNELS:
        raise ValueError(f"验证码只能以短信或电子邮件发送，不能以“{message.channel[:20]}”发送")
    code = str(message.context.get("code") or "")
    if not (code.isascii() and code.isdigit()):
        raise ValueError("验证码须为数字")  # never the value itself: this text may reach a log
    if not message.address.strip():
        raise ValueError("没有接收验证码的手机号码或电子邮箱")
    context = dict(
        code=code, minutes=int(str(message.context.get("minutes") or CODE_MINUTES)),
        agency_name=str(message.context.get("agency_name") or _agency_names(conn, [message.agency])[message.agency]),
        request_id=str(message.context.get("request_id") or message.request_id or ""),
        purpose="verify" if message.kind == VERIFY_KIND else "sign_in")
    subject = render(f"{TEMPLATES}/code_subject.txt.j2", **context).strip()
    body = render(f"{TEMPLATES}/code_{message.channel}.txt.j2", **context).strip() + "\n"
    outbox.write(conn, [(outbox.new_id(), outbox.NewMessage(
        message.dedupe_key, message.channel, None, message.address.strip(), message.request_id, message.agency,
        message.kind, None, subject, body))], now)


# -- milestones -----------------------------------------------------------------------------------------------------
def wants_milestones(state: RequestState) -> bool:
    """The applicant is to be told of the request's milestones (see the module's docstring for who)."""
    return (state.imported_from is None and state.applicant_notices
            and (state.channel == Channel.ONLINE or state.electronic_service))


def public_link() -> str | None:
    """The applicant's page on the site of OGI_PUBLIC_URL (https://ogi.example.gov.cn/my); None when it is unset
    (a bare path means nothing in an SMS)."""
    base = public_site()
    return f"{base}/my" if base else None


@dataclass(frozen=True)
class Milestone:
    state: RequestState  # after the append
    event: StoredEvent
    kind: str

    def dedupe_key(self, channel: str) -> str:
        # the version: a second extension is a message of its own; a replayed or retried append writes nothing twice
        return f"{self.state.request_id}|{self.kind}|v{self.event.version}|{channel}|applicant"


class ApplicantNotices:
    """After-append projector: the applicant's milestone messages.

    `query_code(conn, state)`: the 查询码 the confirmation message carries (DocumentService.lookup_code), set by
    bootstrap once the document service exists (it is built after the request service that runs this projector)."""

    name = "applicant_notices"

    def __init__(self, query_code: Callable[[Connection, RequestState], str] | None = None) -> None:
        self.query_code = query_code

    def apply(self, conn: Connection, changes: Sequence[Change[RequestState]]) -> None:
        # most appends carry no milestone: the event types are looked at before anything is read
        found = [Milestone(change.after, event, kind)
                 for change in changes for event in change.events if (kind := milestone_kind(event))]
        found = [m for m in found if wants_milestones(m.state) and contacts(m.state)]
        if not found:
            return
        planned = [(m, channel, address) for m in found for channel, address in contacts(m.state)]
        written = outbox.existing_keys(conn, [m.dedupe_key(channel) for m, channel, _ in planned])
        fresh = [(m, channel, address) for m, channel, address in planned if m.dedupe_key(channel) not in written]
        if not fresh:
            return
        names = _agency_names(conn, sorted({m.state.agency for m, _, _ in fresh}))
        contexts: dict[int, dict] = {}
        messages = []
        for m, channel, address in fresh:
            key = id(m)
            if key not in contexts:
                contexts[key] = self._context(conn, m, names[m.state.agency])
            context = contexts[key]
            subject = render(f"{TEMPLATES}/milestone_subject.txt.j2", **context).strip()
            body = render(f"{TEMPLATES}/milestone_{channel}.txt.j2", **context).strip() + "\n"
            messages.append((outbox.new_id(), outbox.NewMessage(
                m.dedupe_key(channel), channel, None, address, m.state.request_id, m.state.agency, m.kind, None,
                subject, body)))
        outbox.insert(conn, messages, changes[0].now)

    def _context(self, conn: Connection, milestone: Milestone, agency_name: str) -> dict:
        state, payload = milestone.state, milestone.event.payload
        query_code = (self.query_code(conn, state)
                      if self.query_code is not None and milestone.kind == "applicant.confirmed" else None)
        return dict(
            kind=milestone.kind, agency_name=agency_name, request_id=state.request_id,
            subject=_shortened(state.subject, SUBJECT_SHOWN), link=public_link(), query_code=query_code,
            received_on=_day(state.received_on), reply_due=_due(state, "reply"),
            correction_due=_due(state, "correction"), correction_days=state.correction_period_days,
            fee_amount=_yuan(state.fee_amount_yuan), payment_due=_due(state, "payment"),
            reason=_shortened(str(payload.get("reason") or ""), REASON_SHOWN),
            delivered_on=_day(state.delivered_on), withdrawn_on=_day(state.concluded_on))


def _agency_names(conn: Connection, slugs: Sequence[str]) -> Mapping[str, str]:
    a = agencies_table.c
    found = dict(conn.execute(select(a.slug, a.name).where(a.slug.in_(list(slugs)))).all())
    return {slug: found.get(slug) or slug for slug in slugs}


def _day(day: dt.date | None) -> str | None:
    return chinese_date(day) if day else None


def _due(state: RequestState, period: str) -> str | None:
    deadline = state.deadlines.get(period)
    return _day(deadline.due) if deadline is not None else None


def _yuan(amount: float | None) -> str | None:
    if amount is None:
        return None
    return f"{amount:.0f}" if float(amount).is_integer() else f"{amount:.2f}"


def _shortened(text: str, limit: int) -> str:
    text = " ".join(text.split())  # one line: an SMS or a subject never breaks
    return text if len(text) <= limit else text[:limit] + "…"
