"""From a notice (a reminder, an alert, a lapse) to outbox messages: who gets it, on which channels, in what words.

Recipients (DESIGN §8): the request's handler, else every staff member and head of the agency; an overdue alert
(督办) also goes to the agency's heads. Each person gets it in the in-app inbox, by e-mail when they have an
address and by SMS when they have a phone; the agency's webhook, when set, gets one copy. The words come from
templates/messages/ (Jinja2, StrictUndefined), rendered once, when the row is written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from sqlalchemy import Connection, select

from engine.adapters.rendering import render
from engine.calendar import WorkingCalendar
from engine.projection import Change
from notifications import outbox
from notifications.reminders import (
    HANDLER,
    HANDLER_AND_HEADS,
    LAPSE_NOTICES,
    RULE_OF,
    Notice,
    due_notices,
)
from workflows.foi.citations import cite
from workflows.foi.deadlines import DEADLINE_LABELS
from workflows.foi.event_types import EventType
from workflows.foi.state import RequestState
from workflows.people.accounts import Role, parse_offsets
from workflows.tables import agencies_table, requests_table, task_assignments_table, user_agencies_table, users_table

LAPSE_ADVICE = {
    "correction": "申请人未在补正期限内补正，视为放弃申请（《条例》第三十条）；请经办人决定是否以“申请人无正当理由逾期不补正”"
                  "作其他处理办结。",
    "payment": "申请人未在缴费期限内缴纳信息处理费，视为放弃申请（国办函〔2020〕109号）；请经办人决定是否以"
               "“申请人逾期未按收费通知要求缴纳费用”作其他处理办结。",
    "consultation": "征求意见期满未收到答复，答复期限恢复计算（《条例》第三十二条、第三十三条）；请经办人继续办理。",
}
ARTICLE_OF_LAPSE = {"correction": "Art. 30", "payment": "109号", "consultation": "Art. 32"}
RUNNING_STAGES = sorted({stage.value for rule in RULE_OF.values() for stage in rule.stages})
LOOK_AHEAD = dt.timedelta(days=31)  # a reminder 20 working days ahead is well inside a month, Spring Festival included


@dataclass(frozen=True)
class Person:
    username: str
    role: str
    email: str | None
    phone: str | None


@dataclass
class AgencyPeople:
    """The people and settings a sweep needs, read once per sweep."""

    people: dict[str, list[Person]] = field(default_factory=dict)  # agency -> its staff and heads
    handlers: dict[str, str] = field(default_factory=dict)  # request -> handler
    agencies: dict[str, dict] = field(default_factory=dict)  # slug -> name, reminder offsets, webhook

    @classmethod
    def read(cls, conn: Connection, request_ids: Sequence[str] | None = None) -> AgencyPeople:
        """`request_ids`: the requests whose handlers are needed (None: all, for a sweep)."""
        u, ua = users_table.c, user_agencies_table.c
        people: dict[str, list[Person]] = defaultdict(list)
        for row in conn.execute(select(ua.agency, u.username, u.role, u.email, u.phone)
                                .select_from(user_agencies_table.join(users_table, ua.username == u.username))
                                .where(u.role.in_((Role.STAFF.value, Role.HEAD.value, Role.ADMIN.value)))
                                .order_by(u.username)):
            people[row.agency].append(Person(row.username, row.role, row.email, row.phone))
        t = task_assignments_table.c
        handlers_query = select(t.request_id, t.assignee).where(t.task == "handler")
        if request_ids is not None:
            handlers_query = handlers_query.where(t.request_id.in_(request_ids))
        handlers = dict(conn.execute(handlers_query).all())
        agencies = {row.slug: {"name": row.name, "offsets": parse_offsets(row.reminder_days),
                               "webhook": row.webhook_url}
                    for row in conn.execute(select(agencies_table))}
        return cls(dict(people), handlers, agencies)

    def recipients(self, request_id: str, agency: str, audience: str) -> list[Person]:
        staff = self.people.get(agency, [])
        handler = self.handlers.get(request_id)
        chosen = [p for p in staff if p.username == handler] if handler else []
        if not chosen:
            chosen = [p for p in staff if p.role in (Role.STAFF.value, Role.ADMIN.value)] or staff
        if audience == HANDLER_AND_HEADS:
            chosen += [p for p in staff if p.role == Role.HEAD.value and p not in chosen]
        return chosen


@dataclass(frozen=True)
class Planned:
    """One message before its words are rendered: enough to know whether it was written already."""

    notice: Notice
    request_id: str
    agency: str
    channel: str
    recipient: str | None
    address: str

    @property
    def dedupe_key(self) -> str:
        day = f"|{self.notice.day.isoformat()}" if self.notice.day else ""
        return (f"{self.request_id}|{self.notice.kind}|{self.notice.due.isoformat()}|{self.channel}|"
                f"{self.recipient or self.agency}{day}")


def plan(notice: Notice, request_id: str, agency: str, people: AgencyPeople) -> list[Planned]:
    planned = []
    for person in people.recipients(request_id, agency, notice.audience):
        planned.append(Planned(notice, request_id, agency, "inbox", person.username, person.username))
        if person.email:
            planned.append(Planned(notice, request_id, agency, "email", person.username, person.email))
        if person.phone:
            planned.append(Planned(notice, request_id, agency, "sms", person.username, person.phone))
    webhook = people.agencies.get(agency, {}).get("webhook")
    if webhook:
        planned.append(Planned(notice, request_id, agency, "webhook", None, webhook))
    return planned


def public_site() -> str:
    """The site's address for links in messages: OGI_PUBLIC_URL (https://ogi.example.gov.cn), "" when unset."""
    return os.environ.get("OGI_PUBLIC_URL", "").strip().rstrip("/")


def request_link(request_id: str) -> str:
    """Where the request's page is: on the site of OGI_PUBLIC_URL, else its path."""
    return public_site() + "/requests/" + quote(request_id, safe="")


def rendered(planned: Planned, subject: str, article: str, people: AgencyPeople) -> tuple[str, outbox.NewMessage]:
    notice, message_id = planned.notice, outbox.new_id()
    family, _, rest = notice.kind.partition(".")
    context = dict(family=family, deadline=notice.deadline, deadline_labels=DEADLINE_LABELS,
                   request_id=planned.request_id, subject=subject,
                   agency_name=people.agencies.get(planned.agency, {}).get("name", planned.agency),
                   due=notice.due.isoformat(), citation=cite(article),
                   offset=int(rest.rsplit(".", 1)[-1]) if family == "reminder" else 0,
                   lapse_advice=LAPSE_ADVICE.get(notice.deadline, ""), link=request_link(planned.request_id))
    title = render("messages/subject.txt.j2", **context).strip()
    # an SMS says what and where in a line; the inbox, e-mail and webhook carry the whole message
    template = "messages/sms.txt.j2" if planned.channel == "sms" else "messages/body.txt.j2"
    body = render(template, **context, title=title, message_id=message_id).strip() + "\n"
    return message_id, outbox.NewMessage(planned.dedupe_key, planned.channel, planned.recipient, planned.address,
                                         planned.request_id, planned.agency, notice.kind, notice.due, title, body)


def write_planned(conn: Connection, planned: list[tuple[Planned, str, str]], people: AgencyPeople,
                  now: dt.datetime) -> int:
    """Render and write the (planned message, request subject, article) not written before."""
    written = outbox.existing_keys(conn, [p.dedupe_key for p, _, _ in planned])  # before rendering: most were sent
    fresh = [rendered(p, subject, article, people) for p, subject, article in planned if p.dedupe_key not in written]
    outbox.supersede(conn, [message for _, message in fresh])  # one per deadline, channel and recipient: the latest
    return len(outbox.insert(conn, fresh, now))


def write_due_reminders(conn: Connection, today: dt.date, calendar: WorkingCalendar, now: dt.datetime) -> int:
    """The sweep's part: every reminder and alert due today for the running requests; returns the rows written."""
    r = requests_table.c
    rows = conn.execute(select(r.request_id, r.agency, r.subject, r.stage, r.deadlines)
                        .where(r.stage.in_(RUNNING_STAGES), r.next_due <= today + LOOK_AHEAD)
                        .order_by(r.next_due, r.request_id)).all()
    people = AgencyPeople.read(conn)
    planned = []
    for row in rows:
        offsets = people.agencies.get(row.agency, {}).get("offsets")
        for notice in due_notices(row.stage, json.loads(row.deadlines), today, calendar, *([offsets] if offsets else [])):
            planned += [(p, row.subject, RULE_OF[notice.deadline].article)
                        for p in plan(notice, row.request_id, row.agency, people)]
    return write_planned(conn, planned, people, now)


class LapseNotices:
    """After-append projector: a lapse of the applicant's correction or payment period, or of a consultation,
    is announced to the handler in the transaction that records it (the decision stays with staff)."""

    name = "lapse_notices"

    def apply(self, conn: Connection, changes: Sequence[Change[RequestState]]) -> None:
        # only while the request is still open: a history imported whole, or a lapse already acted on, says nothing
        lapses = [(change.after, event) for change in changes for event in change.events
                  if event.type == EventType.PERIOD_LAPSED and event.payload.get("period") in LAPSE_NOTICES
                  and change.after.is_open]
        if not lapses:
            return
        people = AgencyPeople.read(conn, sorted({state.request_id for state, _ in lapses}))
        planned = []
        for state, event in lapses:
            period = event.payload["period"]
            notice = Notice(f"lapse.{period}", period, dt.date.fromisoformat(event.payload["due"]), HANDLER)
            planned += [(p, state.subject, ARTICLE_OF_LAPSE[period])
                        for p in plan(notice, state.request_id, state.agency, people)]
        write_planned(conn, planned, people, changes[0].now)


def write_checkpoint_notices(conn: Connection, checkpoint: dict, now: dt.datetime) -> int:
    """Hand a signed checkpoint to every auditor with an e-mail address (issue 9: checkpoints others keep).

    Each (checkpoint, auditor) is written once; the body is the checkpoint itself, to be kept and later given to
    `ogi audit verify --checkpoints DIR`."""
    u = users_table.c
    auditors = conn.execute(select(u.username, u.email).where(u.role == Role.AUDITOR.value, u.email.is_not(None))).all()
    text = json.dumps(checkpoint, ensure_ascii=False, indent=1)
    name = f"checkpoint-{checkpoint['size']:012d}-{checkpoint['head'][:16]}.json"
    messages = [(outbox.new_id(), outbox.NewMessage(
        f"checkpoint|{checkpoint['size']}|{checkpoint['head']}|email|{a.username}", "email", a.username, a.email,
        None, None, "checkpoint", None, f"【审计检查点】事件日志共 {checkpoint['size']} 条，{checkpoint['head'][:16]}…",
        f"这是事件日志的签名检查点（Ed25519 签名）。请原样保存为 {name}，与此前收到的检查点放在同一文件夹；"
        f"核验事件日志时，把这个文件夹交给审计核验，核验会证明今天的日志包含此前每个检查点记录的内容，未被改动。\n\n{text}\n")) for a in auditors]
    return len(outbox.write(conn, messages, now))
