"""The composition root: everything ogi runs on is built here from the environment, and nowhere else.

The CLI (and the worker, scheduler and web app to come) call `bootstrap()` and take their services from
the `App` it returns. Adapters (database engine, event store, templates) are chosen here; the services get
them handed in. Nothing connects at import: a database is opened only when `bootstrap()` is called.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from engine.adapters.database import make_engine, require_migrated, sqlite_file
from engine.adapters.eventstore import EventStore
from engine.adapters.keys import Keyring, keyring_from_environment
from engine.clock import Clock, SystemClock
from workflows.audit import AuditService
from workflows.calendar_years import CALENDAR_YEARS_READ_MODEL, CalendarSource
from workflows.directory import Directory
from workflows.queries import RequestQueries
from workflows.report.publish import PUBLICATIONS_READ_MODEL, PublishedReportWatch
from workflows.report.register import REGISTER_READ_MODEL
from workflows.report.service import ReportService
from workflows.requests_projection import RequestsProjection
from workflows.service import RequestService


@dataclass
class App:
    """The services of one process, sharing one database engine, event store and clock."""

    engine: Engine
    clock: Clock
    store: EventStore
    requests: RequestService
    reports: ReportService
    queries: RequestQueries
    directory: Directory
    audit: AuditService

    def close(self) -> None:
        self.engine.dispose()


def build(engine: Engine, clock: Clock | None = None, keyring: Keyring | None = None, origin: str = "") -> App:
    """Wire the services on an engine (tests hand in their own engine and a virtual clock).

    `keyring`: the keys of the log's chains; by default from the environment (engine/adapters/keys.py).
    """
    clock = clock or SystemClock()
    store = EventStore(keyring or keyring_from_environment(sqlite_file(engine)), origin)
    calendars = CalendarSource(store)
    requests_projection = RequestsProjection()
    requests = RequestService(
        engine, clock, store, calendars,
        # after every append, in its transaction: the read model first, then the watch that reads published figures
        projectors=(requests_projection, PublishedReportWatch(store)),
        read_models=(requests_projection, CALENDAR_YEARS_READ_MODEL, REGISTER_READ_MODEL, PUBLICATIONS_READ_MODEL),
    )
    return App(engine, clock, store, requests, ReportService(engine, store, clock),
               RequestQueries(engine, store, clock, requests), Directory(engine, clock), AuditService(engine, store, clock))


def bootstrap(url: str | None = None, clock: Clock | None = None, check_schema: bool = True, origin: str = "") -> App:
    """The App on the database of `url` (default: OGI_DATABASE_URL, else the embedded SQLite file).

    `origin`: where this process's writes come from (the CLI: operating-system user and host), kept with each event.
    """
    engine = make_engine(url)
    if check_schema:
        require_migrated(engine)
    return build(engine, clock, origin=origin)
