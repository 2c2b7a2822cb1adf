"""How the online door's codes go out (issue 20): not held for the night's quiet hours, cancelled once they are too
old to use, and in the demo (`make run`, no channel configured) shown on the terminal of `ogi up`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bootstrap.processes import deliverer
from notifications.applicant_notices import write_applicant_message
from notifications.delivery import Deliverer
from notifications.webhook import WebhookSender
from tests.world import AGENCY
from workflows.portal.messages import VERIFY_KIND, ApplicantMessage
from workflows.tables import outbox_table

PHONE = "13800138000"


class Gateway:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message)


def code_row(services, n: int = 1):
    with services.engine.begin() as conn:
        write_applicant_message(conn, ApplicantMessage(f"portal|S-{n}|portal.verify|1", "sms", PHONE, AGENCY,
                                                       VERIFY_KIND, None, {"code": "314159", "minutes": 15}),
                                services.clock.now())
        return conn.execute(select(outbox_table).where(outbox_table.c.dedupe_key == f"portal|S-{n}|portal.verify|1")).one()


def test_a_code_asked_for_at_night_is_sent_at_once_not_held_for_quiet_hours(sqlite_services):
    services = sqlite_services
    services.clock.advance_to(dt.datetime(2026, 12, 2, 23, 30))
    gateway = Gateway()
    row = code_row(services)
    assert Deliverer(services.engine, services.clock, None, gateway, WebhookSender()).deliver(row.id) == "sent"
    assert "314159" in gateway.sent[0].body


def test_a_code_that_could_not_go_out_in_its_15_minutes_is_cancelled_not_sent_late(sqlite_services):
    services = sqlite_services
    services.clock.advance_to(dt.datetime(2026, 12, 2, 10, 0))
    row = code_row(services)
    services.clock.advance_to(dt.datetime(2026, 12, 2, 10, 16))
    gateway = Gateway()
    assert Deliverer(services.engine, services.clock, None, gateway, WebhookSender()).deliver(row.id) == "cancelled"
    assert gateway.sent == []


def test_the_demo_shows_a_code_on_the_terminal_when_no_channel_is_configured(sqlite_services, monkeypatch):
    services = sqlite_services
    monkeypatch.delenv("OGI_SMTP_URL", raising=False)
    monkeypatch.delenv("OGI_SMS_URL", raising=False)
    said: list[str] = []
    row = code_row(services)
    assert deliverer(services, terminal=said.append).deliver(row.id) == "sent"
    assert len(said) == 1 and "314159" in said[0] and "138****8000" in said[0] and PHONE not in said[0]


def test_without_the_demo_or_with_a_channel_configured_nothing_reaches_the_terminal(sqlite_services, monkeypatch):
    services = sqlite_services
    monkeypatch.delenv("OGI_SMTP_URL", raising=False)
    monkeypatch.delenv("OGI_SMS_URL", raising=False)
    assert deliverer(services).deliver(code_row(services, 1).id) == "held"  # waits for OGI_SMS_URL
    monkeypatch.setenv("OGI_SMS_URL", "http://127.0.0.1:9/sms")
    said: list[str] = []
    deliverer(services, terminal=said.append).deliver(code_row(services, 2).id)
    assert said == []
