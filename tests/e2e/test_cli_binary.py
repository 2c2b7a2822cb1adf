"""The installed `ogi` program, a process of its own for each verb family (issue 18 item 4): the other CLI tests call
the click app in the test's process (tests/conftest.py run_ogi), so these keep the real start-up, entry point, argv
and exit status covered for every group. Process verbs (up, worker, scheduler, web, health) always run as processes:
tests/e2e/test_running_engine.py, test_newcomer.py, tests/integration/test_projection_guard.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import AGENCY, REPO_ROOT
from tests.world import AGENCY_NAME

OGI = Path(sys.executable).parent / "ogi"  # the console script pip installed, as staff type it
EXAMPLE = REPO_ROOT / "examples" / "hedong-2023.jsonl"
REQUEST = "hedong-xzsp-2023-00001"
pytestmark = pytest.mark.xdist_group("cli-binary")  # one database for the module: one worker makes it

# the database's making: a process for each of init, agency and import
SETUP = [("init", ["init"]), ("agency", ["agency", "add", AGENCY, "--name", AGENCY_NAME]), ("import", ["import", str(EXAMPLE)])]
# then one command for each other family, in any order
FAMILIES = [
    ("user", ["user", "list"]),
    ("department", ["department", "list", AGENCY]),
    ("history", ["history", REQUEST, "--format", "json"]),
    ("request", ["request", "list"]),
    ("timers", ["timers", "run"]),
    ("calendar", ["calendar", "due", "2024-09-27", "3", "--explain"]),
    ("report", ["report", "annual", "--year", "2023", "--agency", AGENCY, "--format", "json"]),
    ("register", ["register", "show", "--year", "2023", "--agency", AGENCY]),
    ("task", ["task", "list"]),
    ("platform", ["platform", "list"]),
    ("outbox", ["outbox", "list"]),
    ("inbox", ["inbox"]),
    ("token", ["token", "list"]),
    ("document", ["document", "list", REQUEST]),
    ("fee", ["fee", "quote", "--method", "by_volume", "--pages", "120"]),
    ("approval", ["approval", "list"]),
    ("audit", ["audit", "verify"]),
    ("projections", ["projections", "rebuild"]),
]


def installed_ogi(database: str, *args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "OGI_DATABASE_URL": database, "OGI_ADMIN_PASSWORD": "secret-pw"}
    environment.pop("OGI_USER", None)
    result = subprocess.run([str(OGI), *args], cwd=REPO_ROOT, env=environment, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, f"ogi {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli-binary') / 'ogi.db'}"
    for _, args in SETUP:
        installed_ogi(url, *args)
    return url


def test_every_verb_family_has_its_process_here():
    from cli.main import main

    elsewhere = {"up", "worker", "scheduler", "web", "health", "demo"}  # processes in the test files named above
    assert set(main.commands) - elsewhere == {name for name, _ in SETUP + FAMILIES}


@pytest.mark.parametrize(("family", "args"), FAMILIES, ids=[name for name, _ in FAMILIES])
def test_the_installed_ogi_runs_the_family_in_a_process_of_its_own(database, family, args):
    installed_ogi(database, *args)  # exits 0
