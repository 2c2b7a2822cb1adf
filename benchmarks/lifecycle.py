"""Full lifecycles through the application service, one committed transaction per step, against a minimal baseline.

    python -m benchmarks.lifecycle [--requests N] [--databases sqlite,postgresql] [--postgres-url URL] [--profile]

ogi: each `App.receive` / `App.act` call loads the request, folds its events, runs its timers,
decides, appends the event with both hash chains under the log-head lock and updates the projection, in one
committed transaction.
Baseline, same run, same database, same engine settings (SQLite: WAL, synchronous=FULL, BEGIN IMMEDIATE;
PostgreSQL: the server's settings, synchronous_commit on): a hand-written loop over the very transitions ogi
wrote, one committed transaction each, that sets one state column and inserts one event row.
The two take turns in blocks, so a busy neighbour on a shared machine slows both alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from dataclasses import dataclass

from sqlalchemy import func, select, text

from benchmarks.common import (
    HEAD_STEPS,
    MIX,
    SEED,
    PlannedRequest,
    Profiler,
    Step,
    add_database_options,
    describe_mix,
    fresh_database,
    load_average,
    make_services,
    measure_each,
    parse_databases,
    plan_requests,
)
from engine.adapters.database import make_engine
from engine.adapters.eventstore import events_table, verify_log
from engine.clock import VirtualClock
from tests import world
from workflows.foi.state import Stage
from workflows.streams import REQUEST_STREAM
from workflows.tables import requests_table

TARGET_RATIO = 0.5  # the issue: ogi reaches at least half the baseline's transitions/s
BLOCK_STEPS = 250  # steps ogi runs before the baseline takes its turn with the same transitions

ScheduledStep = tuple[dt.datetime, PlannedRequest, Step | None]  # None stands for the receipt


@dataclass(frozen=True)
class Result:
    database: str
    requests: int
    transitions: int
    ogi_seconds: float
    baseline_seconds: float

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.ogi_seconds

    @property
    def transitions_per_second(self) -> float:
        return self.transitions / self.ogi_seconds

    @property
    def baseline_per_second(self) -> float:
        return self.transitions / self.baseline_seconds

    @property
    def ratio(self) -> float:
        return self.transitions_per_second / self.baseline_per_second


# -- ogi ---------------------------------------------------------------------------------------------
def schedule(plans: list[PlannedRequest]) -> list[ScheduledStep]:
    """Every step of every request in business-time order, as an agency works on many requests at once.

    The virtual clock follows this order, so it never goes back.
    """
    entries: list[tuple[dt.datetime, int, int, PlannedRequest, Step | None]] = []
    for index, plan in enumerate(plans):
        entries.append((plan.received_at, index, -1, plan, None))
        entries.extend((step.at, index, number, plan, step) for number, step in enumerate(plan.steps))
    entries.sort(key=lambda entry: entry[:3])
    return [(at, plan, step) for at, _, _, plan, step in entries]


class OgiRun:
    """The workflow engine on a fresh database: users, agency, and a virtual clock moved step by step."""

    def __init__(self, url: str, start: dt.datetime, profiler: Profiler):
        self.clock = VirtualClock(start)
        self.services, self.clerk = make_services(url, self.clock)
        self.head = world.user(self.services, world.HEAD)
        self.profiler = profiler
        self.last_seq = 0

    def drive(self, steps: list[ScheduledStep]) -> float:
        """Each step is one `App` call, one committed transaction; returns the seconds taken."""
        with self.profiler.running():
            start = time.perf_counter()
            for at, plan, step in steps:
                self.clock.advance_to(at)
                if step is None:
                    self.services.requests.receive(plan.receive_command(), self.clerk)
                else:
                    for command in plan.commands(step):
                        actor = self.head if command.name in HEAD_STEPS else self.clerk
                        self.services.requests.act(plan.id, command, actor)
            return time.perf_counter() - start

    def new_transitions(self) -> list[dict]:
        """Request events appended since the last call, in log order: what the baseline writes in its turn."""
        query = (select(events_table.c.seq, events_table.c.stream_id, events_table.c.type, events_table.c.occurred_at,
                        events_table.c.payload)
                 .where(events_table.c.seq > self.last_seq).order_by(events_table.c.seq))
        with self.services.engine.connect() as conn:
            rows = list(conn.execute(query))
        if rows:
            self.last_seq = rows[-1].seq
        return [dict(request_id=r.stream_id, type=r.type, occurred_at=r.occurred_at, payload=r.payload)
                for r in rows if r.stream_id.startswith(REQUEST_STREAM)]

    def check(self, expected_requests: int) -> None:
        """Untimed: the run counts only if every request was served and both hash chains hold."""
        with self.services.engine.connect() as conn:
            served = conn.execute(select(func.count()).select_from(requests_table)
                                  .where(requests_table.c.stage == Stage.SERVED.value)).scalar_one()
            audit = verify_log(conn, self.services.store.keyring)
        if served != expected_requests or not audit.ok:
            raise SystemExit(f"benchmark run is invalid: {served} of {expected_requests} requests served; "
                             f"audit: {audit.problem or 'ok'}")

    def close(self) -> None:
        self.services.engine.dispose()


# -- baseline ----------------------------------------------------------------------------------------
BASELINE_TABLES = {
    "sqlite": (
        "CREATE TABLE baseline_state (request_id VARCHAR(200) PRIMARY KEY, state VARCHAR(64) NOT NULL)",
        "CREATE TABLE baseline_event (seq INTEGER PRIMARY KEY, request_id VARCHAR(200) NOT NULL, "
        "type VARCHAR(64) NOT NULL, occurred_at TIMESTAMP NOT NULL, payload TEXT NOT NULL)",
    ),
    "postgresql": (
        "CREATE TABLE baseline_state (request_id VARCHAR(200) PRIMARY KEY, state VARCHAR(64) NOT NULL)",
        "CREATE TABLE baseline_event (seq BIGSERIAL PRIMARY KEY, request_id VARCHAR(200) NOT NULL, "
        "type VARCHAR(64) NOT NULL, occurred_at TIMESTAMP NOT NULL, payload TEXT NOT NULL)",
    ),
}
INSERT_STATE = text("INSERT INTO baseline_state (request_id, state) VALUES (:request_id, :type)")
UPDATE_STATE = text("UPDATE baseline_state SET state = :type WHERE request_id = :request_id")
INSERT_EVENT = text("INSERT INTO baseline_event (request_id, type, occurred_at, payload) "
                    "VALUES (:request_id, :type, :occurred_at, :payload)")


class BaselineRun:
    """The minimal loop: its own two tables in the same database, reached through an engine made the same way."""

    def __init__(self, url: str, kind: str):
        self.engine = make_engine(url)  # SQLite: WAL, synchronous=FULL, BEGIN IMMEDIATE, as for ogi
        with self.engine.begin() as conn:
            for statement in BASELINE_TABLES[kind]:
                conn.execute(text(statement))
        self.known: set[str] = set()

    def write(self, transitions: list[dict]) -> float:
        """Per transition one committed transaction: set the state column (insert it on receipt), insert the event."""
        start = time.perf_counter()
        for transition in transitions:
            with self.engine.begin() as conn:
                conn.execute(UPDATE_STATE if transition["request_id"] in self.known else INSERT_STATE, transition)
                conn.execute(INSERT_EVENT, transition)
            self.known.add(transition["request_id"])
        return time.perf_counter() - start

    def close(self) -> None:
        self.engine.dispose()


# -- the run -----------------------------------------------------------------------------------------
def measure(kind: str, plans: list[PlannedRequest], postgres_url: str, profiler: Profiler) -> Result:
    steps = schedule(plans)
    with fresh_database(kind, postgres_url) as url:
        ogi, baseline = OgiRun(url, steps[0][0], profiler), BaselineRun(url, kind)
        try:
            ogi_seconds = baseline_seconds = 0.0
            transitions = 0
            for start in range(0, len(steps), BLOCK_STEPS):
                ogi_seconds += ogi.drive(steps[start:start + BLOCK_STEPS])
                written = ogi.new_transitions()
                transitions += len(written)
                baseline_seconds += baseline.write(written)
            ogi.check(len(plans))
        finally:
            ogi.close()
            baseline.close()
    profiler.report(f"ogi lifecycle on {kind}")
    return Result(kind, len(plans), transitions, ogi_seconds, baseline_seconds)


def print_table(results: list[Result]) -> None:
    header = ("database", "requests", "transitions", "ogi s", "requests/s", "transitions/s",
              "baseline transitions/s", "ratio")
    rows = [(r.database, str(r.requests), str(r.transitions), f"{r.ogi_seconds:.1f}", f"{r.requests_per_second:.1f}",
             f"{r.transitions_per_second:.1f}", f"{r.baseline_per_second:.1f}", f"{r.ratio:.2f}") for r in results]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(cell.ljust(width) if i == 0 else cell.rjust(width)
                        for i, (cell, width) in enumerate(zip(row, widths, strict=True))))
    print(f"target: ratio >= {TARGET_RATIO:.2f} (ogi transitions/s over the minimal baseline's)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lifecycle", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000,
                        help="requests to drive from receipt to service (default %(default)s)")
    parser.add_argument("--seed", type=int, default=SEED)
    add_database_options(parser, "ogi's steps")
    args = parser.parse_args(argv)

    plans = plan_requests(args.requests, args.seed)
    print(f"{args.requests} requests ({describe_mix(plans)}; target mix %: "
          f"{', '.join(f'{k} {v}' for k, v in MIX.items())}); {load_average()}", flush=True)
    results, skipped = measure_each(
        parse_databases(args.databases), lambda kind: measure(kind, plans, args.postgres_url, Profiler(args.profile)))
    if results:
        print_table(results)
    print(load_average())
    return 1 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
