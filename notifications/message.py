"""What the delivery adapters send, and how they fail (DESIGN §8).

The outbox id is the idempotency key on every channel: the e-mail's Message-ID, the SMS gateway's `id`,
the webhook's `Idempotency-Key`. Logs and error texts name the outbox id, the channel and a masked
recipient only, never the body, the full phone number or the full e-mail address.
"""

from __future__ import annotations

import http.client
import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.utils import parseaddr
from urllib.parse import urlsplit

CHANNELS = ("email", "sms", "webhook")

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


@dataclass(frozen=True, repr=False)
class OutgoingMessage:
    id: str  # the outbox id: the idempotency key on every channel
    channel: str  # "email" | "sms" | "webhook"
    to: str  # e-mail address, phone number, or webhook URL
    subject: str
    body: str  # plain text (Chinese)
    payload: dict = field(default_factory=dict)  # the webhook's JSON data (kind, request_id, agency, due...)

    def __repr__(self) -> str:  # no body, no full recipient: safe in a log line or a traceback
        return f"OutgoingMessage(id={self.id!r}, channel={self.channel!r}, to={mask_recipient(self.to)!r})"


class DeliveryError(Exception):
    """A failed delivery. Retry later unless `permanent` (retrying cannot help: bad address, a 4xx refusal)."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent

    def __repr__(self) -> str:
        return f"DeliveryError({str(self)!r}, permanent={self.permanent})"


def check_id(message: OutgoingMessage) -> None:
    """The id goes into headers (Message-ID, Idempotency-Key): letters, digits, '.', '_' and '-' only."""
    if not _SAFE_ID.fullmatch(message.id or ""):
        raise DeliveryError(f"消息编号“{message.id[:40]}”不能用作幂等键", permanent=True)


def mask_recipient(to: str) -> str:
    """`w***@example.cn`, `138****1234`, `https://hooks.example.cn/***`: enough to tell recipients apart in a log."""
    to = (to or "").strip()
    if "://" in to:
        return _mask_url(to)
    if "@" in to:
        local, _, domain = (parseaddr(to)[1] or to).rpartition("@")
        return f"{local[:1]}***@{domain}"
    return _mask_phone(to)


def _mask_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "***"
    return f"{parts.scheme}://{host}{port}/***"


def _mask_phone(phone: str) -> str:
    if len(phone) >= 11:
        return f"{phone[:3]}****{phone[-4:]}"
    if len(phone) >= 5:
        return f"{'*' * (len(phone) - 2)}{phone[-2:]}"
    return "*" * len(phone)


def scrub(text: str, message: OutgoingMessage) -> str:
    """A server's reply without the message's recipient in it (some echo the address they refuse)."""
    for secret in sorted({message.to, parseaddr(message.to)[1]} - {""}, key=len, reverse=True):
        text = text.replace(secret, mask_recipient(message.to))
    return text


HTTP_TIMEOUT = 10.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirected POST would lose its body (301-303) or be refused anyway (307/308): report the 3xx instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def http_post(message: OutgoingMessage, url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST `body` to `url`; return the 2xx status, or raise DeliveryError (permanent for 4xx but 408/429)."""
    try:
        scheme = urlsplit(url).scheme
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https"):
        raise DeliveryError(f"不是 http 或 https 网址：{_mask_url(url)}", permanent=True)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    where = _mask_url(url)
    try:
        with opener.open(request, timeout=HTTP_TIMEOUT) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise DeliveryError(f"{where} 答复 HTTP {exc.code} {scrub(str(exc.reason), message)}", permanent) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"无法连接 {where}：{scrub(_describe(exc), message)}") from exc


def post_json(message: OutgoingMessage, via: str, url: str, body: bytes, log: logging.Logger,
              signature: dict[str, str] | None = None) -> None:
    """POST a JSON `body` keyed by the outbox id (the SMS gateway's and the webhook's shared way of sending), and
    log the outcome on the channel's own logger with the recipient masked; a DeliveryError is logged and re-raised."""
    headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message.id, **(signature or {})}
    try:
        status = http_post(message, url, body, headers)
    except DeliveryError as exc:
        log.warning("outbox %s via %s to %s failed: %s", message.id, via, mask_recipient(message.to), exc)
        raise
    log.info("delivered outbox %s via %s to %s (HTTP %s)", message.id, via, mask_recipient(message.to),
             status)


def _describe(exc: BaseException) -> str:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, BaseException):
        return f"{type(reason).__name__}: {reason}"
    return str(reason)
