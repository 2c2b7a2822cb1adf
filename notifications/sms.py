"""SMS through an HTTP gateway (`OGI_SMS_URL`; DESIGN §8).

ogi POSTs `{"id": "<outbox id>", "to": "<phone>", "text": "…"}` with the header `Idempotency-Key: <outbox id>`;
any 2xx is delivered. SMS is held during quiet hours (notifications.quiet_hours): the caller's choice, not this one's.
"""

from __future__ import annotations

import json
import logging

from notifications.message import DeliveryError, OutgoingMessage, check_id, mask_recipient, post_json

log = logging.getLogger(__name__)


class SmsGateway:
    def __init__(self, url: str):
        self.url = url

    def __repr__(self) -> str:
        return f"SmsGateway({mask_recipient(self.url)})"

    def send(self, message: OutgoingMessage) -> None:
        check_id(message)
        if not message.to.strip():
            raise DeliveryError("收件人没有手机号码", permanent=True)
        body = json.dumps({"id": message.id, "to": message.to, "text": message.body}, ensure_ascii=False).encode()
        post_json(message, "sms", self.url, body, log)
