"""The other channels through the outbox (issue 10 §5, DESIGN §8), with real servers on loopback: an agency's
signed webhook, SMS held in quiet hours, and checkpoints mailed to the auditors (issue 9 §2)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from notifications.delivery import Deliverer
from notifications.sms import SmsGateway
from notifications.webhook import WebhookSender, verify_signature
from tests.builders import load, request_line
from tests.conftest import AGENCY, user
from workflows.people.accounts import Role
from workflows.tables import outbox_table

SECRET = "hedong-webhook-secret-0001"


@pytest.fixture
def receiver():
    received: list[tuple[dict, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()


def rows(services, channel: str):
    with services.engine.connect() as conn:
        return conn.execute(select(outbox_table).where(outbox_table.c.channel == channel)).all()


def test_the_agencys_webhook_gets_each_notice_once_signed_with_its_secret(sqlite_services, receiver):
    services = sqlite_services
    url, received = receiver
    services.directory.set_agency(user(services, "admin"), AGENCY, webhook_url=url + "/ogi", webhook_secret=SECRET)
    services.clock.advance_to(dt.datetime(2026, 11, 27, 8))
    load(services, request_line("W-1", "2026-11-06"))
    services.sweeper.run(user(services, "clerk"))
    services.sweeper.run(user(services, "clerk"))
    [hook] = rows(services, "webhook")
    deliverer = Deliverer(services.engine, services.clock, None, None, WebhookSender())
    assert deliverer.deliver(hook.id) == "sent"
    [(headers, body)] = received
    assert headers["Idempotency-Key"] == hook.id and verify_signature(body, SECRET, headers["X-Ogi-Signature"])
    data = json.loads(body)
    assert data["kind"] == "reminder.reply.5" and data["request_id"] == "W-1" and data["due"] == "2026-12-04"


def test_a_webhook_needs_a_secret_and_an_http_url(sqlite_services):
    from engine.errors import OgiError

    admin = user(sqlite_services, "admin")
    with pytest.raises(OgiError, match="webhook-secret"):
        sqlite_services.directory.set_agency(admin, AGENCY, webhook_url="https://example.cn/hook", webhook_secret="short")
    with pytest.raises(OgiError, match="http"):
        sqlite_services.directory.set_agency(admin, AGENCY, webhook_url="ftp://example.cn", webhook_secret=SECRET)


def test_sms_waits_for_the_morning_in_quiet_hours_then_goes_out(sqlite_services, receiver):
    services = sqlite_services
    url, received = receiver
    services.directory.add_user(user(services, "admin"), "wang", Role.STAFF, "pw", agencies=[AGENCY],
                                phone="13805391234")
    services.clock.advance_to(dt.datetime(2026, 11, 27, 23, 30))
    load(services, request_line("S-1", "2026-11-06"))
    services.sweeper.run(user(services, "clerk"))
    [sms] = rows(services, "sms")
    deliverer = Deliverer(services.engine, services.clock, None, SmsGateway(url + "/sms"), WebhookSender())
    assert deliverer.deliver(sms.id) == "held" and received == []
    [held] = rows(services, "sms")
    assert held.next_attempt_at == dt.datetime(2026, 11, 28, 8) and held.attempts == 0
    services.clock.advance_to(dt.datetime(2026, 11, 28, 8))
    assert deliverer.deliver(sms.id) == "sent"
    [(headers, body)] = received
    assert json.loads(body)["id"] == sms.id and json.loads(body)["to"] == "13805391234"


def test_each_new_checkpoint_is_mailed_to_the_auditors_and_verifies_as_kept(sqlite_services, tmp_path):
    services = sqlite_services
    services.directory.add_user(user(services, "admin"), "shenji", Role.AUDITOR, "pw", email="shenji@sj.gov.cn")
    services.sweeper.checkpoint_folder = tmp_path / "server-copy"
    load(services, request_line("C-1", "2026-11-02"))
    services.sweeper.run(user(services, "clerk"))
    services.sweeper.run(user(services, "clerk"))  # nothing new in the log: no second mail
    [mail] = rows(services, "email")
    assert mail.recipient == "shenji" and mail.kind == "checkpoint"
    kept = tmp_path / "auditor"
    kept.mkdir()
    body = mail.body
    (kept / "checkpoint-mailed.json").write_text(body[body.index("{"):], encoding="utf-8")
    assert services.audit.verify_against(kept) == []
