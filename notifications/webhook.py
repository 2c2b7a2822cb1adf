"""Webhooks to an agency's own system (`ogi agency set SLUG --webhook URL --webhook-secret S`; DESIGN §8).

The JSON body `{"id", "subject", "text", **payload}` is serialized once (sorted keys, UTF-8) and signed as sent:
`X-Ogi-Signature: sha256=<hex HMAC-SHA256 of the body bytes>`; `Idempotency-Key: <outbox id>`. A receiver
checks the signature over the raw bytes it received with `verify_signature` (or the same three lines).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging

from notifications.message import DeliveryError, OutgoingMessage, check_id, post_json

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Ogi-Signature"


def sign(body: bytes, secret: str) -> str:
    """The `X-Ogi-Signature` value for these exact body bytes."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, secret: str, header: str | None) -> bool:
    """Whether `header` (an `X-Ogi-Signature` value) signs `body` with `secret`; compared in constant time."""
    if not header or not secret:
        return False
    expected = sign(body, secret).encode()
    received = header.strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected, received)


def webhook_body(message: OutgoingMessage) -> bytes:
    """The body, serialized once. The message's id, subject and text win over payload keys of the same name."""
    data = {**message.payload, "id": message.id, "subject": message.subject, "text": message.body}
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_value).encode()


def _json_value(value: object) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class WebhookSender:
    def __repr__(self) -> str:
        return "WebhookSender()"

    def send(self, message: OutgoingMessage, secret: str) -> None:
        check_id(message)
        if not secret:
            raise DeliveryError("本机关的消息推送未设置推送密钥，无法签名", permanent=True)
        try:
            body = webhook_body(message)
        except (TypeError, ValueError) as exc:
            raise DeliveryError(f"推送内容不是 JSON：{exc}", permanent=True) from None
        post_json(message, "webhook", message.to, body, log, {SIGNATURE_HEADER: sign(body, secret)})
