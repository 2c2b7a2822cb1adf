"""Missed reminders after a downtime (issue 19 item 5, DESIGN §8): coalesced as APScheduler coalesces missed runs, so
a clerk gets one message per deadline per channel, the latest reminder due, never the 5-, 2- and 0-day ones at once;
and the messages say where to look in words, with the request page's link, never an `ogi` command."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from sqlalchemy import select

from tests.builders import load, request_line
from tests.conftest import AGENCY, user
from workflows.people.accounts import Role
from workflows.tables import outbox_table

# received 11-26: the reply is due 2026-12-24; its reminders' days are 12-17 (5), 12-22 (2) and 12-24 (0)
RECEIVED = "2026-11-26"


@pytest.fixture
def staffed(services):
    admin = user(services, "admin")
    services.directory.add_user(admin, "zhang", Role.STAFF, "pw", "张经办", [AGENCY], email="zhang@hedong.gov.cn",
                                phone="13805391234")
    services.clock.advance_to(dt.datetime(2026, 11, 26, 10))
    load(services, request_line("R-1", RECEIVED, subject="2025年度部门预算"))
    return services


def sweep_at(services, moment: dt.datetime) -> None:
    services.clock.advance_to(moment)
    services.sweeper.run(user(services, "clerk"))


def rows(services):
    with services.engine.connect() as conn:
        return conn.execute(select(outbox_table).where(outbox_table.c.request_id == "R-1")).all()


def test_after_six_working_days_down_only_the_latest_reminder_goes_out_once_per_channel_and_recipient_design8(staffed):
    sweep_at(staffed, dt.datetime(2026, 12, 16, 8))  # the last sweep before the downtime: nothing due yet
    assert rows(staffed) == []
    sweep_at(staffed, dt.datetime(2026, 12, 24, 8))  # back on the due day, 6 working days later
    written = rows(staffed)
    assert {r.kind for r in written} == {"reminder.reply.0"}
    per = Counter((r.channel, r.recipient) for r in written)
    assert per == {("inbox", "clerk"): 1, ("inbox", "zhang"): 1, ("email", "zhang"): 1, ("sms", "zhang"): 1}
    sweep_at(staffed, dt.datetime(2026, 12, 24, 17))  # and a later sweep of the same day adds nothing
    assert len(rows(staffed)) == len(written)


def test_a_reminder_still_waiting_is_superseded_by_the_next_one_of_the_same_deadline_design8(staffed):
    sweep_at(staffed, dt.datetime(2026, 12, 17, 8))  # the 5-day reminder; the worker is down: e-mail and SMS wait
    sweep_at(staffed, dt.datetime(2026, 12, 22, 8))  # the 2-day one
    waiting = [(r.kind, r.channel) for r in rows(staffed) if r.status == "pending"]
    assert sorted(waiting) == [("reminder.reply.2", "email"), ("reminder.reply.2", "sms")]
    cancelled = [r for r in rows(staffed) if r.status == "cancelled"]
    assert {(r.kind, r.channel) for r in cancelled} == {("reminder.reply.5", "email"), ("reminder.reply.5", "sms")}
    assert all("取代" in r.last_error for r in cancelled)


def test_an_overdue_alert_supersedes_the_due_days_reminder_still_waiting_design8(staffed):
    sweep_at(staffed, dt.datetime(2026, 12, 24, 8))
    sweep_at(staffed, dt.datetime(2026, 12, 25, 8))  # overdue: the 督办 alert of the day
    waiting = {(r.kind, r.channel, r.recipient) for r in rows(staffed) if r.status == "pending"}
    assert {kind for kind, _, _ in waiting} == {"overdue.reply"}
    assert Counter((channel, who) for _, channel, who in waiting)[("email", "zhang")] == 1


def test_messages_say_where_to_look_with_a_link_and_no_command_art33(staffed, monkeypatch):
    monkeypatch.setenv("OGI_PUBLIC_URL", "https://ogi.hedong.gov.cn/")
    sweep_at(staffed, dt.datetime(2026, 12, 22, 8))
    by_channel = {r.channel: r for r in rows(staffed) if r.recipient == "zhang"}
    for row in by_channel.values():
        assert "https://ogi.hedong.gov.cn/requests/R-1" in row.body
        assert not re.search(r"\bogi\s+[a-z]", row.body), row.body  # no `ogi history …` hint
        assert "Art." not in row.body and "DESIGN" not in row.body
    assert "《条例》第三十三条" in by_channel["email"].body and "2025年度部门预算" in by_channel["email"].body
    sms = by_channel["sms"].body
    assert sms.startswith("【提醒】R-1 答复期限还有2个工作日届满") and "申请内容" not in sms and len(sms) < 120


def test_without_a_public_address_the_link_is_the_request_pages_path(staffed, monkeypatch):
    monkeypatch.delenv("OGI_PUBLIC_URL", raising=False)
    sweep_at(staffed, dt.datetime(2026, 12, 22, 8))
    [inbox] = [r for r in rows(staffed) if r.channel == "inbox" and r.recipient == "clerk"]
    assert "/requests/R-1" in inbox.body and "ogi history" not in inbox.body
