"""Shared fixtures: the built-in calendar, a virtual clock, and a migrated database on SQLite and on PostgreSQL.

PostgreSQL tests use the real server at OGI_TEST_POSTGRES_URL (default 127.0.0.1:5432/test) in a database
of their own. Without the server they are skipped with the reason shown; with OGI_REQUIRE_SERVICES=1
(set by .ci/run) a missing server fails the run instead.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bootstrap import App, build
from engine.calendar import WorkingCalendar, builtin_years
from engine.clock import VirtualClock
from engine.database import make_engine, metadata, migrate
from workflows.accounts import ADMIN_USERNAME, Role, add_agency, add_user, get_user

POSTGRES_URL = os.environ.get("OGI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
AGENCY = "hedong-xzsp"


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return WorkingCalendar(builtin_years())


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(dt.datetime(2026, 11, 26, 9, 0))


def _postgres_or_skip():
    try:
        admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("select 1"))
        return admin
    except Exception as error:  # any failure to reach the server
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__}: {str(error).splitlines()[0]}"
        if os.environ.get("OGI_REQUIRE_SERVICES") == "1":
            pytest.fail(reason + " (OGI_REQUIRE_SERVICES=1)")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_database_url():
    """A fresh, migrated database on the real server for this test session; dropped at the end."""
    admin = _postgres_or_skip()
    name = f"ogi_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def empty_postgres(url: str) -> None:
    """Empty the session's PostgreSQL database between tests, leaving it as `ogi init` made it."""
    engine = make_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables}"))
        conn.execute(text("INSERT INTO log_head (id, seq, log_hash) VALUES (1, 0, :genesis)"), {"genesis": "0" * 64})
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request):
    """Every store/projection test runs on both: the embedded default and the production database."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    url = request.getfixturevalue("postgres_database_url")
    empty_postgres(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'ogi.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


def make_services(url: str, clock: VirtualClock) -> App:
    services = build(make_engine(url), clock)
    with services.engine.begin() as conn:
        add_user(conn, ADMIN_USERNAME, Role.ADMIN, "pw", "管理员", clock.now())
        admin = get_user(conn, ADMIN_USERNAME)
        add_user(conn, "head", Role.HEAD, "pw", "李主任", clock.now())
        add_user(conn, "clerk", Role.STAFF, "pw", "经办人", clock.now())
        add_user(conn, "auditor", Role.AUDITOR, "pw", "审计", clock.now())
        add_agency(conn, AGENCY, "河东区行政审批服务局", None, admin, clock.now())
    return services


@pytest.fixture
def services(database_url, clock) -> App:
    svc = make_services(database_url, clock)
    yield svc
    svc.engine.dispose()


@pytest.fixture
def postgres_services(postgres_database_url, clock) -> App:
    """App on PostgreSQL only, for the tests that need its row locks (SQLite queues writers at BEGIN)."""
    empty_postgres(postgres_database_url)
    svc = make_services(postgres_database_url, clock)
    yield svc
    svc.engine.dispose()


@pytest.fixture
def sqlite_services(sqlite_url, clock) -> App:
    svc = make_services(sqlite_url, clock)
    yield svc
    svc.engine.dispose()


def user(services: App, name: str = ADMIN_USERNAME):
    with services.engine.connect() as conn:
        return get_user(conn, name)


# -- the `ogi` command as a separate process (tests/test_cli.py, tests/test_report_cli.py) ---------------------
REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ogi(tmp_path):
    env = {**os.environ, "OGI_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "OGI_ADMIN_PASSWORD": "secret-pw"}
    env.pop("OGI_USER", None)

    def run(*args, ok=True):
        result = subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=REPO_ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
        if ok:
            assert result.returncode == 0, f"ogi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result
    return run


@pytest.fixture
def ready(ogi):
    ogi("init")
    ogi("agency", "add", "hedong-xzsp", "--name", "河东区行政审批服务局")
    return ogi
