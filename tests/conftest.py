"""Shared fixtures: the built-in calendar, a virtual clock, and a migrated database on SQLite and on PostgreSQL.

PostgreSQL tests use the real server at OGI_TEST_POSTGRES_URL (default 127.0.0.1:5432/test) in a database
of their own. Without the server they are skipped with the reason shown; with OGI_REQUIRE_SERVICES=1
(set by .ci/run) a missing server fails the run instead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import traceback
import uuid
from functools import partial
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from bootstrap import App
from engine.adapters.database import make_engine, metadata, migrate
from engine.calendar import WorkingCalendar, builtin_years
from engine.clock import VirtualClock
from tests.network import KeepMail, smtp_server
from tests.web_client import signed_in, site_world
from tests.world import AGENCY, AGENCY_NAME, make_services, user
from workflows.people import accounts

__all__ = ["AGENCY", "POSTGRES_URL", "REPO_ROOT", "empty_postgres", "run_ogi", "run_ogi_process", "user"]  # what test modules import from here

POSTGRES_URL = os.environ.get("OGI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# the log's key for every test and every `ogi` process they start (tests of the key file unset it)
os.environ.setdefault("OGI_SECRET_KEY", "ogi-test-key")
REPO_ROOT = Path(__file__).resolve().parent.parent
# argon2id at a test's cost in this process (1 pass over 1 MiB, not the library's 3 over 64 MiB): every world seeds four
# users and every web client signs in: at the real cost that was most of a web test's time. The hashes still are argon2id
# and carry their parameters, so `ogi` processes, which hash at the real cost, verify them as before.
accounts._ARGON2 = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


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
def smtp_sink():
    """A real SMTP server (aiosmtpd) on a free loopback port keeping every mail: (the keeper, with .mails; its port)."""
    keep = KeepMail()
    with smtp_server(keep) as controller:
        yield keep, controller.port


@pytest.fixture
def site(sqlite_services) -> App:
    """The web tests' world on SQLite (tests/web_client.py site_world): request W-1, a second agency and its staff."""
    return site_world(sqlite_services)


@pytest.fixture
def web_as(site):
    """`web_as(username)`: a TestClient of the web app on `site`, signed in as that user through /login."""
    return partial(signed_in, site)


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


# -- the `ogi` command (tests/integration/test_cli.py, test_report_cli.py, test_properties.py ...) --
# Verbs that run services (a broker, logging, signals, a web server): always a process of their own.
PROCESS_VERBS = frozenset({"up", "worker", "scheduler", "web", "health"})


def run_ogi(database_url: str, *args: str, ok: bool = True, env: dict[str, str] | None = None,
            process: bool = False) -> subprocess.CompletedProcess:
    """`ogi ARGS…` on `database_url`, as staff run it; `env` adds to or overrides the environment.

    The click app runs in this process (a new `ogi` process costs two seconds of imports), on an App built afresh
    from the environment as a new process builds it, in the repository's folder; its exit code, stdout and stderr
    come back as a process's would. `process=True` (and every verb of PROCESS_VERBS) runs the real `ogi` in a
    process of its own, for what only a process shows: argv bytes, a traceback printed on the way out.
    OGI_USER is cleared, so commands act as the default user unless they say `--as`. With `ok` (the default) a
    non-zero exit fails the test with the command's output; pass ok=False to check a refusal's exit code yourself.
    """
    overrides: dict[str, str | None] = {"OGI_DATABASE_URL": database_url, "OGI_USER": None, **(env or {})}
    if process or (args and args[0] in PROCESS_VERBS):
        result = run_ogi_process(overrides, args)
    else:
        result = run_ogi_in_process(overrides, args)
    if ok:
        assert result.returncode == 0, f"ogi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def run_ogi_process(overrides: dict[str, str | None], args: tuple[str, ...]) -> subprocess.CompletedProcess:
    environment = {**os.environ, **overrides}
    environment = {name: value for name, value in environment.items() if value is not None}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=REPO_ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def run_ogi_in_process(overrides: dict[str, str | None], args: tuple[str, ...]) -> subprocess.CompletedProcess:
    from cli import common
    from cli.main import main

    common.app.cache_clear()  # the App of "this process": built from this command's environment
    try:
        with contextlib.chdir(REPO_ROOT):
            result = CliRunner().invoke(main, list(args), env=overrides, catch_exceptions=True)
    finally:
        if common.app.cache_info().currsize:
            common.app().close()
        common.app.cache_clear()
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):  # Python would print it
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["ogi", *args], result.exit_code, result.stdout, stderr)


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
