"""The annual report of one agency-year over a log of about 1,000,000 events, against a whole-log replay.

    python -m benchmarks.report [--events 1000000] [--databases sqlite,postgresql] [--postgres-url URL] [--runs 5]

The log: requests of 6 agencies received 2019–2024, with corrections, consultations, fees, extensions,
deliveries, archiving, reviews and suits, imported through `ogi import` (not timed). Then, in the same
process on the same database:
- baseline: what a report without read models has to do: read the whole log, fold every request, tally
  the agency-year (the same `tally` as the report);
- ogi: `services.reports.annual(2023, agency)`: the sealed projection rows of the agency, each checked
  against the log, the tallies of 2023 and 2022, the checks, table 二.
Both must give the same table 三 and 四 (else the run is invalid). Reported: medians of --runs runs, the ratio
ogi / baseline, and whether ogi stays under the issue's 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.common import (
    Profiler,
    add_database_options,
    fresh_database,
    load_average,
    make_services,
    measure_each,
    parse_databases,
)
from engine.adapters.eventstore import events_table
from engine.clock import VirtualClock
from tests.builders import decided, event, request_line
from workflows.people.accounts import Role, add_agency, add_user, get_user
from workflows.report.annual import tally
from workflows.report.facts import facts_of
from workflows.requests.importer import import_file
from workflows.streams import REQUEST_STREAM, fold_stored, streams_of

NOW = dt.datetime(2026, 11, 26, 9, 0)
YEAR = 2023
AGENCIES = ("hedong-xzsp", "hedong-edu", "hedong-health", "hedong-housing", "hedong-env", "hedong-transport")
REPORTED = AGENCIES[0]
TARGET_SECONDS = 2.0
KINDS = {"natural_person": 85, "commercial": 8, "legal_services": 3, "research": 2, "public_interest": 1, "other_org": 1}
OUTCOMES = {"disclosed": 50, "partial": 15, "unable.not_held": 20, "withheld.third_party": 4,
            "withheld.process_info": 4, "rejected.repeat": 4, "unable.needs_creation": 3}


def _workday_after(day: dt.date, rng: random.Random, low: int, high: int) -> dt.date:
    day += dt.timedelta(days=rng.randint(low, high))
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def history_line(number: int, rng: random.Random) -> tuple[dict, int]:
    """One request's import line and the number of events it will store (its timers never fire: all steps on time)."""
    received = _workday_after(dt.date(2019, 1, 2), rng, 0, 6 * 365 - 10)
    agency = AGENCIES[number % len(AGENCIES)]
    pick = lambda weights: rng.choices(list(weights), weights=list(weights.values()))[0]  # noqa: E731
    channel = rng.choice(["online", "in_person", "email", "post_signed"])
    events, day = [], received
    if channel == "online":
        events.append(event("receipt_confirmed", day))
    outcome = pick(OUTCOMES)
    roll = rng.random()
    if roll < 0.2:
        day = _workday_after(day, rng, 1, 4)
        events.append(event("correction_requested", day, period_days=15))
        day = _workday_after(day, rng, 2, 9)
        events.append(event("corrected", day))
    elif roll < 0.35:
        day = _workday_after(day, rng, 2, 6)
        events.append(event("consultation_started", day, party="third_party"))
        day = _workday_after(day, rng, 3, 12)
        events.append(event("consultation_ended", day, opinion=rng.choice(["consent", "object"])))
    elif roll < 0.45:
        day = _workday_after(day, rng, 3, 8)
        events.append(event("fee_notified", day, amount_yuan=300.0, method="per_request"))
        day = _workday_after(day, rng, 2, 9)
        events.append(event("fee_paid", day))
    elif roll < 0.6:
        day = _workday_after(day, rng, 10, 15)
        events.append(event("extended", day, working_days=20, approved_by="head"))
    if rng.random() < 0.02 and received.year == 2024:
        pass  # still open at the end: carried over
    else:
        day = _workday_after(day, rng, 2, 12)
        events.append(decided(day, outcome))
        day = _workday_after(day, rng, 1, 2)
        events.append(event("delivered", day, method="electronic"))
        if rng.random() < 0.06:
            day = _workday_after(day, rng, 10, 50)
            events.append(event("review_filed", day, case="R1"))
            day = _workday_after(day, rng, 30, 80)
            events.append(event("review_closed", day, case="R1",
                                result=rng.choice(["maintained", "maintained", "corrected", "other"])))
            if rng.random() < 0.3:
                day = _workday_after(day, rng, 3, 10)
                events.append(event("litigation_filed", day, case="L1", after_review=True))
        else:
            day = _workday_after(day, rng, 5, 30)
            events.append(event("closed", day))
    line = request_line(f"{agency}-{received.year}-{number:07d}", received, *events, agency=agency, kind=pick(KINDS),
                        channel=channel, subject="申请公开某建设项目的施工许可审批材料")
    return line, 1 + len(events)


def write_history(path: Path, target_events: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    requests = events = 0
    with path.open("w", encoding="utf-8") as out:
        while events < target_events:
            line, count = history_line(requests, rng)
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            requests += 1
            events += count
    return requests, events


def baseline_report(services) -> tuple[dict, dict]:
    """Without read models: read every event of every request, fold, tally the agency-year."""
    with services.engine.connect() as conn:
        facts = [facts_of(fold_stored(events)) for events in streams_of(services.store.read_streams(conn, REQUEST_STREAM))]
    t = tally((f for f in facts if f is not None and f.agency == REPORTED), YEAR)
    return t.table3, t.table4


def run(url: str, path: Path, runs: int, profiler: Profiler) -> dict:
    services, _clerk = make_services(url, VirtualClock(NOW))
    try:
        with services.engine.begin() as conn:
            admin = get_user(conn, "admin")
            for agency in AGENCIES[1:]:
                add_agency(conn, agency, agency, None, admin, NOW)
            # the history's staff work for all six agencies: the import refuses lines of agencies its actor is not in
            importer = add_user(conn, "bench-import", Role.STAFF, "bench-import-pw", "录入员", NOW, AGENCIES)
        start = time.perf_counter()
        import_file(services.requests, path, importer)
        load_seconds = time.perf_counter() - start
        with services.engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(events_table)).scalar_one()
        baseline_times, ogi_times = [], []
        for _ in range(runs):  # interleaved, so a noisy neighbour disturbs both alike
            start = time.perf_counter()
            expected = baseline_report(services)
            baseline_times.append(time.perf_counter() - start)
            with profiler.running():
                start = time.perf_counter()
                report = services.reports.annual(YEAR, REPORTED)
                ogi_times.append(time.perf_counter() - start)
            if (report.table3, report.table4) != expected or not report.ok:
                raise SystemExit("benchmark run is invalid: the report differs from the whole-log replay or fails a check")
        profiler.report(f"annual report on {services.engine.dialect.name}")
        return {"database": services.engine.dialect.name, "events": stored, "load_s": load_seconds,
                "baseline_s": statistics.median(baseline_times), "ogi_s": statistics.median(ogi_times),
                "requests_in_year": report.table3["new"][-1] + report.table3["carried_in"][-1]}
    finally:
        services.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2023)
    add_database_options(parser, "the report")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ogi-bench-report-") as folder:
        path = Path(folder) / "history.jsonl"
        requests, events = write_history(path, args.events, args.seed)
        print(f"{requests} requests, {events} events planned, {len(AGENCIES)} agencies, 2019–2024; {load_average()}",
              flush=True)

        def measure(kind: str) -> dict:
            with fresh_database(kind, args.postgres_url) as url:
                return run(url, path, args.runs, Profiler(args.profile))

        results, skipped = measure_each(parse_databases(args.databases), measure)
    for r in results:
        verdict = "met" if r["ogi_s"] < TARGET_SECONDS else "MISSED"
        print(f"{r['database']}: {r['events']} events stored (import {r['load_s']:.0f} s); {REPORTED} {YEAR}: "
              f"{r['requests_in_year']} requests in the year; baseline (whole-log replay) {r['baseline_s']:.2f} s, "
              f"ogi {r['ogi_s']:.3f} s, ratio {r['ogi_s'] / r['baseline_s']:.3f}; under {TARGET_SECONDS:.0f} s: {verdict}")
    print(load_average())
    return 1 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
