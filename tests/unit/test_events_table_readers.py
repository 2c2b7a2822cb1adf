"""Only the store and the workflows' log reads name the `events` table (issue 18): every other module asks
workflows/readmodels/log.py, so a read of the log is written once and the partial index's terms stay in one place."""

import re
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
PACKAGES = ("engine", "workflows", "notifications", "bootstrap", "cli", "web")
ALLOWED = {"engine/adapters/eventstore.py", "workflows/readmodels/log.py"}
# the table object, the SQL naming the table, and the log's SQL fragments that only log.py may build on
NAMING_THE_TABLE = re.compile(r"\bevents_table\b|\b(?:FROM|JOIN|INTO|UPDATE|ON|TABLE)\s+events\b"
                              r"|FIRST_REQUEST_EVENTS_SQL|RECEIVED_AGENCY_SQL")  # SQL keywords as written: upper case


def _sources():
    for package in PACKAGES:
        yield from sorted((REPOSITORY / package).rglob("*.py"))


def test_only_the_store_and_readmodels_log_name_the_events_table():
    found = [f"{path.relative_to(REPOSITORY)}:{number}: {line.strip()}"
             for path in _sources() if path.relative_to(REPOSITORY).as_posix() not in ALLOWED
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if NAMING_THE_TABLE.search(line)]
    assert found == [], "read the events table through workflows/readmodels/log.py:\n" + "\n".join(found)


def test_the_check_sees_both_allowed_modules_name_it():
    """The pattern is not vacuous: the two modules allowed to name the table do."""
    for allowed in ALLOWED:
        assert NAMING_THE_TABLE.search((REPOSITORY / allowed).read_text(encoding="utf-8")), allowed
