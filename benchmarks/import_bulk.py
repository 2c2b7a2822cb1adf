"""`ogi import` of a large generated history file, timed on a fresh database per database type.

    python -m benchmarks.import_bulk [--requests 100000] [--databases sqlite,postgresql] [--postgres-url URL] [--profile]

The file holds requests received in 2024–2025 with the lifecycle benchmark's mix of corrections, consultations,
fees and extensions, every one decided and served. `workflows.requests.importer.import_file` reads and validates every
line and replays it through the workflow in memory, then writes all events (with both hash chains) and
projections in one transaction. The progress callback splits the time into those phases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select

from benchmarks.common import (
    SEED,
    PlannedRequest,
    Profiler,
    add_database_options,
    describe_mix,
    fresh_database,
    load_average,
    make_services,
    measure_each,
    parse_databases,
    plan_requests,
)
from engine.adapters.eventstore import events_table, verify_log
from engine.clock import VirtualClock
from workflows.requests.importer import import_file
from workflows.tables import requests_table

IMPORT_NOW = dt.datetime(2026, 11, 26, 9, 0)  # the day the figures were recorded; every history lies before it
TARGET_SECONDS = 120.0  # the issue: 100,000 requests in under 2 minutes


@dataclass
class PhaseClock:
    """The importer's progress callback: remembers when each phase last reported."""

    last: dict[str, float] = field(default_factory=dict)

    def __call__(self, phase: str, done: int, total: int) -> None:
        self.last[phase] = time.perf_counter()


@dataclass(frozen=True)
class ImportResult:
    database: str
    requests: int
    events: int
    seconds: float
    replay_seconds: float  # reading, parsing, validating and replaying every line (nothing written yet)
    write_seconds: float  # duplicate check, events with hashes, projections
    commit_seconds: float
    verify_seconds: float  # `ogi audit verify` of the imported log (not part of the import)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds


def write_history_file(plans: list[PlannedRequest], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for plan in plans:
            out.write(json.dumps(plan.import_line(), ensure_ascii=False) + "\n")


def run_import(url: str, path: Path, expected: int, profiler: Profiler) -> ImportResult:
    services, clerk = make_services(url, VirtualClock(IMPORT_NOW))
    phases = PhaseClock()
    try:
        with profiler.running():
            start = time.perf_counter()
            imported = import_file(services.requests, path, clerk, progress=phases)
            end = time.perf_counter()
        profiler.report(f"import of {expected} requests on {services.engine.dialect.name}")
        requests, events = stored_counts(services.engine)
        if imported != expected or requests != expected:
            raise SystemExit(f"benchmark run is invalid: {imported} imported, {requests} stored, {expected} expected")
        verify_seconds = timed_verify(services.engine, services.store.keyring)
    finally:
        services.engine.dispose()
    replay_end, write_end = phases.last["replay"], phases.last["write"]
    return ImportResult(services.engine.dialect.name, requests, events, end - start, replay_end - start,
                        write_end - replay_end, end - write_end, verify_seconds)


def stored_counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        requests = conn.execute(select(func.count()).select_from(requests_table)).scalar_one()
        events = conn.execute(select(func.count()).select_from(events_table)).scalar_one()
    return requests, events


def timed_verify(engine: Engine, keyring) -> float:
    with engine.connect() as conn:
        start = time.perf_counter()
        audit = verify_log(conn, keyring)
        seconds = time.perf_counter() - start
    if not audit.ok:
        raise SystemExit(f"benchmark run is invalid: the imported log does not verify: {audit.problem}")
    return seconds


def print_table(results: list[ImportResult]) -> None:
    header = ("database", "requests", "events", "total s", "requests/s", "replay s", "write s", "commit s", "verify s")
    rows = [(r.database, str(r.requests), str(r.events), f"{r.seconds:.1f}", f"{r.requests_per_second:.0f}",
             f"{r.replay_seconds:.1f}", f"{r.write_seconds:.1f}", f"{r.commit_seconds:.1f}", f"{r.verify_seconds:.1f}")
            for r in results]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(cell.ljust(width) if i == 0 else cell.rjust(width)
                        for i, (cell, width) in enumerate(zip(row, widths, strict=True))))
    print(f"target: 100,000 requests in under {TARGET_SECONDS:.0f} s; "
          f"peak memory of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_bulk", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000, help="lines in the generated file (default %(default)s)")
    parser.add_argument("--seed", type=int, default=SEED)
    add_database_options(parser, "the import")
    args = parser.parse_args(argv)

    plans = plan_requests(args.requests, args.seed)
    with tempfile.TemporaryDirectory(prefix="ogi-bench-import-") as folder:
        path = Path(folder) / f"history-{args.requests}.jsonl"
        write_history_file(plans, path)
        print(f"{args.requests} requests, {path.stat().st_size / 1e6:.1f} MB of JSON Lines ({describe_mix(plans)}); "
              f"{load_average()}", flush=True)
        del plans  # the importer holds its own copy in memory; do not count this one twice

        def measure(kind: str) -> ImportResult:
            with fresh_database(kind, args.postgres_url) as url:
                return run_import(url, path, args.requests, Profiler(args.profile))

        results, skipped = measure_each(parse_databases(args.databases), measure)
    if results:
        print_table(results)
    print(load_average())
    return 1 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
