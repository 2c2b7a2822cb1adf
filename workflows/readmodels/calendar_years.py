"""The working-day calendar as ogi uses it: the built-in years plus the administrators' own, kept as events.

Each `calendar_year_set` event (stream `calendar/YEAR`) is folded into the `calendar_years` read model;
`CalendarSource` builds the `WorkingCalendar` from it and rebuilds it only when a year's version changed.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, delete, insert, select

from engine.adapters.eventstore import EventStore, StoredEvent
from engine.adapters.read_models import EventRowsReadModel
from engine.calendar import WorkingCalendar, YearArrangement, builtin_years
from workflows.streams import CALENDAR_STREAM
from workflows.tables import calendar_years_table


def calendar_stream(year: int) -> str:
    return CALENDAR_STREAM + str(year)


def arrangement_payload(arrangement: YearArrangement) -> dict:
    return {
        "year": arrangement.year,
        "holidays": sorted(d.isoformat() for d in arrangement.holidays),
        "workdays": sorted(d.isoformat() for d in arrangement.workdays),
        "source": arrangement.source,
    }


def save_calendar_year(conn: Connection, stored: StoredEvent) -> None:
    """The read-model row of one `calendar_year_set` event."""
    p = stored.payload
    conn.execute(delete(calendar_years_table).where(calendar_years_table.c.year == p["year"]))
    conn.execute(insert(calendar_years_table).values(
        year=p["year"], holidays=json.dumps(p["holidays"]), workdays=json.dumps(p["workdays"]),
        source=p["source"], version=stored.version,
    ))


CALENDAR_YEARS_READ_MODEL = EventRowsReadModel("calendar_years", calendar_years_table, CALENDAR_STREAM, save_calendar_year)


class CalendarSource:
    """The calendar in force, read in the caller's transaction; cached per process while no year changed.

    Setting a year moves the log head's reference version (in the same transaction), so the version read with
    the head tells whether the cached calendar still holds: no query at all while it does.
    """

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._cached: tuple[int, WorkingCalendar] | None = None

    def get(self, conn: Connection) -> WorkingCalendar:
        version = self.store.reference_version(conn)
        cached = self._cached
        if cached is not None and cached[0] == version:
            return cached[1]
        calendar = self._load(conn)
        self._cached = (version, calendar)
        return calendar

    @staticmethod
    def _load(conn: Connection) -> WorkingCalendar:
        years = dict(builtin_years())
        for row in conn.execute(select(calendar_years_table)):
            years[row.year] = YearArrangement(
                row.year, frozenset(map(dt.date.fromisoformat, json.loads(row.holidays))),
                frozenset(map(dt.date.fromisoformat, json.loads(row.workdays))), row.source,
            )
        return WorkingCalendar(years)
