"""Working days on the Chinese calendar: Monday–Friday, minus statutory holidays, plus make-up days (调休).

Pure: the year data is passed in. `builtin_years()` reads the arrangements shipped in the
`chinesecalendar` package; an administrator can add or correct a year (`YearArrangement`). A date in
a year without data is judged Monday–Friday and everything computed from it is marked provisional.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from engine.errors import CalendarError


@dataclass(frozen=True)
class YearArrangement:
    """One year's 放假调休 arrangement: weekday holidays and weekend working days, with its source."""

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str

    def __post_init__(self) -> None:
        for day in self.holidays | self.workdays:
            if day.year != self.year:
                raise CalendarError(f"{day.isoformat()} 不在 {self.year} 年内")
        both = self.holidays & self.workdays
        if both:
            raise CalendarError(
                "同一天不能既是放假日又是调休上班日："
                + "、".join(sorted(d.isoformat() for d in both))
            )


class DayKind(StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"  # 调休: a Saturday or Sunday worked instead


def builtin_years() -> dict[int, YearArrangement]:
    """The arrangements shipped in the `chinesecalendar` package (2004 to its last year)."""
    return dict(_builtin_years())


@lru_cache(maxsize=1)
def _builtin_years() -> dict[int, YearArrangement]:  # read once per process: the package data never changes
    from chinese_calendar import constants  # the only import of the package: data, not logic

    holidays: dict[int, set[dt.date]] = {}
    workdays: dict[int, set[dt.date]] = {}
    for day in constants.holidays:
        holidays.setdefault(day.year, set()).add(day)
    for day in constants.workdays:
        workdays.setdefault(day.year, set()).add(day)
    version = getattr(__import__("chinese_calendar"), "__version__", "?")
    return {
        year: YearArrangement(
            year,
            frozenset(holidays.get(year, ())),
            frozenset(workdays.get(year, ())),
            f"chinesecalendar {version}",
        )
        for year in sorted(set(holidays) | set(workdays))
    }


@dataclass(frozen=True)
class WorkingCalendar:
    years: Mapping[int, YearArrangement] = field(default_factory=dict)
    # sorted working days per year, built on first use: deadlines are counted by bisection, not day by day
    _workdays: dict[int, list[dt.date]] = field(default_factory=dict, compare=False, repr=False)

    def with_year(self, arrangement: YearArrangement) -> WorkingCalendar:
        return WorkingCalendar({**self.years, arrangement.year: arrangement})

    def has_year(self, year: int) -> bool:
        return year in self.years

    def kind(self, day: dt.date) -> DayKind:
        arrangement = self.years.get(day.year)
        weekend = day.weekday() >= 5
        if arrangement is not None:
            if day in arrangement.workdays:
                return DayKind.MAKEUP_WORKDAY
            if day in arrangement.holidays:
                return DayKind.HOLIDAY
        return DayKind.WEEKEND if weekend else DayKind.WORKDAY

    def is_workday(self, day: dt.date) -> bool:
        return self.kind(day) in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)

    def is_provisional(self, day: dt.date) -> bool:
        return day.year not in self.years

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start` (`start` itself is not counted)."""
        return self.due_date(start, days)[0]

    def due_date(self, start: dt.date, days: int, excluded: Iterable[tuple[dt.date, dt.date]] = ()) -> tuple[dt.date, bool]:
        """(due, provisional): the same answer as `count_period`, without the day-by-day trail.

        The due day is the smallest j-th working day after `start` such that j minus the excluded
        working days up to it equals `days`; iterating j = days + excluded(j) from below reaches it.
        """
        if days < 0:
            raise CalendarError(f"期限不能是 {days} 个工作日")
        first_counted = start + dt.timedelta(days=1)
        ranges = _merge([(max(a, first_counted), b) for a, b in excluded if b >= first_counted and b >= a])
        skip = 0
        while True:
            due = self._nth_working_day_after(start, days + skip)
            now_skipped = sum(self._working_days_between(a, min(b, due)) for a, b in ranges if a <= due)
            if now_skipped == skip:
                break
            skip = now_skipped
        provisional = any(year not in self.years for year in range(first_counted.year, due.year + 1)) if due > start else False
        return due, provisional

    def _year_workdays(self, year: int) -> list[dt.date]:
        days = self._workdays.get(year)
        if days is None:
            days = self._workdays[year] = _workdays_of(year, self.years.get(year))
        return days

    def _nth_working_day_after(self, start: dt.date, n: int) -> dt.date:
        if n == 0:
            return start
        year = start.year
        days = self._year_workdays(year)
        index = bisect_right(days, start)
        while n > len(days) - index:
            n -= len(days) - index
            year, index = year + 1, 0
            if year - start.year > MAX_SPAN_DAYS // 365:
                raise CalendarError(f"自 {start} 起算的期限在十年内不能届满")
            days = self._year_workdays(year)
        return days[index + n - 1]

    def _working_days_between(self, first: dt.date, last: dt.date) -> int:
        """Working days d with first <= d <= last."""
        total = 0
        for year in range(first.year, last.year + 1):
            days = self._year_workdays(year)
            total += bisect_right(days, last) - bisect_left(days, first)
        return max(total, 0)


@dataclass(frozen=True)
class CountedDay:
    day: dt.date
    kind: DayKind
    counted: bool
    reason: str  # why it was counted or skipped, in words an auditor reads


@dataclass(frozen=True)
class PeriodCount:
    start: dt.date
    days: int
    due: dt.date
    provisional: bool
    trail: tuple[CountedDay, ...]


_KIND_REASON = {
    DayKind.WORKDAY: "工作日",
    DayKind.MAKEUP_WORKDAY: "调休上班日",
    DayKind.WEEKEND: "周末",
    DayKind.HOLIDAY: "法定节假日",
}

MAX_SPAN_DAYS = 3660  # a period longer than ten years is a data error, not a deadline


@lru_cache(maxsize=256)
def _workdays_of(year: int, arrangement: YearArrangement | None) -> list[dt.date]:
    """Sorted working days of one year (Monday–Friday where there is no arrangement); shared by every calendar."""
    probe = WorkingCalendar({year: arrangement} if arrangement else {})
    day, days = dt.date(year, 1, 1), []
    while day.year == year:
        if probe.is_workday(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _merge(ranges: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Overlapping or touching ranges become one, so no day is skipped twice."""
    merged: list[tuple[dt.date, dt.date]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def count_period(
    calendar: WorkingCalendar,
    start: dt.date,
    days: int,
    excluded: Iterable[tuple[dt.date, dt.date]] = (),
) -> PeriodCount:
    """Count `days` working days after `start`, skipping the days in `excluded`.

    `excluded` holds suspensions as (first_day_not_counted, last_day_not_counted) pairs; the
    caller turns "suspended from S to E" into (S + 1 day, E).
    """
    if days < 0:
        raise CalendarError(f"期限不能是 {days} 个工作日")
    excluded = sorted(excluded)
    trail: list[CountedDay] = []
    counted = 0
    provisional = False
    day = start
    while counted < days:
        day += dt.timedelta(days=1)
        if (day - start).days > MAX_SPAN_DAYS:
            raise CalendarError(f"自 {start} 起算的 {days} 个工作日的期限在十年内不能届满")
        kind = calendar.kind(day)
        if calendar.is_provisional(day):
            provisional = True
        if any(first <= day <= last for first, last in excluded):
            trail.append(CountedDay(day, kind, False, "期限中止（不计入）"))
            continue
        if kind in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY):
            counted += 1
            reason = _KIND_REASON[kind] + f"，第{counted}个工作日"
            if calendar.is_provisional(day):
                reason += "（该年无放假安排数据，按周一至周五暂计）"
            trail.append(CountedDay(day, kind, True, reason))
        else:
            trail.append(CountedDay(day, kind, False, _KIND_REASON[kind]))
    return PeriodCount(start, days, day, provisional, tuple(trail))
