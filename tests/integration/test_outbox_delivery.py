"""Delivery through the outbox (issue 10 §5): a real SMTP server on loopback (aiosmtpd), no mocks.

A message goes out under its outbox id (the e-mail's Message-ID); a worker that dies while sending leaves a
claim whose lease runs out, and the message is sent again under the same id; failures back off, then park;
a parked message is retried by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine.errors import OgiError
from notifications import outbox
from notifications.delivery import Deliverer
from notifications.email import SmtpSender
from notifications.webhook import WebhookSender
from tests.builders import load, request_line
from tests.conftest import AGENCY, user
from tests.network import free_port
from workflows.people.accounts import Role
from workflows.tables import outbox_table


@pytest.fixture
def one_email(sqlite_services):
    services = sqlite_services
    services.directory.add_user(user(services, "admin"), "zhang", Role.STAFF, "pw", agencies=[AGENCY],
                                email="zhang@hedong.gov.cn")
    services.clock.advance_to(dt.datetime(2026, 11, 27, 8))
    load(services, request_line("M-1", "2026-11-06"))
    services.sweeper.run(user(services, "clerk"))
    with services.engine.connect() as conn:
        [row] = conn.execute(select(outbox_table).where(outbox_table.c.channel == "email")).all()
    return services, row.id


def deliverer(services, port: int | None) -> Deliverer:
    sender = SmtpSender.from_url(f"smtp://127.0.0.1:{port}", "ogi@hedong.gov.cn") if port else None
    return Deliverer(services.engine, services.clock, sender, None, WebhookSender())


def status(services, message_id: str):
    with services.engine.connect() as conn:
        return conn.execute(select(outbox_table).where(outbox_table.c.id == message_id)).one()


def test_a_reminder_is_mailed_under_its_outbox_id(one_email, smtp_sink):
    services, message_id = one_email
    keep, port = smtp_sink
    assert deliverer(services, port).deliver(message_id) == "sent"
    [mail] = keep.mails
    assert mail["Message-ID"] == f"<ogi-{message_id}@hedong.gov.cn>" and mail["To"] == "zhang@hedong.gov.cn"
    assert status(services, message_id).status == "sent"
    assert deliverer(services, port).deliver(message_id) == "skipped"  # delivered once, never again by a repeat
    assert len(keep.mails) == 1


def test_a_worker_that_died_while_sending_is_replaced_after_the_lease_and_the_id_is_kept(one_email, smtp_sink):
    services, message_id = one_email
    keep, port = smtp_sink
    with services.engine.begin() as conn:
        assert message_id in outbox.to_relay(conn, services.clock.now())
        assert outbox.claim(conn, message_id, services.clock.now()) is not None  # … and then the worker is killed
    assert deliverer(services, port).deliver(message_id) == "skipped"  # still claimed: nobody else sends it
    services.clock.advance_to(services.clock.now() + outbox.LEASE + dt.timedelta(seconds=1))
    with services.engine.begin() as conn:
        assert outbox.to_relay(conn, services.clock.now()) == [message_id]  # the relay hands it out again
    assert deliverer(services, port).deliver(message_id) == "sent"
    assert [m["Message-ID"] for m in keep.mails] == [f"<ogi-{message_id}@hedong.gov.cn>"]
    assert status(services, message_id).attempts == 2


def test_failures_back_off_then_park_and_a_retry_by_hand_sends_it(one_email, smtp_sink):
    services, message_id = one_email
    keep, port = smtp_sink
    dead = deliverer(services, free_port())  # nothing listens there
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert dead.deliver(message_id) == ("parked" if attempt == outbox.MAX_ATTEMPTS else "retry")
        row = status(services, message_id)
        assert row.attempts == attempt and row.next_attempt_at > services.clock.now()
        services.clock.advance_to(row.next_attempt_at)
    assert status(services, message_id).status == "parked"
    assert [r.id for r in services.outbox.messages(user(services, "admin"), "parked")] == [message_id]
    services.outbox.retry(message_id, user(services, "clerk"))
    with pytest.raises(OgiError, match="的状态是“等待发送”，只有发送失败或已取消的消息才能重新发送"):
        services.outbox.retry(message_id, user(services, "clerk"))  # pending again: nothing to retry
    assert deliverer(services, port).deliver(message_id) == "sent"
    assert len(keep.mails) == 1


def test_email_waits_while_no_smtp_server_is_configured(one_email):
    services, message_id = one_email
    assert deliverer(services, None).deliver(message_id) == "held"
    row = status(services, message_id)
    assert row.status == "pending" and row.attempts == 0


def test_an_auditor_cannot_retry(one_email):
    from engine.errors import PermissionDenied

    services, message_id = one_email
    with pytest.raises(PermissionDenied):
        services.outbox.retry(message_id, user(services, "auditor"))
