"""The requests read model is checked, not believed (issue 9 §3): an insider's edit of a row cannot hide an
overdue request from the queue or the sweep, and a repair is recorded in the log.

Each scenario is what someone with write access to the database could do without the log's key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3

import pytest
from sqlalchemy import delete, select, update

from tests.builders import decided, load, request_line
from tests.conftest import user
from workflows.foi import commands as c
from workflows.readmodels.guard import PROJECTION_REPAIRED, ProjectionTampered
from workflows.streams import INTEGRITY_STREAM
from workflows.tables import requests_table

OPEN, CLOSED = "OPEN-1", "DONE-1"


@pytest.fixture
def two_requests(services):
    """One open request whose reply is due soon, one concluded."""
    load(services, request_line(OPEN, "2026-11-02"), request_line(CLOSED, "2026-10-09", decided("2026-10-20")))
    return services


def row_of(services, request_id: str):
    with services.engine.connect() as conn:
        return conn.execute(select(requests_table).where(requests_table.c.request_id == request_id)).one()


def tamper(services, statement) -> None:
    with services.engine.begin() as conn:
        conn.execute(statement)


def repair_events(services) -> list:
    with services.engine.connect() as conn:
        return [e for e in services.store.read_stream(conn, INTEGRITY_STREAM) if e.type == PROJECTION_REPAIRED]


KIND_WORDS = {"tampered": "被改动", "stale": "未更新", "missing": "缺失"}  # how the refusal says each kind


def assert_queue_refuses_then_sweep_repairs(services, request_id: str, kind: str) -> None:
    with pytest.raises(ProjectionTampered, match=f"{KIND_WORDS[kind]} 1 件（{request_id}）") as refused:
        services.queries.queue()
    assert refused.value.request_ids == [request_id]
    services.sweeper.run(user(services, "clerk"))
    [repair] = repair_events(services)
    assert repair.payload[kind] == {"count": 1, "request_ids": [request_id]} and repair.actor == "clerk"
    assert OPEN in [r["request_id"] for r in services.queries.queue()]
    with services.engine.connect() as conn:
        assert services.requests.guard.check(conn).holds


def test_an_open_request_marked_closed_in_the_read_model_is_refused_and_repaired(two_requests):
    services = two_requests
    honest = row_of(services, OPEN)
    tamper(services, update(requests_table).where(requests_table.c.request_id == OPEN)
           .values(stage="closed", next_due=None, reply_due=None))
    assert_queue_refuses_then_sweep_repairs(services, OPEN, "tampered")
    assert row_of(services, OPEN) == honest


def test_a_reply_deadline_moved_to_2099_is_not_believed(two_requests):
    services = two_requests
    tamper(services, update(requests_table).where(requests_table.c.request_id == OPEN)
           .values(reply_due=dt.date(2099, 1, 1), next_due=dt.date(2099, 1, 1)))
    assert_queue_refuses_then_sweep_repairs(services, OPEN, "tampered")
    assert row_of(services, OPEN).reply_due.year == 2026


def test_a_deleted_row_is_missing_and_folded_again_from_the_log(two_requests):
    services = two_requests
    tamper(services, delete(requests_table).where(requests_table.c.request_id == OPEN))
    assert_queue_refuses_then_sweep_repairs(services, OPEN, "missing")


def test_an_older_sealed_row_put_back_is_stale(two_requests):
    services = two_requests
    old = dict(row_of(services, OPEN)._mapping)
    services.requests.act(OPEN, c.Decide(at=services.clock.now(), outcome="disclosed"), user(services, "clerk"))
    tamper(services, update(requests_table).where(requests_table.c.request_id == OPEN).values(**old))
    with pytest.raises(ProjectionTampered, match=f"未更新 1 件（{OPEN}）"):
        services.queries.queue(show_all=True)
    services.requests.repair_projection(user(services, "head"))
    assert row_of(services, OPEN).outcome == "disclosed"
    assert repair_events(services)[0].payload["stale"]["request_ids"] == [OPEN]


def test_a_seal_recomputed_without_the_key_does_not_hold(two_requests):
    """The unkeyed hash an insider can compute from the code and the database is not a seal."""
    services = two_requests
    row = dict(row_of(services, OPEN)._mapping)
    key_id = row["seal"].split(":")[0]
    forged = f"{key_id}:{hashlib.sha256(repr(row).encode()).hexdigest()}"
    tamper(services, update(requests_table).where(requests_table.c.request_id == OPEN)
           .values(stage="closed", seal=forged))
    with pytest.raises(ProjectionTampered, match="被改动 1 件"):
        services.queries.queue()


def test_an_invented_row_is_deleted_by_the_repair(two_requests):
    services = two_requests
    row = dict(row_of(services, OPEN)._mapping)
    tamper(services, requests_table.insert().values(**{**row, "request_id": "GHOST-1"}))
    findings = services.requests.repair_projection(user(services, "admin"))
    assert findings is not None and findings.tampered == ["GHOST-1"]
    with services.engine.connect() as conn:
        assert sorted(conn.execute(select(requests_table.c.request_id)).scalars()) == sorted([OPEN, CLOSED])


def test_an_auditor_may_not_repair(two_requests):
    from engine.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        two_requests.requests.repair_projection(user(two_requests, "auditor"))


def test_the_cli_queue_refuses_and_the_sweep_repairs_a_tampered_row(ready, tmp_path):
    (tmp_path / "one.jsonl").write_text(request_line_text(), encoding="utf-8")
    ready("import", str(tmp_path / "one.jsonl"))
    with sqlite3.connect(tmp_path / "cli.db") as db:
        db.execute("UPDATE requests SET stage = 'closed' WHERE request_id = ?", (OPEN,))
    refused = ready("request", "list", ok=False)
    assert refused.returncode == 3 and OPEN in refused.stderr and "被改动" in refused.stderr
    assert "被改动 1 件" in ready("timers", "run").stdout
    assert OPEN in ready("request", "list").stdout


def request_line_text() -> str:
    import json

    return json.dumps(request_line(OPEN, "2026-11-02"), ensure_ascii=False) + "\n"


def test_rows_sealed_with_a_retired_key_still_hold(sqlite_url, clock, tmp_path, monkeypatch):
    """After a key rotation the rows sealed before it are checked with the key they name; new seals use the new key."""
    from bootstrap import build
    from engine.adapters.database import make_engine
    from tests.world import seed_test_world

    monkeypatch.delenv("OGI_SECRET_KEY")
    monkeypatch.setenv("OGI_KEY_FILE", str(tmp_path / "log.keys"))
    services = build(make_engine(sqlite_url), clock)
    seed_test_world(services)
    load(services, request_line(OPEN, "2026-11-02"))
    before = row_of(services, OPEN).seal
    services.audit.rotate_key(user(services, "admin"))
    with services.engine.connect() as conn:
        assert services.requests.guard.check(conn).holds
    services.requests.act(OPEN, c.Decide(at=services.clock.now(), outcome="disclosed"), user(services, "clerk"))
    after = row_of(services, OPEN).seal
    assert before.split(":")[0] != after.split(":")[0]
    with services.engine.connect() as conn:
        assert services.requests.guard.check(conn).holds
