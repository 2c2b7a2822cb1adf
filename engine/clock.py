"""Time for the engine: the injected clock, and periods with suspensions and extensions (DESIGN §3).

A period of N working days "from" day D ends at the end of the N-th working day after D.
Working days after the day a suspension starts, up to and including the day it ends, are not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from engine.calendar import PeriodCount, WorkingCalendar, count_period

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """Current time, naive, in Asia/Shanghai."""


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(SHANGHAI).replace(tzinfo=None)


class VirtualClock:
    """A clock tests and the importer move by hand; it never goes backwards."""

    def __init__(self, start: dt.datetime):
        self._now = start

    def now(self) -> dt.datetime:
        return self._now

    def advance_to(self, moment: dt.datetime) -> None:
        if moment < self._now:
            raise ValueError(f"虚拟时钟不能从 {self._now} 倒退到 {moment}")
        self._now = moment


def to_shanghai_naive(moment: dt.datetime) -> dt.datetime:
    """Aware datetimes are converted to Asia/Shanghai; naive ones are taken as Shanghai time already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(SHANGHAI).replace(tzinfo=None)


@dataclass(frozen=True)
class Suspension:
    """The clock stops after `start` and runs again after `end` (None: still suspended)."""

    start: dt.date
    end: dt.date | None
    reason: str


@dataclass(frozen=True)
class Deadline:
    """A computed due date. `due` is None while the period is suspended (it cannot be known yet)."""

    start: dt.date
    working_days: int
    due: dt.date | None
    provisional: bool

    @property
    def suspended(self) -> bool:
        return self.due is None

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "working_days": self.working_days,
            "due": self.due.isoformat() if self.due else None,
            "provisional": self.provisional,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Deadline:
        return cls(
            dt.date.fromisoformat(data["start"]),
            data["working_days"],
            dt.date.fromisoformat(data["due"]) if data["due"] else None,
            data["provisional"],
        )


def _relevant(start: dt.date, suspensions: Iterable[Suspension]) -> list[Suspension]:
    return [s for s in suspensions if s.end is None or s.end > start]


def compute_deadline(
    calendar: WorkingCalendar, start: dt.date, working_days: int, suspensions: Iterable[Suspension] = ()
) -> Deadline:
    relevant = _relevant(start, suspensions)
    if any(s.end is None for s in relevant):
        return Deadline(start, working_days, None, False)
    due, provisional = calendar.due_date(start, working_days, _excluded(start, relevant))
    return Deadline(start, working_days, due, provisional)


def explain_deadline(
    calendar: WorkingCalendar,
    start: dt.date,
    working_days: int,
    suspensions: Iterable[Suspension] = (),
    suspended_until: dt.date | None = None,
) -> PeriodCount:
    """Every day counted or skipped and why; an open suspension is shown as if it ended `suspended_until`."""
    relevant = _relevant(start, suspensions)
    closed = [
        Suspension(s.start, s.end if s.end is not None else (suspended_until or s.start), s.reason)
        for s in relevant
    ]
    return count_period(calendar, start, working_days, _excluded(start, closed))


def _excluded(start: dt.date, suspensions: list[Suspension]) -> list[tuple[dt.date, dt.date]]:
    one_day = dt.timedelta(days=1)
    return [(max(s.start, start) + one_day, s.end) for s in suspensions if s.end is not None]
