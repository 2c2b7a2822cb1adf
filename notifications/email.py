"""E-mail over SMTP (`OGI_SMTP_URL`: `smtp://[user:password@]host:port`, `smtps://` for TLS; DESIGN §8).

One connection a message. The Message-ID `<ogi-{outbox id}@{domain of the sender}>` is the idempotency
key: a message sent twice (a retry after a lost reply) arrives twice with the same Message-ID, so a
mailbox or its reader can tell the copy from a new message.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr
from urllib.parse import unquote, urlsplit

from engine.clock import SHANGHAI
from notifications.message import DeliveryError, OutgoingMessage, check_id, mask_recipient, scrub

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 10.0
_DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class SmtpSender:
    def __init__(
        self,
        host: str,
        port: int,
        mail_from: str,
        *,
        tls: bool = False,
        username: str | None = None,
        password: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = SMTP_TIMEOUT,
    ):
        sender = parseaddr(mail_from)[1]
        if "@" not in sender:
            raise ValueError("the sender (OGI_MAIL_FROM) needs an e-mail address")
        self.host = host
        self.port = port
        self.mail_from = mail_from
        self.envelope_from = sender
        self.domain = sender.rpartition("@")[2]
        self.tls = tls
        self.username = username
        self._password = password
        self._ssl_context = ssl_context
        self.timeout = timeout

    @classmethod
    def from_url(cls, url: str, mail_from: str, *, ssl_context: ssl.SSLContext | None = None) -> SmtpSender:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise ValueError("OGI_SMTP_URL is not smtp://[user:password@]host:port or smtps://…") from None
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ValueError("OGI_SMTP_URL is not smtp://[user:password@]host:port or smtps://…")
        return cls(
            parts.hostname,
            port or _DEFAULT_PORTS[parts.scheme],
            mail_from,
            tls=parts.scheme == "smtps",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            ssl_context=ssl_context,
        )

    def __repr__(self) -> str:  # never the password
        scheme = "smtps" if self.tls else "smtp"
        user = f"{self.username}:***@" if self.username else ""
        return f"SmtpSender({scheme}://{user}{self.host}:{self.port})"

    def build(self, message: OutgoingMessage) -> EmailMessage:
        """The e-mail for `message` (UTF-8; the Chinese subject and names encoded by the SMTP policy)."""
        check_id(message)
        recipient = _recipient(message)
        try:
            mail = EmailMessage(policy=SMTP_POLICY)
            mail["From"] = self.mail_from
            mail["To"] = recipient
            mail["Subject"] = message.subject
            mail["Date"] = format_datetime(dt.datetime.now(SHANGHAI))
            mail["Message-ID"] = f"<ogi-{message.id}@{self.domain}>"
            mail["X-Ogi-Outbox-Id"] = message.id
            mail.set_content(message.body, charset="utf-8")
        except (ValueError, TypeError) as exc:  # a subject with a line break
            raise DeliveryError(f"无法生成这封电子邮件：{scrub(str(exc), message)}", permanent=True) from None
        return mail

    def send(self, message: OutgoingMessage) -> None:
        mail = self.build(message)
        log.debug("sending outbox %s via email to %s", message.id, mask_recipient(message.to))
        try:
            refused = self._deliver(mail, mail["To"].addresses[0].addr_spec)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except smtplib.SMTPResponseException as exc:
            raise self._error(message, f"邮件服务器答复 {exc.smtp_code} {_text(exc.smtp_error)}", exc) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise self._error(message, f"无法连接邮件服务器：{type(exc).__name__}: {exc}", exc) from exc
        if refused:
            code, reply = next(iter(refused.values()))
            raise self._error(message, f"邮件服务器拒收该收件人：{code} {_text(reply)}", permanent=500 <= code < 600)
        log.info("delivered outbox %s via email to %s", message.id, mask_recipient(message.to))

    def _deliver(self, mail: EmailMessage, recipient: str) -> dict:
        if self.tls:
            context = self._ssl_context or ssl.create_default_context()
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.username:
                smtp.login(self.username, self._password or "")
            refused = smtp.send_message(mail, from_addr=self.envelope_from, to_addrs=[recipient])
            try:  # delivered: a failing QUIT changes nothing
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            return refused
        finally:
            smtp.close()

    def _error(
        self, message: OutgoingMessage, what: str, exc: BaseException | None = None, *, permanent: bool = False
    ) -> DeliveryError:
        text = scrub(f"{self.host}:{self.port} {what}", message)
        if self._password and len(self._password) >= 4:  # a server may echo what it was sent
            text = text.replace(self._password, "***")
        if isinstance(exc, smtplib.SMTPDataError) and 500 <= exc.smtp_code < 600:
            permanent = True  # the server refuses this message for good (RFC 5321 §4.2.1)
        log.warning("outbox %s via email to %s failed: %s", message.id, mask_recipient(message.to), text)
        return DeliveryError(text, permanent=permanent)


def _recipient(message: OutgoingMessage) -> Address:
    """The addressee, its domain in IDNA (例子.中国 → xn--…) so any server takes it; a non-ASCII local part is refused."""
    bad = DeliveryError(f"不是有效的电子邮箱地址：{mask_recipient(message.to)}", permanent=True)
    if any(c in message.to for c in "\r\n"):
        raise bad
    name, address = parseaddr(message.to)
    local, at, domain = address.rpartition("@")
    if not (local and at and domain):
        raise bad
    try:
        return Address(name, addr_spec=f"{local}@{domain.encode('idna').decode('ascii')}")
    except (ValueError, IndexError, UnicodeError):
        raise bad from None


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        return reply.decode("utf-8", "replace")
    return str(reply)
