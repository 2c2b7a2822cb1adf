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
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bootstrap import App
from engine.adapters.database import make_engine, metadata, migrate
from engine.calendar import WorkingCalendar, builtin_years
from engine.clock import VirtualClock
from tests.world import AGENCY, AGENCY_NAME, make_services, user

__all__ = ["AGENCY", "POSTGRES_URL", "REPO_ROOT", "empty_postgres", "run_ogi", "user"]  # what test modules import from here

POSTGRES_URL = os.environ.get("OGI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# the log's key for every test and every `ogi` process they start (tests of the key file unset it)
os.environ.setdefault("OGI_SECRET_KEY", "ogi-test-key")
REPO_ROOT = Path(__file__).resolve().parent.parent


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


# -- the `ogi` command as a separate process (tests/integration/test_cli.py, tests/integration/test_report_cli.py, tests/integration/test_properties.py) --
def run_ogi(database_url: str, *args: str, ok: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`ogi ARGS…` on `database_url` in a process of its own, as staff run it; `env` adds to or overrides the environment.

    OGI_USER is cleared, so commands act as the default user unless they say `--as`. With `ok` (the default) a
    non-zero exit fails the test with the command's output; pass ok=False to check a refusal's exit code yourself.
    """
    environment = {**os.environ, "OGI_DATABASE_URL": database_url}
    environment.pop("OGI_USER", None)
    environment.update(env or {})
    result = subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=REPO_ROOT, env=environment,
                            capture_output=True, text=True, timeout=120)
    if ok:
        assert result.returncode == 0, f"ogi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture
def ogi(tmp_path):
    """`ogi(*args, ok=True)` on a fresh SQLite file, tmp_path / "cli.db" (`ogi init` not yet run)."""
    return partial(run_ogi, f"sqlite:///{tmp_path / 'cli.db'}",
                   env={"OGI_ADMIN_PASSWORD": "secret-pw", "OGI_ERROR_LOG": str(tmp_path / "errors.log")})


@pytest.fixture
def ready(ogi):
    ogi("init")
    ogi("agency", "add", AGENCY, "--name", AGENCY_NAME)
    return ogi
