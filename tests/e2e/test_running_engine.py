"""The production topology for real (issue 10): `ogi scheduler` and `ogi worker` as processes on PostgreSQL and a
redis-server of the test's own, an SMTP server on loopback (aiosmtpd). No mocks.

- a worker SIGKILLed while it is sending loses no message: another worker sends it after the claim's lease,
  under the same Message-ID;
- with Redis stopped, staff steps still commit, and their messages go out once Redis is back;
- `ogi health` says what is wrong, and `ogi audit verify` passes at the end.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from engine.adapters.database import make_engine
from tests.conftest import AGENCY, AGENCY_NAME, REPO_ROOT, empty_postgres, run_ogi
from tests.network import free_port
from workflows.tables import outbox_table

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


class SlowInbox:
    """Keeps every mail; the first DATA takes `delay` seconds, so a worker can be killed in the middle of it."""

    def __init__(self, delay: float):
        self.delay, self.mails, self.sending, self.port = delay, [], threading.Event(), 0

    async def handle_DATA(self, server, session, envelope):
        if not self.sending.is_set():
            self.sending.set()
            await asyncio.sleep(self.delay)
        self.mails.append(email.message_from_bytes(envelope.content))
        return "250 OK"


class Redis:
    def __init__(self, port: int):
        self.port, self.process = port, None

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            if os.environ.get("OGI_REQUIRE_SERVICES") == "1":
                pytest.fail("redis-server is not installed (OGI_REQUIRE_SERVICES=1)")
            pytest.skip("redis-server is not installed")
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _answers(self.port), 10, "redis-server to answer")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}")


def lapse_line(request_id: str, today: dt.date) -> str:
    """A request whose applicant let a 1-working-day correction period lapse last week: importing it records the
    lapse, and with it a message to the agency's staff."""
    return json.dumps({"id": request_id, "agency": AGENCY, "applicant": {"kind": "natural_person", "name": "王五"},
                       "channel": "in_person", "received_at": (today - dt.timedelta(days=14)).isoformat(),
                       "subject": "某项目环评", "events": [{"type": "correction_requested", "period_days": 1,
                                                          "at": (today - dt.timedelta(days=12)).isoformat()}]},
                      ensure_ascii=False) + "\n"


@pytest.fixture
def topology(postgres_database_url, tmp_path):
    empty_postgres(postgres_database_url)
    smtp = SlowInbox(delay=4)
    controller = Controller(smtp, hostname="127.0.0.1", port=free_port())
    controller.start()
    redis = Redis(free_port())
    redis.start()
    env = {"OGI_ADMIN_PASSWORD": "pw", "OGI_NEW_USER_PASSWORD": "pw", "OGI_REDIS_URL": f"redis://127.0.0.1:{redis.port}/0",
           "OGI_SMTP_URL": f"smtp://127.0.0.1:{controller.port}", "OGI_MAIL_FROM": "ogi@hedong.gov.cn",
           "OGI_SWEEP_SECONDS": "2", "OGI_OUTBOX_LEASE_SECONDS": "6", "OGI_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
           "OGI_ERROR_LOG": str(tmp_path / "errors.log")}
    ogi = lambda *args, ok=True: run_ogi(postgres_database_url, *args, ok=ok, env=env)  # noqa: E731
    ogi("init")
    ogi("agency", "add", AGENCY, "--name", AGENCY_NAME)
    ogi("user", "add", "zhang", "--role", "staff", "--agency", AGENCY, "--email", "zhang@hedong.gov.cn")
    processes: list[subprocess.Popen] = []

    def start(kind: str) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-m", "cli.main", kind], cwd=REPO_ROOT,
                                   env={**os.environ, "OGI_DATABASE_URL": postgres_database_url, **env},
                                   stdout=open(tmp_path / f"{kind}-{len(processes)}.log", "w"), stderr=subprocess.STDOUT)
        processes.append(process)
        return process

    smtp.port = controller.port
    yield ogi, start, smtp, redis, make_engine(postgres_database_url), tmp_path
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(30)
    redis.stop()
    controller.stop()


def outbox_row(engine, request_id: str, channel: str = "email"):
    with engine.connect() as conn:
        return conn.execute(select(outbox_table).where(outbox_table.c.request_id == request_id,
                                                       outbox_table.c.channel == channel)).one()


def test_a_killed_worker_and_a_stopped_broker_lose_no_message(topology):
    ogi, start, smtp, redis, engine, folder = topology
    today = dt.date.today()
    (folder / "one.jsonl").write_text(lapse_line("E-1", today), encoding="utf-8")
    ogi("import", str(folder / "one.jsonl"))
    first = outbox_row(engine, "E-1")
    assert first.kind == "lapse.correction" and first.status == "pending"

    start("scheduler")
    victim = start("worker")
    wait_for(smtp.sending.is_set, 30, "the worker to start sending")
    victim.send_signal(signal.SIGKILL)  # in the middle of the SMTP conversation
    victim.wait(10)
    start("worker")
    wait_for(lambda: outbox_row(engine, "E-1").status == "sent", 60, "the message to be sent after the lease")
    ids = {m["Message-ID"] for m in smtp.mails}
    assert ids == {f"<ogi-{first.id}@hedong.gov.cn>"}, ids  # sent once or twice, always under the same key
    assert outbox_row(engine, "E-1").attempts >= 2

    redis.stop()
    (folder / "two.jsonl").write_text(lapse_line("E-2", today), encoding="utf-8")
    ogi("import", str(folder / "two.jsonl"))  # a staff step while the broker is down commits
    unhealthy = ogi("health", ok=False)
    assert unhealthy.returncode == 1 and "broker" in unhealthy.stderr
    time.sleep(3)
    assert outbox_row(engine, "E-2").status == "pending"
    redis.start()
    wait_for(lambda: outbox_row(engine, "E-2").status == "sent", 90, "the message to go out once Redis is back")
    assert f"<ogi-{outbox_row(engine, 'E-2').id}@hedong.gov.cn>" in {m["Message-ID"] for m in smtp.mails}
    assert ogi("health").stdout.strip() == "ok"
    ogi("audit", "verify", "--checkpoints", str(folder / "checkpoints"))
    assert any(Path(folder / "checkpoints").glob("checkpoint-*.json"))


# -- the whole topology under kills ------------------------------------------------------------------------------
TOPOLOGY_REQUESTS = 40
KILLS = 24


def load_due_timers(url: str, today: dt.date) -> None:
    """Requests whose applicants' correction periods lapse a week ago, imported as of ten days ago: their lapses
    are due and not yet fired, for the schedulers to fire (each exactly once) with the real clock."""
    from bootstrap import build
    from engine.clock import VirtualClock
    from tests.builders import as_lines
    from workflows.people.accounts import ADMIN_USERNAME, get_user
    from workflows.requests.importer import import_lines

    app = build(make_engine(url), VirtualClock(dt.datetime.combine(today - dt.timedelta(days=10), dt.time(9))))
    lines = [json.loads(lapse_line(f"K-{n:03d}", today)) for n in range(TOPOLOGY_REQUESTS)]
    for line in lines:
        line["events"][0]["at"] = (today - dt.timedelta(days=10)).isoformat()
    with app.engine.connect() as conn:
        admin = get_user(conn, ADMIN_USERNAME)
    import_lines(app.requests, as_lines(*lines), admin)
    app.close()


def count_by_stream(engine, event_type: str) -> dict[str, int]:
    from sqlalchemy import func

    from engine.adapters.eventstore import events_table

    e = events_table.c
    with engine.connect() as conn:
        return dict(conn.execute(select(e.stream_id, func.count()).where(e.type == event_type).group_by(e.stream_id)).all())


def read_models(engine) -> dict:
    from workflows.tables import requests_table, tasks_table

    with engine.connect() as conn:
        return {t.name: sorted(tuple(r) for r in conn.execute(select(t))) for t in (requests_table, tasks_table)}


def test_two_schedulers_and_two_workers_killed_again_and_again_lose_nothing_and_fire_nothing_twice(topology):
    import random

    ogi, start, smtp, redis, engine, folder = topology
    smtp.delay = 0
    today = dt.date.today()
    load_due_timers(engine.url.render_as_string(hide_password=False), today)
    assert count_by_stream(engine, "period_lapsed") == {}
    running = {name: start(name.split("-")[0]) for name in ("scheduler-1", "scheduler-2", "worker-1", "worker-2")}
    rng = random.Random(20261126)
    decided, kills = [], 0

    def kill_one() -> None:
        name = rng.choice(sorted(running))
        running[name].send_signal(signal.SIGKILL)
        running[name].wait(10)
        running[name] = start(name.split("-")[0])

    for n in range(TOPOLOGY_REQUESTS):
        if n % 2 == 0:  # staff decide half of them while the processes die around them
            act = ogi("request", "act", f"K-{n:03d}", "decide", "--outcome", "other.no_correction", "--as", "zhang",
                      ok=False)
            if act.returncode == 0:
                decided.append(f"request/K-{n:03d}")
        if kills < KILLS:
            kill_one()
            kills += 1
        time.sleep(rng.uniform(0.2, 1.2))
    for _ in range(kills, KILLS):
        kill_one()
        time.sleep(0.5)

    lapses = wait_for(lambda: (c := count_by_stream(engine, "period_lapsed")) and len(c) == TOPOLOGY_REQUESTS and c,
                      90, "every due timer to fire")
    assert set(lapses.values()) == {1}, "a timer fired twice"
    assert set(decided) <= set(count_by_stream(engine, "decided")), "a committed staff step is missing"
    assert len(decided) >= TOPOLOGY_REQUESTS // 4

    def settled():
        with engine.connect() as conn:
            return conn.execute(select(outbox_table.c.id).where(outbox_table.c.status.in_(("pending", "sending")))).first() is None
    wait_for(settled, 120, "every message to be delivered")
    with engine.connect() as conn:
        emails = conn.execute(select(outbox_table).where(outbox_table.c.channel == "email")).all()
    assert emails and {r.status for r in emails} == {"sent"}
    received = {m["Message-ID"] for m in smtp.mails}
    assert {f"<ogi-{r.id}@hedong.gov.cn>" for r in emails} <= received, "a message was lost"
    assert received <= {f"<ogi-{r.id}@hedong.gov.cn>" for r in emails}

    for process in running.values():
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    ogi("audit", "verify")
    before = read_models(engine)
    ogi("projections", "rebuild")
    assert read_models(engine) == before


def outbox_summary(engine) -> list[tuple]:
    """What was sent to whom, without the ids (each database makes its own)."""
    with engine.connect() as conn:
        rows = conn.execute(select(outbox_table).where(outbox_table.c.kind != "checkpoint")).all()
    return sorted((r.request_id, r.kind, r.channel, r.recipient, r.subject, r.body.rsplit("消息编号", 1)[0], r.status)
                  for r in rows)


@pytest.mark.xdist_group("ogi-up-on-port-8000")  # `ogi up` serves the web UI on its default port, as newcomers run it
def test_ogi_up_sends_the_same_messages_as_the_production_topology(topology, tmp_path):
    ogi, start, smtp, redis, engine, folder = topology
    smtp.delay = 0
    today = dt.date.today()
    (folder / "same.jsonl").write_text(lapse_line("U-1", today) + lapse_line("U-2", today), encoding="utf-8")
    ogi("import", str(folder / "same.jsonl"))
    start("scheduler")
    start("worker")

    embedded = tmp_path / "embedded"
    embedded.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("OGI_DATABASE_URL", "OGI_REDIS_URL")}
    env.update({"OGI_ADMIN_PASSWORD": "pw", "OGI_NEW_USER_PASSWORD": "pw", "OGI_SWEEP_SECONDS": "2",
                "OGI_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}", "OGI_MAIL_FROM": "ogi@hedong.gov.cn"})
    local = lambda *args: subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=embedded, env=env,  # noqa: E731
                                         capture_output=True, text=True, timeout=120, check=True)
    local("init")
    local("agency", "add", AGENCY, "--name", AGENCY_NAME)
    local("user", "add", "zhang", "--role", "staff", "--agency", AGENCY, "--email", "zhang@hedong.gov.cn")
    local("import", str(folder / "same.jsonl"))
    up = subprocess.Popen([sys.executable, "-m", "cli.main", "up"], cwd=embedded, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sqlite = make_engine(f"sqlite:///{embedded / 'ogi.db'}")
    try:
        settled = lambda e: (s := outbox_summary(e)) and all(row[-1] == "sent" for row in s) and s  # noqa: E731
        production = wait_for(lambda: settled(engine), 60, "the topology to send everything")
        assert wait_for(lambda: settled(sqlite), 60, "ogi up to send everything") == production
    finally:
        up.send_signal(signal.SIGTERM)
        up.wait(30)
        sqlite.dispose()
    assert len([m for m in smtp.mails if m["To"] == "zhang@hedong.gov.cn"]) == 4  # two requests, two topologies
