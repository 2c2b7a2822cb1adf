"""The composition root: everything ogi runs on is built here from the environment, and nowhere else.

The CLI and the web app call `bootstrap()` and take their services from the `App` it returns; the scheduler,
the worker and `ogi up` are built from that `App` (bootstrap/processes.py). Adapters (database engine, event
store, templates) are chosen here and handed to the services; so are the after-append projectors and the
sweep's after-timers and after-checkpoint hooks, which is how the workflows reach notifications/ without
importing it. Nothing connects at import: a database is opened only when `bootstrap()` is called.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from engine.adapters.database import make_engine, require_migrated, sqlite_file
from engine.adapters.eventstore import EventStore
from engine.adapters.keys import Keyring, keyring_from_environment
from engine.clock import Clock, SystemClock
from notifications.applicant_notices import ApplicantNotices, write_applicant_message
from notifications.notices import LapseNotices, write_checkpoint_notices, write_due_reminders
from notifications.outbox import OutboxService
from workflows.documents.approvals import ApprovalService
from workflows.documents.attachments import AttachmentService
from workflows.documents.intake import IntakeService, intake_service
from workflows.documents.progress import ApplicantProgress
from workflows.documents.released import FileStore, ReleaseService
from workflows.documents.service import DocumentService
from workflows.integrity import heartbeats
from workflows.integrity.audit import AuditService
from workflows.integrity.seals import RowSealer
from workflows.people.directory import Directory, Initialised
from workflows.people.sign_in import WebAccounts
from workflows.portal.applicant_desk import ApplicantDesk
from workflows.portal.payments import PaymentCallbacks
from workflows.portal.platforms import PlatformTokens
from workflows.portal.retention import forget_stale_submissions
from workflows.portal.submissions import PortalService
from workflows.readmodels.calendar_years import CALENDAR_YEARS_READ_MODEL, CalendarSource
from workflows.readmodels.guard import ProjectionGuard
from workflows.readmodels.requests import RequestsProjection
from workflows.readmodels.statistics import StatisticsService
from workflows.readmodels.tasks import TaskService, TasksProjection
from workflows.report.facts import cases_json_of
from workflows.report.publish import PUBLICATIONS_READ_MODEL, PublishedReportWatch
from workflows.report.register import REGISTER_READ_MODEL
from workflows.report.service import ReportService
from workflows.requests.queries import RequestQueries
from workflows.requests.service import RequestService
from workflows.requests.sweep import Sweeper


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
    sweeper: Sweeper
    tasks: TaskService
    outbox: OutboxService
    documents: DocumentService
    web: WebAccounts
    statistics: StatisticsService
    approvals: ApprovalService  # 审批: extensions, voids and drafts waiting for a head
    progress: ApplicantProgress  # what the applicant sees at /lookup
    intake: IntakeService  # 受理窗口: registration with its scans and the receipt, a correction received
    portal: PortalService  # /apply and the platforms' API: applications made online (issue 20)
    applicant_desk: ApplicantDesk  # the applicant's own page
    released: ReleaseService  # the information's files given with the reply, stored by SHA-256
    platforms: PlatformTokens  # the 政务服务网 that file through the API (`ogi platform add`)
    payments: PaymentCallbacks  # a payment platform's signed notice of a fee paid

    def initialise(self) -> Initialised:
        """`ogi init`: migrate, add the first administrator, and seal with the log's key any row a migration left
        unsealed (no migration holds the key)."""
        done = self.directory.initialise()
        self.requests.seal_unsealed_rows()
        return done

    def database_problem(self) -> str | None:
        """None when the database answers (`GET /healthz`), else what went wrong, without secrets."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as error:
            return type(error).__name__
        return None

    def health(self, redis_url: str | None, stale_after_seconds: int) -> list[str]:
        """What is not fine: the database, the broker (when one is configured), the scheduler's heartbeat."""
        problems = []
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                last = heartbeats.last_beat(conn, "scheduler")
        except SQLAlchemyError as error:
            return [f"database {self.engine.url.render_as_string(hide_password=True)} does not answer: "
                    f"{type(error).__name__}"]
        if redis_url:
            try:
                Redis.from_url(redis_url, socket_timeout=3).ping()
            except RedisError as error:
                problems.append(f"broker {redis_url.rsplit('@', 1)[-1]} does not answer: {type(error).__name__}")
        now = self.clock.now()
        if last is None:
            problems.append("no scheduler has ever beaten: start `ogi scheduler` (or `ogi up`)")
        elif (now - last).total_seconds() > stale_after_seconds:
            problems.append(f"the last scheduler heartbeat is {int((now - last).total_seconds())} s old")
        return problems

    def close(self) -> None:
        self.engine.dispose()


def build(engine: Engine, clock: Clock | None = None, keyring: Keyring | None = None, origin: str = "") -> App:
    """Wire the services on an engine (tests hand in their own engine and a virtual clock).

    `keyring`: the keys of the log's chains; by default from the environment (engine/adapters/keys.py).
    """
    clock = clock or SystemClock()
    keyring = keyring or keyring_from_environment(sqlite_file(engine))
    store = EventStore(keyring, origin)
    calendars = CalendarSource(store)
    requests_projection = RequestsProjection(RowSealer(store), cases_json_of)
    guard = ProjectionGuard(store, requests_projection)
    tasks = TasksProjection(clock)
    applicant_notices = ApplicantNotices()
    requests = RequestService(
        engine, clock, store, calendars,
        # after every append, in its transaction: the read model first, then the watch that reads published figures
        projectors=(requests_projection, PublishedReportWatch(store), tasks, LapseNotices(), applicant_notices),
        read_models=(requests_projection, CALENDAR_YEARS_READ_MODEL, REGISTER_READ_MODEL, PUBLICATIONS_READ_MODEL,
                     tasks),
        guard=guard,
    )
    audit = AuditService(engine, store, clock)
    task_service = TaskService(engine, store, clock)
    files = FileStore(files_folder(engine))
    documents = DocumentService(engine, clock, store, requests, files=files)
    applicant_notices.query_code = lambda conn, state: documents.lookup_code(state, conn)
    attachments = AttachmentService(engine, clock, requests)
    progress = ApplicantProgress(engine, requests, documents)
    secret = hmac.new(keyring.current_key, b"ogi online door\x00", hashlib.sha256).digest()
    portal = PortalService(engine, clock, requests, documents, attachments, secret, write_applicant_message)
    desk = ApplicantDesk(engine, clock, requests, documents, progress, attachments, files, secret,
                         write_applicant_message)
    return App(engine, clock, store, requests, ReportService(engine, store, clock, guard),
               RequestQueries(engine, store, clock, requests, guard), Directory(engine, clock), audit,
               Sweeper(requests, audit, checkpoint_folder(engine), task_service,
                       after_timers=(write_due_reminders,), after_checkpoint=(write_checkpoint_notices,),
                       housekeeping=(forget_stale_submissions,)), task_service,
               OutboxService(engine, clock), documents, WebAccounts(engine, clock),
               StatisticsService(engine, clock), ApprovalService(engine, clock, requests, documents),
               progress, intake_service(engine, clock, requests, documents), portal, desk,
               ReleaseService(engine, clock, requests, files),
               PlatformTokens(engine, clock, requests, documents, progress), PaymentCallbacks(engine, clock, requests))


def checkpoint_folder(engine: Engine) -> Path | None:
    """Where each sweep hands out its signed checkpoint: OGI_CHECKPOINT_DIR, else beside the embedded SQLite file."""
    named = os.environ.get("OGI_CHECKPOINT_DIR")
    if named:
        return Path(named)
    database = sqlite_file(engine)
    return database.with_name(database.name + ".checkpoints") if database else None


def files_folder(engine: Engine) -> Path:
    """Where released files are kept by SHA-256: OGI_FILES_DIR, else beside the embedded SQLite file, else var/files."""
    named = os.environ.get("OGI_FILES_DIR")
    if named:
        return Path(named)
    database = sqlite_file(engine)
    return database.with_name(database.name + ".files") if database else Path("var/files").resolve()


def bootstrap(url: str | None = None, clock: Clock | None = None, check_schema: bool = True, origin: str = "") -> App:
    """The App on the database of `url` (default: OGI_DATABASE_URL, else the embedded SQLite file).

    `origin`: where this process's writes come from (the CLI: operating-system user and host), kept with each event.
    """
    engine = make_engine(url)
    if check_schema:
        require_migrated(engine)
    return build(engine, clock, origin=origin)
