"""The delivery adapters against real servers on loopback: aiosmtpd for e-mail, http.server for SMS and webhooks."""

from __future__ import annotations

import datetime as dt
import email
import email.message
import email.policy
import ipaddress
import json
import logging
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from notifications.email import SmtpSender
from notifications.message import DeliveryError, OutgoingMessage, mask_recipient
from notifications.quiet_hours import next_sms_moment, sms_allowed_at
from notifications.sms import SmsGateway
from notifications.webhook import WebhookSender, verify_signature
from tests.network import free_port
from tests.network import smtp_server as loopback_smtp_server

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAIL_FROM = "河东区政府信息公开办 <noreply@hedong.gov.cn>"
ADDRESS = "wang.xiaoming@example.cn"
PHONE = "13812341234"
SUBJECT = "提醒：答复期限还有2个工作日（河东〔2026〕第17号）"
BODY = "王小明同志：您经办的政府信息公开申请河东〔2026〕第17号将于2026年12月1日到期，请及时答复。"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


# --- e-mail -------------------------------------------------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler keeping what it receives; refuses recipients whose address starts with 'refused'."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address.startswith("busy"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def smtp_server():
    mailbox = Mailbox()
    with loopback_smtp_server(mailbox) as controller:
        yield controller, mailbox


def mail(id_="0f8e4b1c2d3a", to=ADDRESS) -> OutgoingMessage:
    return OutgoingMessage(id_, "email", to, SUBJECT, BODY, {})


def test_the_mail_arrives_with_headers_body_and_message_id(smtp_server):
    controller, mailbox = smtp_server
    sender = SmtpSender.from_url(f"smtp://127.0.0.1:{controller.port}", MAIL_FROM)
    mailbox.messages.clear()

    sender.send(mail("a1b2c3"))

    [(envelope_from, rcpt_tos, received)] = mailbox.messages
    assert envelope_from == "noreply@hedong.gov.cn"
    assert rcpt_tos == [ADDRESS]
    assert received["From"].addresses[0].display_name == "河东区政府信息公开办"
    assert received["From"].addresses[0].addr_spec == "noreply@hedong.gov.cn"
    assert str(received["To"]) == ADDRESS
    assert str(received["Subject"]) == SUBJECT
    assert received["Message-ID"] == "<ogi-a1b2c3@hedong.gov.cn>"
    assert received["X-Ogi-Outbox-Id"] == "a1b2c3"
    assert received["Date"].datetime.tzinfo is not None
    assert received.get_content_charset() == "utf-8"
    assert received.get_content().strip() == BODY
    raw = received.as_bytes(policy=email.policy.SMTP)
    assert SUBJECT.encode() not in raw  # the Chinese subject travels encoded (RFC 2047)


def test_sending_twice_gives_two_mails_with_one_message_id(smtp_server):
    controller, mailbox = smtp_server
    sender = SmtpSender.from_url(f"smtp://127.0.0.1:{controller.port}", MAIL_FROM)
    mailbox.messages.clear()

    sender.send(mail("retry-1"))
    sender.send(mail("retry-1"))

    assert [m["Message-ID"] for _, _, m in mailbox.messages] == ["<ogi-retry-1@hedong.gov.cn>"] * 2


def test_a_refused_recipient_is_permanent(smtp_server):
    controller, mailbox = smtp_server
    sender = SmtpSender.from_url(f"smtp://127.0.0.1:{controller.port}", MAIL_FROM)
    mailbox.messages.clear()

    with pytest.raises(DeliveryError) as refused:
        sender.send(mail(to="refused.user@example.cn"))
    assert refused.value.permanent
    assert "550" in str(refused.value)
    assert "refused.user@example.cn" not in str(refused.value)  # the server's echo is masked

    with pytest.raises(DeliveryError) as busy:
        sender.send(mail(to="busy@example.cn"))
    assert not busy.value.permanent
    assert mailbox.messages == []


def test_a_named_recipient_and_a_chinese_domain(smtp_server):
    controller, mailbox = smtp_server
    sender = SmtpSender.from_url(f"smtp://127.0.0.1:{controller.port}", MAIL_FROM)
    mailbox.messages.clear()

    sender.send(mail("idn-1", to="王小明 <zhang@例子.中国>"))

    [(_, rcpt_tos, received)] = mailbox.messages
    expected = "zhang@" + "例子.中国".encode("idna").decode()
    assert rcpt_tos == [expected]
    assert received["To"].addresses[0].display_name == "王小明"
    assert received["To"].addresses[0].addr_spec == expected


def test_nothing_listening_is_worth_a_retry():
    sender = SmtpSender.from_url(f"smtp://127.0.0.1:{free_port()}", MAIL_FROM)
    with pytest.raises(DeliveryError) as failed:
        sender.send(mail())
    assert not failed.value.permanent


def test_a_malformed_address_is_permanent(smtp_server):
    controller, _ = smtp_server
    sender = SmtpSender.from_url(f"smtp://127.0.0.1:{controller.port}", MAIL_FROM)
    for to in ("not-an-address", "a@b.cn\r\nBcc: evil@example.com", "@example.cn", "张三@例子.中国"):
        with pytest.raises(DeliveryError) as failed:
            sender.send(mail(to=to))
        assert failed.value.permanent


def test_smtp_url_parsing():
    sender = SmtpSender.from_url("smtps://ogi%40hedong:p%40ss%3Aword@mail.hedong.gov.cn", "noreply@hedong.gov.cn")
    assert (sender.host, sender.port, sender.tls, sender.username) == ("mail.hedong.gov.cn", 465, True, "ogi@hedong")
    assert "p@ss:word" not in repr(sender) and "p%40ss" not in repr(sender)
    assert SmtpSender.from_url("smtp://relay:2525", "noreply@hedong.gov.cn").port == 2525
    for bad in ("http://relay:25", "smtp://", "smtp://relay:notaport"):
        with pytest.raises(ValueError):
            SmtpSender.from_url(bad, "noreply@hedong.gov.cn")
    with pytest.raises(ValueError):
        SmtpSender.from_url("smtp://relay:25", "no sender address")


def _self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def test_smtps_with_login(tmp_path):
    cert_file, key_file = _self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_file, key_file)
    client_context = ssl.create_default_context(cafile=str(cert_file))

    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"ogi", b"s3cret!pw"), handled=False)

    mailbox = Mailbox()
    controller = Controller(  # aiosmtpd only counts STARTTLS as TLS for AUTH: this connection is TLS from the start
        mailbox,
        hostname="127.0.0.1",
        port=free_port(),
        ssl_context=server_context,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        good = SmtpSender.from_url(
            f"smtps://ogi:s3cret%21pw@127.0.0.1:{controller.port}", MAIL_FROM, ssl_context=client_context
        )
        good.send(mail("tls-1"))
        assert [m["Message-ID"] for _, _, m in mailbox.messages] == ["<ogi-tls-1@hedong.gov.cn>"]

        bad = SmtpSender.from_url(
            f"smtps://ogi:wrong%21pw@127.0.0.1:{controller.port}", MAIL_FROM, ssl_context=client_context
        )
        with pytest.raises(DeliveryError) as failed:
            bad.send(mail("tls-2"))
        assert not failed.value.permanent
        assert "wrong!pw" not in str(failed.value)

        untrusted = SmtpSender.from_url(f"smtps://127.0.0.1:{controller.port}", MAIL_FROM)  # the system's CAs only
        with pytest.raises(DeliveryError) as unverified:
            untrusted.send(mail("tls-3"))
        assert not unverified.value.permanent
        assert len(mailbox.messages) == 1
    finally:
        controller.stop()


# --- SMS and webhooks -----------------------------------------------------------------------------------------------


class Receiver(BaseHTTPRequestHandler):
    """Answers POST /status/NNN with NNN (default 200) and keeps (path, headers, body) of every request."""

    received: list[tuple[str, dict, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append((self.path, dict(self.headers), body))
        path = self.path.split("?", 1)[0]
        status = int(path.rsplit("/", 1)[1]) if path.startswith("/status/") else 200
        if self.path.startswith("/redirect"):
            status = 302
        reply = b'{"ok": true}'
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/status/200")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def received():
    Receiver.received.clear()
    return Receiver.received


def sms(id_="5d6e7f") -> OutgoingMessage:
    return OutgoingMessage(id_, "sms", PHONE, SUBJECT, BODY, {})


def test_sms_posts_json_with_the_idempotency_key(http_server, received):
    SmsGateway(f"{http_server}/sms").send(sms("sms-1"))

    [(path, headers, body)] = received
    assert path == "/sms"
    assert headers["Idempotency-Key"] == "sms-1"
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body.decode("utf-8")) == {"id": "sms-1", "to": PHONE, "text": BODY}


@pytest.mark.parametrize(
    ("status", "permanent"), [(500, False), (503, False), (400, True), (404, True), (408, False), (429, False)]
)
def test_sms_gateway_errors(http_server, received, status, permanent):
    with pytest.raises(DeliveryError) as failed:
        SmsGateway(f"{http_server}/status/{status}").send(sms())
    assert failed.value.permanent is permanent
    assert str(status) in str(failed.value)
    assert PHONE not in str(failed.value)


def test_any_2xx_is_delivered_and_redirects_are_not(http_server, received):
    SmsGateway(f"{http_server}/status/202").send(sms())
    with pytest.raises(DeliveryError) as redirected:
        SmsGateway(f"{http_server}/redirect").send(sms())
    assert not redirected.value.permanent
    assert [path for path, _, _ in received] == ["/status/202", "/redirect"]  # the redirect was not followed


def test_unreachable_gateway_is_worth_a_retry():
    with pytest.raises(DeliveryError) as failed:
        SmsGateway(f"http://127.0.0.1:{free_port()}/sms").send(sms())
    assert not failed.value.permanent


def hook(url, id_="9a8b7c", payload=None) -> OutgoingMessage:
    payload = (
        {"kind": "reminder.reply.2", "request_id": "河东〔2026〕17", "agency": "hedong", "due": "2026-12-01"}
        if payload is None
        else payload
    )
    return OutgoingMessage(id_, "webhook", url, SUBJECT, BODY, payload)


def test_webhook_body_is_signed(http_server, received):
    WebhookSender().send(hook(f"{http_server}/hook", "hook-1"), "agency-secret")

    [(path, headers, body)] = received
    assert headers["Idempotency-Key"] == "hook-1"
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {
        "id": "hook-1",
        "subject": SUBJECT,
        "text": BODY,
        "kind": "reminder.reply.2",
        "request_id": "河东〔2026〕17",
        "agency": "hedong",
        "due": "2026-12-01",
    }
    assert list(json.loads(body)) == sorted(json.loads(body))
    assert "河东".encode() in body  # UTF-8, not \u escapes
    assert verify_signature(body, "agency-secret", headers["X-Ogi-Signature"])
    assert headers["X-Ogi-Signature"].startswith("sha256=")
    assert not verify_signature(body, "another-secret", headers["X-Ogi-Signature"])
    assert not verify_signature(body + b" ", "agency-secret", headers["X-Ogi-Signature"])
    assert not verify_signature(body, "agency-secret", "")
    assert not verify_signature(body, "agency-secret", "sha256=非十六进制")


def test_webhook_payload_cannot_override_the_id_and_dates_serialize(http_server, received):
    WebhookSender().send(hook(f"{http_server}/hook", "hook-2", {"id": "other", "due": dt.date(2026, 12, 1)}), "s")
    [(_, _, body)] = received
    assert json.loads(body)["id"] == "hook-2"
    assert json.loads(body)["due"] == "2026-12-01"


@pytest.mark.parametrize(("status", "permanent"), [(500, False), (400, True), (429, False), (410, True)])
def test_webhook_errors(http_server, received, status, permanent):
    with pytest.raises(DeliveryError) as failed:
        WebhookSender().send(hook(f"{http_server}/status/{status}"), "agency-secret")
    assert failed.value.permanent is permanent


def test_webhook_refuses_what_cannot_work(http_server):
    for url in ("file:///etc/passwd", "ftp://example.cn/x", "not a url"):
        with pytest.raises(DeliveryError) as failed:
            WebhookSender().send(hook(url), "agency-secret")
        assert failed.value.permanent
    with pytest.raises(DeliveryError) as unsigned:
        WebhookSender().send(hook(f"{http_server}/hook"), "")
    assert unsigned.value.permanent
    with pytest.raises(DeliveryError) as bad_id:
        WebhookSender().send(hook(f"{http_server}/hook", id_="x\r\nInjected: 1"), "s")
    assert bad_id.value.permanent


# --- quiet hours --------------------------------------------------------------------------------------------------


def test_quiet_hours_naive_shanghai():
    assert sms_allowed_at(dt.datetime(2026, 11, 26, 21, 59))
    assert next_sms_moment(dt.datetime(2026, 11, 26, 21, 59)) == dt.datetime(2026, 11, 26, 21, 59)
    assert sms_allowed_at(dt.datetime(2026, 11, 26, 8, 0))
    assert not sms_allowed_at(dt.datetime(2026, 11, 26, 22, 0))
    assert next_sms_moment(dt.datetime(2026, 11, 26, 22, 0)) == dt.datetime(2026, 11, 27, 8, 0)
    assert next_sms_moment(dt.datetime(2026, 12, 31, 23, 30)) == dt.datetime(2027, 1, 1, 8, 0)
    assert not sms_allowed_at(dt.datetime(2026, 11, 27, 7, 59))
    assert next_sms_moment(dt.datetime(2026, 11, 27, 7, 59)) == dt.datetime(2026, 11, 27, 8, 0)
    assert next_sms_moment(dt.datetime(2026, 11, 27, 0, 0)) == dt.datetime(2026, 11, 27, 8, 0)


def test_quiet_hours_aware_datetimes_are_converted():
    utc = dt.UTC
    assert sms_allowed_at(dt.datetime(2026, 11, 26, 13, 59, tzinfo=utc))  # 21:59 in Shanghai
    assert not sms_allowed_at(dt.datetime(2026, 11, 26, 14, 0, tzinfo=utc))  # 22:00 in Shanghai
    held = next_sms_moment(dt.datetime(2026, 11, 26, 14, 0, tzinfo=utc))
    assert held == dt.datetime(2026, 11, 27, 8, 0, tzinfo=SHANGHAI)
    assert held.tzinfo is utc and held == dt.datetime(2026, 11, 27, 0, 0, tzinfo=utc)
    assert not sms_allowed_at(dt.datetime(2026, 11, 26, 23, 59, tzinfo=utc))  # 07:59 next day in Shanghai
    assert next_sms_moment(dt.datetime(2026, 11, 26, 23, 59, tzinfo=utc)) == dt.datetime(2026, 11, 27, 0, 0, tzinfo=utc)
    moment = dt.datetime(2026, 11, 26, 3, 0, tzinfo=utc)  # 11:00 in Shanghai
    assert sms_allowed_at(moment) and next_sms_moment(moment) is moment


# --- logs ------------------------------------------------------------------------------------------------------------


def test_masking():
    assert mask_recipient(PHONE) == "138****1234"
    assert mask_recipient(ADDRESS) == "w***@example.cn"
    assert mask_recipient("https://hooks.hedong.gov.cn:8443/ogi?token=abc") == "https://hooks.hedong.gov.cn:8443/***"
    assert PHONE not in repr(sms()) and BODY not in repr(sms())


def test_logs_never_hold_recipient_or_body(smtp_server, http_server, caplog):
    caplog.set_level(logging.DEBUG, logger="notifications")
    controller, _ = smtp_server
    sender = SmtpSender.from_url(f"smtp://127.0.0.1:{controller.port}", MAIL_FROM)
    sender.send(mail("log-1"))
    with pytest.raises(DeliveryError):
        sender.send(mail("log-2", to="refused.user@example.cn"))
    with pytest.raises(DeliveryError):
        SmtpSender.from_url(f"smtp://127.0.0.1:{free_port()}", MAIL_FROM).send(mail("log-3"))
    SmsGateway(f"{http_server}/sms").send(sms("log-4"))
    with pytest.raises(DeliveryError):
        SmsGateway(f"{http_server}/status/400").send(sms("log-5"))
    secret_url = f"{http_server}/hook?token=t0ps3cret"
    WebhookSender().send(hook(secret_url, "log-6"), "agency-secret")
    with pytest.raises(DeliveryError):
        WebhookSender().send(hook(f"{http_server}/status/500?token=t0ps3cret", "log-7"), "agency-secret")

    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("notifications"))
    assert all(f"log-{n}" in text for n in range(1, 8))
    for secret in (PHONE, ADDRESS, "refused.user@example.cn", BODY, BODY[:10], SUBJECT, "t0ps3cret", "agency-secret"):
        assert secret not in text
    assert "138****1234" in text and "w***@example.cn" in text
