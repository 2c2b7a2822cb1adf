"""Every benchmark of benchmarks/ runs at a tiny size in make test, so `make benchmark` cannot rot unnoticed
(issue 18 item 4): each one completes and prints its table on SQLite and PostgreSQL. No timing is asserted here:
docs/performance.md has the figures of the full sizes, on a quiet machine."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import POSTGRES_URL, REPO_ROOT

pytestmark = pytest.mark.postgres

# benchmark module, its tiny size, and what its table prints for each database it measures
TINY = {
    "lifecycle": (["--requests", "20"], ["sqlite ", "postgresql "], "transitions/s"),
    "import_bulk": (["--requests", "20"], ["sqlite ", "postgresql "], "requests/s"),
    "report": (["--events", "300", "--runs", "1"], ["sqlite:", "postgresql:"], "ratio"),
    "sweep": (["--requests", "50", "--due", "5", "--runs", "1"], ["sqlite:", "postgresql:"], "indexed look-up"),
    "delivery": (["--messages", "10"], ["postgresql,"], "outbox delivery"),
    "web": (["--requests", "20", "--users", "2", "--calls", "5"], ["sqlite ", "postgresql "], "GET /requests/{id}"),
    "portal": (["--applicants", "3", "--seconds", "2", "--pause", "0.1-0.3"], ["postgresql:"], "POST /apply"),
}


def test_every_benchmark_module_has_a_tiny_size_here():
    modules = {path.stem for path in (REPO_ROOT / "benchmarks").glob("*.py")} - {"__init__", "common"}
    assert modules == set(TINY)


@pytest.mark.parametrize("name", sorted(TINY))
def test_the_benchmark_runs_at_a_tiny_size_and_prints_its_table(name, postgres_database_url):
    sizes, databases, column = TINY[name]  # postgres_database_url: skipped (or failed in CI) without the server
    run = subprocess.run([sys.executable, "-m", f"benchmarks.{name}", *sizes, "--postgres-url", POSTGRES_URL],
                         cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    printed = run.stdout.splitlines()
    assert column in run.stdout and all(any(line.startswith(db) for line in printed) for db in databases), run.stdout
