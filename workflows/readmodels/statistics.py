"""Statistics for the 统计 page: a year's intake by month, outcomes by family, the on-time rate, and the open requests
past their reply date now, by agency and by department.

Everything but the departments is read from the read model (`requests_table`). The department a request is with
lives in the event log only (workflows/foi/state.py `department`): it is found by folding the streams of the open
overdue requests alone, at most `DEPARTMENT_LIMIT` of them, so the page never reads the whole log.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, extract, func, select, true

from engine.clock import Clock
from workflows.foi.state import OPEN_STAGES, Stage
from workflows.people import access
from workflows.people.access import Action
from workflows.people.accounts import User
from workflows.readmodels.log import events_of_streams
from workflows.streams import REQUEST_STREAM, fold_stored, streams_of
from workflows.tables import departments_table, requests_table

# The six families of table 三's outcomes, by the prefix of the outcome code (workflows/foi/vocabulary.py).
OUTCOME_FAMILIES: tuple[tuple[str, str], ...] = (
    ("disclosed", "予以公开"),
    ("partial", "部分公开"),
    ("withheld", "不予公开"),
    ("unable", "无法提供"),
    ("rejected", "不予处理"),
    ("other", "其他处理"),
)
LATE_REPLY_FLAG = "late_reply"
DEPARTMENT_LIMIT = 500  # beyond this many open overdue requests the departments are not looked up
NO_DEPARTMENT = "（未分派部门）"


def outcome_family(code: str) -> str:
    """The family of an outcome code ("withheld.third_party" -> "withheld"); an unknown code counts as "other"."""
    prefix = code.split(".", 1)[0]
    return prefix if prefix in dict(OUTCOME_FAMILIES) else "other"


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Statistics:
    agencies: list[str] | None  # None: every agency
    year: int
    today: dt.date
    intake: list[Bar]  # twelve months, received_on in the year
    outcomes: list[Bar]  # the six families, concluded_on in the year
    decided: int  # concluded in the year with an outcome, withdrawals left out
    on_time: int  # of those, without the late_reply flag
    overdue_by_agency: list[Bar]  # open now, reply_due before today
    overdue_by_department: list[Bar] | None  # None: too many to look up (DEPARTMENT_LIMIT)

    @property
    def received(self) -> int:
        return sum(bar.count for bar in self.intake)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.decided if self.decided else None

    @property
    def overdue(self) -> int:
        return sum(bar.count for bar in self.overdue_by_agency)


@dataclass
class StatisticsService:
    engine: Engine
    clock: Clock

    def for_viewer(self, viewer: User, agency: str | None = None, year: int | None = None) -> Statistics:
        """What `viewer` may read (workflows/people/access.py, the annual report's row): one agency, refused unless it is
        theirs (or below theirs) or they read every agency; without one, every agency they reach ([]: nothing)."""
        with self.engine.connect() as conn:
            if agency:
                access.require(conn, viewer, Action.READ_REPORT, agency)
                agencies: list[str] | None = [agency]
            else:
                agencies = access.reachable_agencies(conn, viewer, Action.READ_REPORT)
        return self.of(agencies, year)

    def of(self, agencies: Sequence[str] | None, year: int | None = None) -> Statistics:
        """The statistics of `agencies` (None: all) for `year` (default: this year); the overdue ones as of today."""
        today = self.clock.now().date()
        year = year or today.year
        within = _agencies_clause(agencies)
        with self.engine.connect() as conn:
            intake = self._intake(conn, within, year)
            outcomes, decided, on_time = self._outcomes(conn, within, year)
            overdue = self._overdue(conn, within, today)
            by_agency = Counter(agency for _, agency in overdue)
            by_department = self._departments(conn, overdue) if len(overdue) <= DEPARTMENT_LIMIT else None
        return Statistics(
            agencies=None if agencies is None else list(agencies), year=year, today=today, intake=intake,
            outcomes=outcomes, decided=decided, on_time=on_time,
            overdue_by_agency=[Bar(a, a, n) for a, n in sorted(by_agency.items(), key=lambda kv: (-kv[1], kv[0]))],
            overdue_by_department=by_department)

    @staticmethod
    def _intake(conn, within, year: int) -> list[Bar]:
        r = requests_table.c
        month = extract("month", r.received_on)
        query = (select(month.label("month"), func.count().label("n"))
                 .where(within, r.received_on >= dt.date(year, 1, 1), r.received_on <= dt.date(year, 12, 31))
                 .group_by(month))
        counts = {int(row.month): int(row.n) for row in conn.execute(query)}
        return [Bar(str(m), f"{m}月", counts.get(m, 0)) for m in range(1, 13)]

    @staticmethod
    def _outcomes(conn, within, year: int) -> tuple[list[Bar], int, int]:
        r = requests_table.c
        late = r.flags.like(f'%"{LATE_REPLY_FLAG}"%')
        query = (select(r.outcome, r.stage, late.label("late"), func.count().label("n"))
                 .where(within, r.outcome.is_not(None),
                        r.concluded_on >= dt.date(year, 1, 1), r.concluded_on <= dt.date(year, 12, 31))
                 .group_by(r.outcome, r.stage, late))
        families: Counter[str] = Counter()
        decided = on_time = 0
        for row in conn.execute(query):
            families[outcome_family(row.outcome)] += row.n
            if row.stage != Stage.WITHDRAWN:
                decided += row.n
                on_time += 0 if row.late else row.n
        return [Bar(key, label, families[key]) for key, label in OUTCOME_FAMILIES], decided, on_time

    @staticmethod
    def _overdue(conn, within, today: dt.date) -> list[tuple[str, str]]:
        """(request id, agency) of the open requests whose reply date has passed."""
        r = requests_table.c
        query = (select(r.request_id, r.agency)
                 .where(within, r.stage.in_([str(s) for s in OPEN_STAGES]), r.reply_due < today)
                 .order_by(r.request_id))
        return [(row.request_id, row.agency) for row in conn.execute(query)]

    @staticmethod
    def _departments(conn, overdue: list[tuple[str, str]]) -> list[Bar]:
        """Fold only the overdue requests' streams for their department (a withdrawn or voided step is honoured)."""
        agency_of = dict(overdue)
        counts: Counter[tuple[str, str | None]] = Counter()
        ids = sorted(agency_of)
        for start in range(0, len(ids), 200):  # bounded IN lists
            streams = [REQUEST_STREAM + i for i in ids[start:start + 200]]
            for events in streams_of(events_of_streams(conn, streams)):
                request_id = events[0].stream_id[len(REQUEST_STREAM):]
                counts[(agency_of[request_id], fold_stored(events).department)] += 1
        names = {(row.agency, row.code): row.name for row in conn.execute(
            select(departments_table).where(departments_table.c.agency.in_(sorted(set(agency_of.values())))))}
        bars = []
        for (agency, code), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or "")):
            label = names.get((agency, code), code) if code else NO_DEPARTMENT
            bars.append(Bar(f"{agency}/{code or ''}", f"{agency} · {label}", n))
        return bars


def _agencies_clause(agencies: Sequence[str] | None):
    if agencies is None:
        return true()
    return requests_table.c.agency.in_(list(agencies))
