"""Working days on the Chinese calendar: Monday–Friday, minus statutory holidays, plus make-up days (调休).

Pure: the year data is passed in. `builtin_years()` reads the arrangements shipped in the
`chinesecalendar` package; an administrator can add or correct a year (`YearArrangement`). A date in
a year without data is judged Monday–Friday and everything computed from it is marked provisional.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Iterable, Mapping

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
                raise CalendarError(f"{day.isoformat()} is not in year {self.year}")
        both = self.holidays & self.workdays
        if both:
            raise CalendarError(
                "a day cannot be both a holiday and a make-up working day: "
                + ", ".join(sorted(d.isoformat() for d in both))
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

    def with_year(self, arrangement: YearArrangement) -> "WorkingCalendar":
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
        return count_period(self, start, days).due


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
        raise CalendarError(f"a period cannot have {days} working days")
    excluded = sorted(excluded)
    trail: list[CountedDay] = []
    counted = 0
    provisional = False
    day = start
    while counted < days:
        day += dt.timedelta(days=1)
        if (day - start).days > MAX_SPAN_DAYS:
            raise CalendarError(f"period of {days} working days from {start} does not end within ten years")
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
