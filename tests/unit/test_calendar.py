"""Working days on the Chinese calendar, 2024–2026 arrangements (statute.md §8), and years without data."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.calendar import DayKind, YearArrangement, count_period
from engine.clock import Suspension, compute_deadline
from engine.errors import CalendarError
from tests.conftest import AGENCY, user
from workflows.foi import commands as c

D = dt.date.fromisoformat


@pytest.mark.parametrize("day, kind", [
    ("2024-02-04", DayKind.MAKEUP_WORKDAY),  # Sun, Spring Festival swap
    ("2024-02-09", DayKind.WORKDAY),  # 除夕 2024 is a working day
    ("2024-02-12", DayKind.HOLIDAY),
    ("2024-04-07", DayKind.MAKEUP_WORKDAY),
    ("2024-05-11", DayKind.MAKEUP_WORKDAY),
    ("2024-10-07", DayKind.HOLIDAY),
    ("2025-01-26", DayKind.MAKEUP_WORKDAY),
    ("2025-02-04", DayKind.HOLIDAY),
    ("2025-02-08", DayKind.MAKEUP_WORKDAY),
    ("2025-10-08", DayKind.HOLIDAY),  # National Day + Mid-Autumn merged, 8 days
    ("2025-10-11", DayKind.MAKEUP_WORKDAY),
    ("2026-01-04", DayKind.MAKEUP_WORKDAY),
    ("2026-02-23", DayKind.HOLIDAY),
    ("2026-02-28", DayKind.MAKEUP_WORKDAY),
    ("2026-05-09", DayKind.MAKEUP_WORKDAY),
    ("2026-09-20", DayKind.MAKEUP_WORKDAY),
    ("2026-10-10", DayKind.MAKEUP_WORKDAY),
    ("2026-11-28", DayKind.WEEKEND),
], ids=lambda v: str(v))
def test_day_kinds_follow_the_state_council_notices(calendar, day, kind):
    assert calendar.kind(D(day)) == kind


@pytest.mark.parametrize("start, days, due", [
    ("2024-02-08", 1, "2024-02-09"),  # 除夕 worked
    ("2024-02-09", 1, "2024-02-18"),  # 10–17 Feb off; Sun 18 Feb worked
    ("2024-09-27", 2, "2024-09-30"),  # Sun 29 Sep worked
    ("2025-01-24", 1, "2025-01-26"),  # Sun 26 Jan worked
    ("2025-01-27", 1, "2025-02-05"),  # 28 Jan – 4 Feb off
    ("2025-09-30", 1, "2025-10-09"),  # 1–8 Oct off
    ("2025-12-31", 1, "2026-01-04"),  # 1–3 Jan off, Sun 4 Jan worked
    ("2026-02-13", 1, "2026-02-14"),  # Sat 14 Feb worked
    ("2026-02-14", 1, "2026-02-24"),  # 15–23 Feb off
    ("2026-11-26", 20, "2026-12-24"),
], ids=lambda v: str(v))
def test_nth_working_day_after_start_skips_holidays_and_counts_makeup_days(calendar, start, days, due):
    assert calendar.add_working_days(D(start), days) == D(due)


def test_the_start_day_itself_is_not_counted(calendar):
    assert calendar.add_working_days(D("2024-03-04"), 1) == D("2024-03-05")
    assert calendar.add_working_days(D("2024-03-04"), 0) == D("2024-03-04")


def test_explanation_names_every_day_and_why(calendar):
    period = count_period(calendar, D("2024-09-27"), 3)
    reasons = {d.day.isoformat(): (d.counted, d.reason) for d in period.trail}
    assert reasons["2024-09-28"] == (False, "周末")
    assert reasons["2024-09-29"][0] is True and "调休上班日" in reasons["2024-09-29"][1]
    assert reasons["2024-10-01"] == (False, "法定节假日")
    assert period.due == D("2024-10-08") and not period.provisional


def test_a_year_without_data_counts_monday_to_friday_and_is_provisional(calendar):
    assert not calendar.has_year(2027)
    period = count_period(calendar, D("2026-12-28"), 10)
    assert period.provisional
    assert period.due == D("2027-01-11")  # 29–31 Dec, then Mon–Fri from 1 Jan 2027 (no 元旦 data yet)


def test_suspended_days_are_not_counted_and_an_open_suspension_hides_the_date(calendar):
    start = D("2024-03-01")
    plain = compute_deadline(calendar, start, 20)
    suspended = compute_deadline(calendar, start, 20, [Suspension(D("2024-03-04"), D("2024-03-08"), "consultation")])
    open_ = compute_deadline(calendar, start, 20, [Suspension(D("2024-03-04"), None, "fee")])
    assert suspended.due == calendar.add_working_days(plain.due, 4)
    assert open_.due is None and open_.suspended


def test_a_suspension_before_the_start_does_not_count(calendar):
    deadline = compute_deadline(calendar, D("2024-03-11"), 20, [Suspension(D("2024-03-04"), D("2024-03-08"), "fee")])
    assert deadline.due == calendar.add_working_days(D("2024-03-11"), 20)


def test_a_day_cannot_be_both_holiday_and_makeup_day():
    with pytest.raises(CalendarError, match="同一天不能既是放假日又是调休上班日"):
        YearArrangement(2027, frozenset({D("2027-01-02")}), frozenset({D("2027-01-02")}), "x")


def test_arrangement_dates_must_be_in_their_year():
    with pytest.raises(CalendarError, match="不在 2027 年内"):
        YearArrangement(2027, frozenset({D("2026-12-31")}), frozenset(), "x")


def test_setting_a_year_recomputes_open_provisional_deadlines_as_events(services, clock):
    clock.advance_to(dt.datetime(2026, 12, 15, 9))
    svc, admin = services, user(services)
    svc.requests.receive(c.Receive(at=clock.now(), request_id="P1", agency=AGENCY, applicant={"kind": "natural_person", "name": "张三"},
                          channel="in_person", subject="s"), admin)
    with svc.engine.connect() as conn:
        state, version = (lambda loaded: (loaded.state, loaded.version))(svc.requests.load(conn, "P1"))
    assert state.deadlines["reply"].provisional
    assert state.deadlines["reply"].due == D("2027-01-12")  # Mon–Fri guess: 1 Jan counted as a working day
    arrangement = YearArrangement(2027, frozenset({D("2027-01-01")}), frozenset(), "国务院办公厅2027年放假安排（测试）")
    changed = svc.requests.set_calendar_year(arrangement, admin)
    assert changed == ["P1"]
    with svc.engine.connect() as conn:
        state, new_version = (lambda loaded: (loaded.state, loaded.version))(svc.requests.load(conn, "P1"))
        events = svc.store.read_stream(conn, "request/P1")
        assert svc.requests.calendar(conn).years[2027].source.startswith("国务院办公厅")
    assert new_version == version + 1 and events[-1].type == "deadlines_recomputed"
    assert "2027年放假安排" in events[-1].payload["reason"]
    assert state.deadlines["reply"].due == D("2027-01-13") and not state.deadlines["reply"].provisional


def test_only_an_administrator_changes_the_calendar(services):
    from engine.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.requests.set_calendar_year(YearArrangement(2027, frozenset(), frozenset(), "x"), user(services, "clerk"))


from hypothesis import given, settings
from hypothesis import strategies as st

_days = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2027, 6, 30))


@settings(max_examples=400, deadline=None)
@given(start=_days, days=st.integers(0, 60),
       suspensions=st.lists(st.tuples(_days, st.integers(0, 40)), max_size=3))
def test_bisection_due_date_equals_the_day_by_day_count(calendar, start, days, suspensions):
    """The fast path (deadlines) and the explained path (--explain) must never disagree."""
    excluded = [(first, first + dt.timedelta(days=length)) for first, length in suspensions]
    slow = count_period(calendar, start, days, excluded)
    assert calendar.due_date(start, days, excluded) == (slow.due, slow.provisional)
