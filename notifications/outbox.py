"""The outbox: every message ogi sends is first a row, written in the transaction of what causes it.

A row's id is its idempotency key on every channel; its `dedupe_key` (request, kind, channel, recipient, and the
day for a daily alert) is unique, so a second scheduler, a restart or a repeated sweep writes nothing twice.
Delivery (notifications/delivery.py) claims a row before sending and marks it after:

    pending --claim--> sending --sent--> sent
       ^                  |  failure: back to pending with a backoff; after MAX_ATTEMPTS, or a permanent one: parked
       +---- lease over (the worker died while sending): pending again, sent again under the same id

A message whose cause no longer holds when its turn comes (the request concluded or was suspended, the due day
moved) is `cancelled`, not sent. Inbox messages are delivered when written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, and_, or_, select, update

from engine.adapters.database import upsert_insert
from engine.clock import Clock
from engine.errors import NotFound, OgiError
from notifications.outbox_words import STATUS_WORDS
from workflows.people.accounts import User
from workflows.tables import outbox_table

MAX_ATTEMPTS = 6
LEASE = dt.timedelta(minutes=2)  # a claim older than this is taken for a worker that died while sending
RELAY_AGAIN_AFTER = dt.timedelta(seconds=30)  # a row handed to the broker is handed again if still waiting then
STATUSES = ("pending", "sending", "sent", "parked", "cancelled")


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, 4 min… capped at one hour."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


@dataclass(frozen=True)
class NewMessage:
    dedupe_key: str
    channel: str
    recipient: str | None
    address: str
    request_id: str | None
    agency: str | None
    kind: str
    deadline_due: dt.date | None
    subject: str
    body: str


def new_id() -> str:
    return uuid.uuid4().hex


def existing_keys(conn: Connection, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        found |= set(conn.execute(select(outbox_table.c.dedupe_key).where(outbox_table.c.dedupe_key.in_(chunk))).scalars())
    return found


def write(conn: Connection, messages: Iterable[tuple[str, NewMessage]], now: dt.datetime) -> list[str]:
    """Insert the messages (id, message) not written before; returns the ids written."""
    messages = list(messages)
    written = existing_keys(conn, [m.dedupe_key for _, m in messages])
    return insert(conn, [(i, m) for i, m in messages if m.dedupe_key not in written], now)


def insert(conn: Connection, messages: Sequence[tuple[str, NewMessage]], now: dt.datetime) -> list[str]:
    """Insert messages whose keys the caller found unwritten. Two writers at once: the unique `dedupe_key`
    keeps one row, the other insert does nothing."""
    rows = [dict(id=message_id, **vars(m), status="sent" if m.channel == "inbox" else "pending", attempts=0,
                 next_attempt_at=now, created_at=now, sent_at=now if m.channel == "inbox" else None)
            for message_id, m in messages]
    if rows:
        conn.execute(_insert_ignoring_duplicates(conn), rows)
    return [r["id"] for r in rows]


def supersede(conn: Connection, messages: Sequence[NewMessage]) -> int:
    """Cancel the reminders and alerts still waiting (pending) that a newer one about the same deadline of the same
    request replaces on the same channel for the same recipient: one message per deadline per channel per
    recipient, the latest (after a downtime of the worker, the 5-day reminder is not sent beside the 2-day one)."""
    o, cancelled = outbox_table.c, 0
    for m in messages:
        family, _, rest = m.kind.partition(".")
        if family not in ("reminder", "overdue") or m.request_id is None:
            continue
        deadline = rest.split(".", 1)[0]
        same_recipient = o.recipient.is_(None) if m.recipient is None else o.recipient == m.recipient
        done = conn.execute(update(outbox_table).where(
            o.request_id == m.request_id, o.channel == m.channel, same_recipient, o.status == "pending",
            o.dedupe_key != m.dedupe_key,
            or_(o.kind.startswith(f"reminder.{deadline}.", autoescape=True), o.kind == f"overdue.{deadline}"))
            .values(status="cancelled", last_error=SUPERSEDED))
        cancelled += done.rowcount
    return cancelled


SUPERSEDED = "已由同一期限较新的提醒或督办消息取代，未发送"


def _insert_ignoring_duplicates(conn: Connection):
    return upsert_insert(conn, outbox_table).on_conflict_do_nothing(index_elements=["dedupe_key"])


# -- delivery's side -------------------------------------------------------------------------------------------
_WAITING = and_(outbox_table.c.status.in_(("pending", "sending")))


def to_relay(conn: Connection, now: dt.datetime, limit: int = 500) -> list[str]:
    """Rows due to be handed to the broker (marked as handed now): new, retried, or claimed by a dead worker."""
    o = outbox_table.c
    ids = list(conn.execute(
        select(o.id).where(_WAITING, o.next_attempt_at <= now,
                           or_(o.enqueued_at.is_(None), o.enqueued_at <= now - RELAY_AGAIN_AFTER))
        .order_by(o.next_attempt_at).limit(limit)).scalars())
    if ids:
        conn.execute(update(outbox_table).where(o.id.in_(ids)).values(enqueued_at=now))
    return ids


def claim(conn: Connection, message_id: str, now: dt.datetime, lease: dt.timedelta = LEASE):
    """Take the row for sending (its lease runs until now + `lease`); None when it is not this caller's to send."""
    o = outbox_table.c
    taken = conn.execute(update(outbox_table)
                         .where(o.id == message_id, _WAITING, o.next_attempt_at <= now)
                         .values(status="sending", attempts=o.attempts + 1, next_attempt_at=now + lease))
    if taken.rowcount != 1:
        return None
    return conn.execute(select(outbox_table).where(o.id == message_id)).one()


def mark_sent(conn: Connection, message_id: str, now: dt.datetime) -> None:
    conn.execute(update(outbox_table).where(outbox_table.c.id == message_id)
                 .values(status="sent", sent_at=now, last_error=None))


def mark_failed(conn: Connection, message_id: str, attempts: int, error: str, permanent: bool, now: dt.datetime) -> str:
    status = "parked" if permanent or attempts >= MAX_ATTEMPTS else "pending"
    conn.execute(update(outbox_table).where(outbox_table.c.id == message_id)
                 .values(status=status, last_error=error[:2000], next_attempt_at=now + backoff(attempts)))
    return status


def hold_until(conn: Connection, message_id: str, moment: dt.datetime) -> None:
    """Put a claimed row back without counting an attempt (an SMS in quiet hours)."""
    o = outbox_table.c
    conn.execute(update(outbox_table).where(o.id == message_id)
                 .values(status="pending", attempts=o.attempts - 1, next_attempt_at=moment, enqueued_at=None))


def cancel(conn: Connection, message_id: str, reason: str) -> None:
    conn.execute(update(outbox_table).where(outbox_table.c.id == message_id)
                 .values(status="cancelled", last_error=reason))


# -- staff's side --------------------------------------------------------------------------------------------
def listing(conn: Connection, status: str | None = None, request_id: str | None = None,
            recipient: str | None = None, channel: str | None = None) -> list:
    o = outbox_table.c
    query = select(outbox_table)
    if status:
        if status not in STATUSES:
            raise OgiError(f"消息状态“{status[:40]}”不存在，可选：{'、'.join(f'{STATUS_WORDS[s]}（{s}）' for s in STATUSES)}")
        query = query.where(o.status == status)
    if request_id:
        query = query.where(o.request_id == request_id)
    if recipient:
        query = query.where(o.recipient == recipient)
    if channel:
        query = query.where(o.channel == channel)
    return list(conn.execute(query.order_by(o.created_at, o.id)))


def retry(conn: Connection, message_id: str, now: dt.datetime) -> None:
    """A parked (or cancelled) message goes out again, under the same id."""
    o = outbox_table.c
    row = conn.execute(select(o.status).where(o.id == message_id)).first()
    if row is None:
        raise NotFound(f"没有编号为“{message_id[:60]}”的待发消息")
    if row.status not in ("parked", "cancelled"):
        raise OgiError(f"消息“{message_id[:60]}”的状态是“{STATUS_WORDS.get(row.status, row.status)}”，只有发送失败或已取消的消息才能重新发送")
    conn.execute(update(outbox_table).where(o.id == message_id)
                 .values(status="pending", attempts=0, next_attempt_at=now, enqueued_at=None))


@dataclass
class OutboxService:
    """What staff and administrators do with the outbox: look, and send a parked message again."""

    engine: Engine
    clock: Clock

    def messages(self, viewer: User, status: str | None = None, request_id: str | None = None) -> list:
        with self.engine.connect() as conn:
            return listing(conn, status, request_id)

    def inbox(self, viewer: User) -> list:
        with self.engine.connect() as conn:
            return listing(conn, recipient=viewer.username, channel="inbox")

    def retry(self, message_id: str, actor: User) -> None:
        actor.require_write("retry messages")
        with self.engine.begin() as conn:
            retry(conn, message_id, self.clock.now())
