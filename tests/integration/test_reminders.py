"""Reminders and overdue alerts (issue 10 §3, DESIGN §8): which are due on which day, on the real calendar, and
that the sweep writes each at most once, never for a request concluded or suspended in between."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine.calendar import YearArrangement
from notifications.delivery import Deliverer
from notifications.reminders import due_notices, working_day_before
from notifications.webhook import WebhookSender
from tests.builders import event, load, request_line
from tests.conftest import AGENCY, user
from workflows.foi import commands as c
from workflows.people.accounts import Role, parse_offsets
from workflows.tables import outbox_table

REPLY_DUE_AFTER_NATIONAL_DAY = dt.date(2024, 10, 8)


def kinds(stage: str, deadlines: dict, today: dt.date, calendar, offsets=(5, 2, 0)) -> list[str]:
    return [n.kind for n in due_notices(stage, deadlines, today, calendar, offsets)]


def reply_due(day: dt.date) -> dict:
    return {"reply": {"due": day.isoformat()}}


def test_reply_reminders_count_working_days_back_over_national_day_and_a_makeup_sunday_art33(calendar):
    # 2024-10-01..07 off; Sunday 2024-09-29 a make-up working day: 2 working days before 10-08 is that Sunday
    assert working_day_before(calendar, REPLY_DUE_AFTER_NATIONAL_DAY, 2) == dt.date(2024, 9, 29)
    assert working_day_before(calendar, REPLY_DUE_AFTER_NATIONAL_DAY, 5) == dt.date(2024, 9, 25)
    deadlines = reply_due(REPLY_DUE_AFTER_NATIONAL_DAY)
    assert kinds("processing", deadlines, dt.date(2024, 9, 24), calendar) == []
    assert kinds("processing", deadlines, dt.date(2024, 9, 25), calendar) == ["reminder.reply.5"]
    # the 5-day one is not repeated when the 2-day one's day comes (coalesced to the latest due)
    assert kinds("processing", deadlines, dt.date(2024, 9, 29), calendar) == ["reminder.reply.2"]
    assert kinds("processing", deadlines, REPLY_DUE_AFTER_NATIONAL_DAY, calendar) == ["reminder.reply.0"]


def test_spring_festival_2025_moves_the_five_day_reminder_into_january(calendar):
    assert working_day_before(calendar, dt.date(2025, 2, 5), 5) == dt.date(2025, 1, 22)
    assert working_day_before(calendar, dt.date(2025, 2, 5), 2) == dt.date(2025, 1, 26)  # a make-up Sunday


def test_overdue_alert_once_a_working_day_after_the_reply_is_due(calendar):
    deadlines = reply_due(dt.date(2024, 9, 27))
    monday = kinds("processing", deadlines, dt.date(2024, 9, 30), calendar)
    assert monday == ["overdue.reply"]
    assert kinds("processing", deadlines, dt.date(2024, 10, 3), calendar) == []  # a holiday: no alert
    [alert] = due_notices("processing", deadlines, dt.date(2024, 10, 8), calendar)
    assert alert.day == dt.date(2024, 10, 8) and alert.audience == "handler_and_heads"


@pytest.mark.parametrize("stage", ["consulting", "awaiting_payment", "decided", "served", "withdrawn", "closed"])
def test_a_suspended_or_concluded_request_gets_no_reply_reminder_art32_art33(calendar, stage):
    assert kinds(stage, reply_due(dt.date(2024, 10, 8)), dt.date(2024, 10, 8), calendar) == []


def test_the_applicants_correction_and_payment_periods_are_reminded_two_working_days_before(calendar):
    correction = {"correction": {"due": "2024-10-08"}}
    assert kinds("awaiting_correction", correction, dt.date(2024, 9, 29), calendar) == ["reminder.correction.2"]
    assert kinds("awaiting_correction", correction, dt.date(2024, 10, 9), calendar) == []  # the lapse notifies
    payment = {"payment": {"due": "2024-10-08"}}
    assert kinds("awaiting_payment", payment, dt.date(2024, 9, 30), calendar) == ["reminder.payment.2"]


def test_the_agencys_offsets_are_validated():
    assert parse_offsets("0,5,2") == (5, 2, 0)
    for bad in ("", "x", "-1", "21"):
        with pytest.raises(ValueError):
            parse_offsets(bad)


# -- the sweep writes them ---------------------------------------------------------------------------------------
@pytest.fixture
def staffed(services):
    admin = user(services, "admin")
    services.directory.add_user(admin, "zhang", Role.STAFF, "pw", agencies=[AGENCY], email="zhang@hedong.gov.cn")
    return services


def outbox_rows(services, request_id: str | None = None):
    with services.engine.connect() as conn:
        query = select(outbox_table).order_by(outbox_table.c.kind, outbox_table.c.channel, outbox_table.c.recipient)
        if request_id:
            query = query.where(outbox_table.c.request_id == request_id)
        return conn.execute(query).all()


def test_each_reminder_is_written_once_however_often_the_sweep_runs(staffed):
    services = staffed
    services.clock.advance_to(dt.datetime(2026, 11, 27, 8))
    load(services, request_line("R-1", "2026-11-02"))  # reply due 2026-11-30: 2 working days before is 11-26
    for _ in range(3):
        services.sweeper.run(user(services, "clerk"))
    rows = outbox_rows(services, "R-1")
    # the 5-day reminder's day (11-23) was missed: only the latest due, the 2-day one, is written
    assert sorted({(r.kind, r.channel, r.recipient) for r in rows}) == sorted(
        {("reminder.reply.2", ch, who) for ch, who in (("inbox", "clerk"), ("inbox", "zhang"), ("email", "zhang"))})
    assert len(rows) == 3
    email = next(r for r in rows if r.channel == "email" and r.kind == "reminder.reply.2")
    assert "R-1" in email.subject and "2026-11-30" in email.body and email.status == "pending"


def test_a_request_suspended_between_two_reminders_gets_no_more_and_the_written_one_is_cancelled(staffed):
    services = staffed
    services.clock.advance_to(dt.datetime(2026, 11, 27, 8))
    load(services, request_line("R-2", "2026-11-06"))  # reply due 2026-12-04: reminders on 11-27 and 12-02
    services.sweeper.run(user(services, "clerk"))
    assert {r.kind for r in outbox_rows(services, "R-2")} == {"reminder.reply.5"}
    services.requests.act("R-2", c.StartConsultation(at=services.clock.now(), party="third_party"), user(services, "clerk"))
    services.clock.advance_to(dt.datetime(2026, 12, 2, 8))
    services.sweeper.run(user(services, "clerk"))
    assert {r.kind for r in outbox_rows(services, "R-2")} == {"reminder.reply.5"}
    [email] = [r for r in outbox_rows(services, "R-2") if r.channel == "email"]
    deliverer = Deliverer(services.engine, services.clock, None, None, WebhookSender())
    assert deliverer.deliver(email.id) == "cancelled"  # written before the consultation suspended the reply period
    assert outbox_rows(services, "R-2")[0].status in ("cancelled", "sent")


def test_an_overdue_alert_goes_to_the_heads_once_a_day(staffed):
    services = staffed
    services.clock.advance_to(dt.datetime(2026, 11, 27, 8))
    load(services, request_line("R-3", "2026-10-09"))  # reply due long ago
    services.sweeper.run(user(services, "clerk"))
    services.sweeper.run(user(services, "clerk"))
    alerts = [r for r in outbox_rows(services, "R-3") if r.kind == "overdue.reply"]
    assert {r.recipient for r in alerts if r.channel == "inbox"} == {"clerk", "zhang", "head"}
    services.clock.advance_to(dt.datetime(2026, 11, 30, 8))  # the next working day
    services.sweeper.run(user(services, "clerk"))
    assert len([r for r in outbox_rows(services, "R-3") if r.kind == "overdue.reply"]) == 2 * len(alerts)


def test_a_correction_lapse_is_announced_with_the_event_and_proposes_never_decides_art30(staffed):
    services = staffed
    services.clock.advance_to(dt.datetime(2026, 11, 27, 8))
    load(services, request_line("R-4", "2026-11-02", event("correction_requested", "2026-11-03", period_days=5)))
    rows = [r for r in outbox_rows(services, "R-4") if r.kind == "lapse.correction"]
    assert rows and {r.channel for r in rows} == {"inbox", "email"}
    assert "申请人无正当理由逾期不补正" in rows[0].body and "other.no_correction" not in rows[0].body  # words, not the code
    assert services.queries.history("R-4")["state"] == "awaiting_correction"


def test_a_provisional_year_filled_in_later_moves_the_reminders(calendar):
    """2027 is not yet published: its New Year's Day counts as a working day until the year is entered."""
    deadlines = reply_due(dt.date(2027, 1, 6))
    assert working_day_before(calendar, dt.date(2027, 1, 6), 5) == dt.date(2026, 12, 30)
    assert kinds("processing", deadlines, dt.date(2026, 12, 29), calendar) == []
    entered = calendar.with_year(YearArrangement(2027, frozenset({dt.date(2027, 1, 1)}), frozenset(), "国办发明电"))
    assert working_day_before(entered, dt.date(2027, 1, 6), 5) == dt.date(2026, 12, 29)
    assert kinds("processing", deadlines, dt.date(2026, 12, 29), entered) == ["reminder.reply.5"]
