"""What both benchmarks share: fresh databases, the users and agency, and a realistic mix of requests.

The mix is generated from a fixed seed, so two runs (and the two benchmarks) work on the same histories.
One plan serves both: as commands for `App.act` and as lines of the import format (DESIGN §6).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, text

from bootstrap import App
from engine.adapters.database import make_engine, migrate
from engine.clock import VirtualClock
from tests import world
from tests.builders import event, issued_reply, noticed_correction, noticed_fee, request_line
from tests.world import AGENCY, CLERK, HEAD
from workflows.foi import commands as c
from workflows.foi.identifiers import id_check_digit
from workflows.people.accounts import User

DEFAULT_POSTGRES_URL = os.environ.get("OGI_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
DATABASES = ("sqlite", "postgresql")
SEED = 2026

# Share of each path through the procedure, in percent (the issue: "the mix found in practice").
MIX = {"straight": 70, "correction": 10, "consultation": 8, "fee": 5, "extension": 7}


# -- databases -------------------------------------------------------------------------------------
class DatabaseUnavailable(Exception):
    """The database server cannot be reached; the benchmark skips that database and says why."""


def measure_each(kinds: list[str], measure) -> tuple[list, int]:
    """Run `measure(kind)` for every database kind; an unavailable one is reported and counted, not fatal."""
    results, skipped = [], 0
    for kind in kinds:
        try:
            results.append(measure(kind))
        except DatabaseUnavailable as reason:
            print(f"skipped {kind}: {reason}", file=sys.stderr)
            skipped += 1
    return results, skipped


def add_database_options(parser, profiled: str) -> None:
    """--databases, --postgres-url and --profile, the same in every benchmark; `profiled` names what is profiled."""
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="server to create a scratch database on (default: $OGI_BENCH_POSTGRES_URL or %(default)s)")
    parser.add_argument("--profile", action="store_true",
                        help=f"profile {profiled} (cProfile, top 15); the figures then include the profiler's overhead")


def parse_databases(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in DATABASES]
    if unknown:
        raise SystemExit(f"unknown database {unknown[0]!r}; expected some of: {', '.join(DATABASES)}")
    return names


@contextmanager
def fresh_database(kind: str, postgres_url: str = DEFAULT_POSTGRES_URL) -> Iterator[str]:
    """A new, migrated database of `kind`; yields its URL and removes it afterwards."""
    if kind == "sqlite":
        with _sqlite_database() as url:
            yield url
    else:
        with _postgres_database(postgres_url) as url:
            yield url


@contextmanager
def _sqlite_database() -> Iterator[str]:
    folder = tempfile.mkdtemp(prefix="ogi-bench-")
    try:
        url = f"sqlite:///{folder}/ogi.db"
        _migrate(url)  # make_engine sets WAL and synchronous=FULL: every commit is durable
        yield url
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _postgres_database(server_url: str) -> Iterator[str]:
    admin = create_engine(server_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    name = f"ogi_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any failure to reach or use the server
        admin.dispose()
        raise DatabaseUnavailable(f"PostgreSQL at {server_url}: {type(error).__name__}: {str(error).splitlines()[0]}") from error
    try:
        url = server_url.rsplit("/", 1)[0] + "/" + name
        _migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _migrate(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()


HEAD_STEPS = frozenset({c.Extend.name, c.ApproveDocument.name})  # taken by the head himself (issue 17)


def make_services(url: str, clock: VirtualClock) -> tuple[App, User]:
    """App on `url` with the users and agency the tests use (tests/world.py); returns it and the clerk who acts."""
    services = world.make_services(url, clock)
    return services, world.user(services, CLERK)


# -- the mix of requests ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One staff step: `type` is the event type, which is also the `type` of the import format."""

    type: str
    at: dt.datetime
    fields: dict


@dataclass(frozen=True)
class PlannedRequest:
    id: str
    path: str  # a key of MIX
    received_at: dt.datetime
    applicant: dict
    channel: str
    subject: str
    steps: tuple[Step, ...]

    def receive_command(self) -> c.Receive:
        # an applicant served electronically consented to it on applying (235号: the workflow's guard asks it)
        consented = any(s.type == "delivered" and s.fields.get("method") == "electronic" for s in self.steps)
        return c.Receive(at=self.received_at, request_id=self.id, agency=AGENCY, applicant=self.applicant,
                         channel=self.channel, subject=self.subject, electronic_service=consented or None)

    def commands(self, step: Step) -> list[c.Command]:
        """The step as `App.act` takes it; a live request's reply is issued as a document before it is served."""
        command = c.BY_EVENT_TYPE[step.type](at=step.at, **step.fields)
        if isinstance(command, c.Decide):  # a live request's decision is its issued reply's (DESIGN §9)
            return [*issued_reply(step.at, command.outcome), command]
        if isinstance(command, c.NotifyFee):  # the issued 收费通知书 first (109号)
            return list(noticed_fee(step.at, command.amount_yuan, command.method))
        if isinstance(command, c.RequestCorrection):  # the issued 补正告知书 first (Art. 30)
            return list(noticed_correction(step.at, command.period_days))
        if isinstance(command, c.Extend):  # the head's own consent: no approver's name is taken (HEAD_STEPS)
            return [dataclasses.replace(command, approved_by="")]
        return [command]

    def import_line(self) -> dict:
        return request_line(self.id, self.received_at, *(event(s.type, s.at, **s.fields) for s in self.steps),
                            applicant=self.applicant, channel=self.channel, subject=self.subject)


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
SUBJECTS = (
    "申请公开某建设项目的施工许可审批材料", "申请公开本单位年度行政许可事项办理数量", "申请公开某公司食品经营许可证的申请材料",
    "申请公开某小区规划许可的审批文件", "申请公开某药店经营许可的现场核查记录", "申请公开政务服务大厅窗口设置的文件",
    "申请公开惠企政策兑现名单", "申请公开某道路拓宽工程的立项批复",
)
APPLICANT_KINDS = {"natural_person": 85, "commercial": 8, "legal_services": 3, "research": 2, "public_interest": 1, "other_org": 1}
CHANNELS = {"online": 45, "in_person": 25, "email": 12, "post_signed": 10, "post_plain": 8}
OUTCOMES = {"disclosed": 50, "partial": 15, "unable.not_held": 20, "withheld.third_party": 4,
            "withheld.process_info": 4, "rejected.repeat": 4, "unable.needs_creation": 3}
DELIVERY = {"electronic": 50, "post": 30, "in_person": 20}


class _Planner:
    """Draws one request's history; every step falls inside its statutory period, so no timer fires."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def later(self, moment: dt.datetime, min_days: int, max_days: int) -> dt.datetime:
        """A moment in office hours some days after `moment`, moved off the weekend (staff work Mon–Fri)."""
        day = moment.date() + dt.timedelta(days=self.rng.randint(min_days, max_days))
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time(self.rng.randint(9, 16), self.rng.randint(0, 59)))

    def applicant(self) -> dict:
        name = self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=2))
        first17 = (f"3713{self.rng.randint(10, 29)}{self.rng.randint(1950, 2004)}{self.rng.randint(1, 12):02d}"
                   f"{self.rng.randint(1, 28):02d}{self.rng.randint(0, 999):03d}")
        return {"kind": self.pick(APPLICANT_KINDS), "name": name,
                "id_number": first17 + id_check_digit(first17),  # valid (GB 11643): registration checks it
                "phone": f"13{self.rng.randint(0, 999999999):09d}"}

    def steps(self, path: str, received: dt.datetime) -> list[Step]:
        moment, steps = received, []

        def step(type_: str, min_days: int, max_days: int, **fields) -> None:
            nonlocal moment
            moment = self.later(moment, min_days, max_days)
            steps.append(Step(type_, moment, fields))

        outcome = self.pick(OUTCOMES)
        if path == "correction":
            step("correction_requested", 1, 5, period_days=15)  # notice within 7 working days (Art. 30)
            step("corrected", 2, 10)
            outcome = self.rng.choice([outcome, "unable.unclear"])  # allowed only after a correction
        elif path == "consultation":
            step("consultation_started", 2, 6, party="third_party")
            step("consultation_ended", 3, 14, opinion=self.rng.choice(["consent", "object"]))
        elif path == "fee":
            step("fee_notified", 3, 8, amount_yuan=float(self.rng.choice([100, 300, 1700])), method="per_request")
            step("fee_paid", 2, 10)
        elif path == "extension":
            step("extended", 10, 15, working_days=20, approved_by=HEAD)
            step("decided", 15, 22, outcome=outcome)  # after the 20 working days, within the extension
        if path != "extension":
            step("decided", 2, 18, outcome=outcome)
        step("delivered", 1, 2, method=self.pick(DELIVERY))
        return steps


def plan_requests(count: int, seed: int = SEED, first: dt.date = dt.date(2024, 1, 2),
                  last: dt.date = dt.date(2025, 10, 31)) -> list[PlannedRequest]:
    """`count` requests received between `first` and `last`, each concluded (decided and served) by the end of 2025."""
    rng = random.Random(seed)
    planner = _Planner(rng)
    span = (last - first).days
    plans = []
    for number in range(1, count + 1):
        received = dt.datetime.combine(first + dt.timedelta(days=rng.randint(0, span)),
                                       dt.time(rng.randint(8, 17), rng.randint(0, 59)))
        path = planner.pick(MIX)
        plans.append(PlannedRequest(
            id=f"{AGENCY}-{received.year}-{number:06d}", path=path, received_at=received,
            applicant=planner.applicant(), channel=planner.pick(CHANNELS), subject=rng.choice(SUBJECTS),
            steps=tuple(planner.steps(path, received)),
        ))
    return plans


def describe_mix(plans: list[PlannedRequest]) -> str:
    counts = {path: sum(1 for p in plans if p.path == path) for path in MIX}
    return ", ".join(f"{path} {count}" for path, count in counts.items())



# -- profiling and context ---------------------------------------------------------------------------
class Profiler:
    """cProfile switched on only around the measured work (`with profiler.running():`), reported once at the end."""

    def __init__(self, enabled: bool):
        import cProfile

        self.profile = cProfile.Profile() if enabled else None

    @contextmanager
    def running(self) -> Iterator[None]:
        if self.profile is None:
            yield
            return
        self.profile.enable()
        try:
            yield
        finally:
            self.profile.disable()

    def report(self, title: str, top: int = 15) -> None:
        if self.profile is None:
            return
        import pstats

        for order in ("cumulative", "tottime"):
            print(f"\n-- profile of {title}: top {top} by {order} --", flush=True)
            pstats.Stats(self.profile, stream=sys.stdout).sort_stats(order).print_stats(top)


def load_average() -> str:
    """The machine is shared: the load around a run says how much the figures may be disturbed."""
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
