"""Delivering one outbox message: claim it, check that its cause still holds, send it on its channel, mark it.

The worker's actor calls `Deliverer.deliver(id)`; it is idempotent: a message already sent, claimed by another
worker, or not yet due is left alone. A worker killed while sending leaves the row claimed; when the claim's
lease runs out the relay hands it out again and it is sent again under the same id (the receiver's
idempotency key). Failures back off and, after `MAX_ATTEMPTS` or a permanent refusal, park the message.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from sqlalchemy import Engine, select

from engine.clock import Clock
from notifications import outbox
from notifications.email import SmtpSender
from notifications.message import DeliveryError, OutgoingMessage, mask_recipient
from notifications.quiet_hours import next_sms_moment, sms_allowed_at
from notifications.reminders import still_due
from notifications.sms import SmsGateway
from notifications.webhook import WebhookSender
from workflows.tables import agencies_table, requests_table

log = logging.getLogger(__name__)
UNCONFIGURED_WAIT = dt.timedelta(hours=1)  # a channel not set up yet: its messages wait, attempts not counted


CODE_KINDS = ("portal.",)  # the online door's verification and sign-in codes (workflows/portal/messages.py)
CODE_LIFETIME = dt.timedelta(minutes=15)  # the longest a portal code is good for (submissions.CODE_MINUTES)


def _expired_code(row, now: dt.datetime) -> str | None:
    """A code that could not go out while it was good is not sent late: it would only mislead."""
    if row.kind.startswith(CODE_KINDS) and now - row.created_at > CODE_LIFETIME:
        return "验证码已过有效期，不再发送"
    return None


@dataclass
class Deliverer:
    engine: Engine
    clock: Clock
    email: SmtpSender | None  # None: OGI_SMTP_URL unset; e-mails wait until it is set
    sms: SmsGateway | None
    webhook: WebhookSender
    lease: dt.timedelta = outbox.LEASE  # how long a claim keeps others off a message being sent

    def deliver(self, message_id: str) -> str:
        """Returns what became of it: sent, retry, parked, cancelled, held, or skipped (not this caller's)."""
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = outbox.claim(conn, message_id, now, self.lease)
            if row is None:
                return "skipped"
            reason = self._obsolete(conn, row) or _expired_code(row, now)
            if reason:
                outbox.cancel(conn, message_id, reason)
                return "cancelled"
            # quiet hours are for reminders: a code the applicant just asked for is wanted now, or not at all
            if row.channel == "sms" and not row.kind.startswith(CODE_KINDS) and not sms_allowed_at(now):
                outbox.hold_until(conn, message_id, next_sms_moment(now))
                return "held"
            if (row.channel == "email" and self.email is None) or (row.channel == "sms" and self.sms is None):
                outbox.hold_until(conn, message_id, now + UNCONFIGURED_WAIT)  # waits for OGI_SMTP_URL / OGI_SMS_URL
                return "held"
            secret = conn.execute(select(agencies_table.c.webhook_secret)
                                  .where(agencies_table.c.slug == row.agency)).scalar() if row.channel == "webhook" else None
        # sent outside the claim's transaction: the claim (status 'sending', with a lease) keeps others off it
        try:
            self._send(row, secret)
        except DeliveryError as error:
            with self.engine.begin() as conn:
                status = outbox.mark_failed(conn, message_id, row.attempts, str(error), error.permanent, self.clock.now())
            log.warning("outbox %s %s to %s failed (attempt %d, now %s): %s", message_id, row.channel,
                        mask_recipient(row.address), row.attempts, status, error)
            return "parked" if status == "parked" else "retry"
        with self.engine.begin() as conn:
            outbox.mark_sent(conn, message_id, self.clock.now())
        return "sent"

    @staticmethod
    def _obsolete(conn, row) -> str | None:
        """Why a reminder or alert no longer holds (concluded, suspended, due day moved), else None."""
        if row.request_id is None or not row.kind.startswith(("reminder.", "overdue.")):
            return None
        request = conn.execute(select(requests_table.c.stage, requests_table.c.deadlines)
                               .where(requests_table.c.request_id == row.request_id)).first()
        if request is None or not still_due(row.kind, request.stage, json.loads(request.deadlines), row.deadline_due):
            return "发送前该申请已办结或中止，或期限已变更，消息不再发送"
        return None

    def _send(self, row, secret: str | None) -> None:
        message = OutgoingMessage(row.id, row.channel, row.address, row.subject, row.body,
                                  {"kind": row.kind, "request_id": row.request_id, "agency": row.agency,
                                   "due": row.deadline_due.isoformat() if row.deadline_due else None})
        if row.channel == "email" and self.email is not None:
            self.email.send(message)
        elif row.channel == "sms" and self.sms is not None:
            self.sms.send(message)
        elif row.channel == "webhook":
            if not secret:
                raise DeliveryError("本机关的消息推送未设置推送密钥，无法签名", permanent=True)
            self.webhook.send(message, secret)
        elif row.channel != "inbox":
            raise DeliveryError(f"未知的发送渠道“{row.channel}”", permanent=True)
