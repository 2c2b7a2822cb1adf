"""Two schedulers at once never fire a timer twice (issue 10 §2): the event store's per-stream version check is
the guard. Proved on the real PostgreSQL server, with two App instances (two connection pools) racing."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from bootstrap import build
from engine.adapters.database import make_engine
from engine.adapters.eventstore import events_table
from tests.builders import event, load, request_line
from tests.conftest import user

DUE_TIMERS = 10_000


def lapse_counts(services) -> list[int]:
    e = events_table.c
    with services.engine.connect() as conn:
        return list(conn.execute(select(func.count()).where(e.type == "period_lapsed")
                                 .group_by(e.stream_id)).scalars())


@pytest.mark.slow
@pytest.mark.postgres
def test_two_schedulers_over_ten_thousand_due_timers_fire_each_exactly_once(postgres_services):
    services = postgres_services
    # each applicant's correction period (1 working day from 2026-11-25) ends 2026-11-26; the lapse fires 11-27 00:00
    load(services, *[request_line(f"T-{n:05d}", "2026-11-20", event("correction_requested", "2026-11-25", period_days=1))
                     for n in range(DUE_TIMERS)])
    assert lapse_counts(services) == []
    services.clock.advance_to(dt.datetime(2026, 11, 27, 8))
    with services.engine.connect() as conn:
        assert len(services.requests.due_request_ids(conn, services.clock.now())) == DUE_TIMERS
    url = services.engine.url.render_as_string(hide_password=False)
    second = build(make_engine(url), services.clock, services.store.keyring)  # its own connections
    fired: dict[str, int] = {}
    start = threading.Barrier(2)

    def sweep(name: str, app) -> None:
        start.wait()
        fired[name] = app.requests.run_due_timers(user(app, "clerk"))

    threads = [threading.Thread(target=sweep, args=(n, a)) for n, a in (("one", services), ("two", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = lapse_counts(services)
    assert len(counts) == DUE_TIMERS and set(counts) == {1}
    assert fired["one"] + fired["two"] == DUE_TIMERS, fired  # each lapse counted by the one that recorded it
    assert services.audit.verify().ok
    with services.engine.connect() as conn:
        assert services.requests.due_request_ids(conn, services.clock.now()) == []
