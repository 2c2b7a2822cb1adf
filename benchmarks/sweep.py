"""The sweep's look-up of what is due, over many open requests, against replaying every open request (issue 10).

    python -m benchmarks.sweep [--requests 100000] [--due 1000] [--databases sqlite,postgresql] [--runs 5]

The database holds `--requests` open requests received in the last weeks, `--due` of which have a lapse due
(an applicant's correction period ended). ogi reads the due ones from the indexed column `requests.next_timer_at`
(`RequestService.due_request_ids`); the baseline does what the sweep did before: fold every open request from
the log and ask it for its pending timers. Both must find the same requests. Nothing is asserted about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from benchmarks.common import add_database_options, fresh_database, load_average, make_services, measure_each, parse_databases
from engine.clock import VirtualClock
from tests.builders import as_lines, event, request_line
from workflows.foi.deadlines import pending_timers
from workflows.requests.importer import import_lines
from workflows.streams import REQUEST_STREAM, fold_stored, streams_of

START = dt.datetime(2026, 11, 2, 9)  # the import's clock: the lapses are due later, at the sweep's moment
SWEEP_AT = dt.datetime(2026, 11, 27, 8)


def lines(count: int, due: int) -> list[tuple[int, str]]:
    records = []
    for n in range(count):
        if n < due:  # a 1-working-day correction period from 2026-11-02: lapses at 2026-11-04 00:00
            records.append(request_line(f"B-{n:06d}", "2026-10-30", event("correction_requested", "2026-11-02",
                                                                             period_days=1)))
        else:  # received just now: the reply runs until December, nothing is due
            records.append(request_line(f"B-{n:06d}", "2026-11-02"))
    return as_lines(*records)


def replay_due(app, now: dt.datetime) -> list[str]:
    with app.engine.connect() as conn:
        ids = [state.request_id for events in streams_of(app.store.read_streams(conn, REQUEST_STREAM))
               if (state := fold_stored(events)).is_open and any(t.fires_at <= now for t in pending_timers(state))]
    return sorted(ids)


def indexed_due(app, now: dt.datetime) -> list[str]:
    with app.engine.connect() as conn:
        return sorted(app.requests.due_request_ids(conn, now))


def timed(function, runs: int) -> tuple[float, list[str]]:
    times, found = [], []
    for _ in range(runs):
        started = time.perf_counter()
        found = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), found


def measure(kind: str, args) -> str:
    with fresh_database(kind, args.postgres_url) as url:
        app, admin = make_services(url, VirtualClock(START))
        started = time.perf_counter()
        import_lines(app.requests, lines(args.requests, args.due), admin, source="benchmark")
        imported = time.perf_counter() - started
        ogi, found = timed(lambda: indexed_due(app, SWEEP_AT), args.runs)
        baseline, expected = timed(lambda: replay_due(app, SWEEP_AT), max(1, args.runs // 2))
        app.close()
    assert found == expected and len(found) == args.due, (len(found), len(expected))
    return (f"{kind}: {args.requests} open requests, {args.due} due (import {imported:.0f} s); indexed look-up "
            f"{ogi * 1000:.1f} ms (median of {args.runs}); baseline replay of every open request {baseline:.2f} s; "
            f"ratio {ogi / baseline:.5f}; under 100 ms: {'met' if ogi < 0.1 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    add_database_options(parser, "the look-up")
    args = parser.parse_args()
    print(load_average())
    results, _ = measure_each(parse_databases(args.databases), lambda kind: measure(kind, args))
    for line in results:
        print(line)
    print(load_average())


if __name__ == "__main__":
    main()
