"""The Alembic migrations create exactly the tables the code declares, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import engine.adapters.eventstore  # noqa: F401  (registers its tables)
import workflows.tables  # noqa: F401
from engine.adapters.database import make_engine, metadata, require_migrated
from workflows.readmodels.log import RECEIVED_AGENCY_INDEX


# SQLite's reflection skips the expression index with this warning; the test checks the index by name instead
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrated_schema_matches_the_declared_tables(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        indexes = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index'" if engine.dialect.name == "sqlite"
            else "SELECT indexname FROM pg_indexes WHERE tablename = 'events'").scalars().all()
    engine.dispose()
    # the one expression index kept outside `metadata` (one expression per dialect; workflows/tables.py)
    diff = [d for d in diff if not (d[0] == "remove_index" and d[1].name == RECEIVED_AGENCY_INDEX)]
    assert diff == [], f"the models changed without a migration: {diff}"
    assert RECEIVED_AGENCY_INDEX in indexes


def test_a_migrated_database_is_accepted(database_url):
    require_migrated(make_engine(database_url))


def test_requests_recorded_before_the_report_get_cases_from_migration_and_keyed_seals_from_init(tmp_path):
    """A database at 0001 with requests: the migrations give them their case list from their events, and `ogi init`
    (which holds the key no migration may hold) seals them, so the queue and the report accept them."""
    import datetime as dt

    from alembic import command
    from sqlalchemy import Column, MetaData, Table, insert, select

    from bootstrap import build
    from engine.adapters.database import alembic_config, migrate
    from engine.adapters.eventstore import GENESIS, SCHEMA_VERSION, EventStore, canonical_json, chain_hash, event_hash
    from engine.adapters.keys import Keyring
    from engine.events import NewEvent
    from workflows.streams import fold_stored, request_stream
    from workflows.tables import requests_table

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    config = alembic_config(url)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    at = dt.datetime(2025, 3, 3, 9)
    events = [NewEvent("received", at, {"request_id": "OLD-1", "agency": "hedong-xzsp", "channel": "in_person", "subject": "s",
                                         "applicant": {"kind": "commercial", "name": "某公司"}}),
              NewEvent("decided", at + dt.timedelta(days=3), {"outcome": "partial"}),
              NewEvent("review_filed", at + dt.timedelta(days=20), {"case": "R1"})]
    store = EventStore()
    with engine.begin() as conn:
        # written as the 0001 code wrote them (today's store needs the newer log head)
        stream, stream_hash, log_hash = request_stream("OLD-1"), GENESIS, GENESIS
        for version, event in enumerate(events, start=1):
            payload = canonical_json(event.payload)
            stream_hash = event_hash(stream_hash, stream, version, event.type, event.occurred_at, at, "admin",
                                     SCHEMA_VERSION, payload)
            log_hash = chain_hash(log_hash, version, stream_hash)
            conn.exec_driver_sql(
                "INSERT INTO events (seq, stream_id, version, type, occurred_at, recorded_at, actor, schema_version, "
                "payload, stream_hash, log_hash) VALUES (?, ?, ?, ?, ?, ?, 'admin', ?, ?, ?, ?)",
                (version, stream, version, event.type, str(event.occurred_at), str(at), SCHEMA_VERSION, payload,
                 stream_hash, log_hash))
        conn.exec_driver_sql("UPDATE log_head SET seq = ?, log_hash = ?", (len(events), log_hash))
        old_columns = [c for c in requests_table.c if c.name not in ("cases", "seal")]
        requests_0001 = Table("requests", MetaData(), *[Column(c.name, c.type) for c in old_columns])  # without the new columns
        conn.execute(insert(requests_0001).values(
            request_id="OLD-1", agency="hedong-xzsp", stage="decided", outcome="partial", applicant_kind="commercial",
            applicant_name="某公司", channel="in_person", subject="s", received_on=at.date(), clock_start=at.date(),
            concluded_on=(at + dt.timedelta(days=3)).date(), reply_due=None, reply_provisional=False, next_due=None,
            deadlines="{}", flags="[]", version=3))
    migrate(engine)
    with engine.connect() as conn:
        row = conn.execute(select(requests_table).where(requests_table.c.request_id == "OLD-1")).one()
    assert '"case": "R1"' in row.cases and '"row": "review"' in row.cases
    assert row.seal == ""  # no migration holds the key
    app = build(engine, keyring=Keyring.single("old-db-key"))
    app.initialise()
    with engine.connect() as conn:
        sealed = conn.execute(select(requests_table).where(requests_table.c.request_id == "OLD-1")).one()
        findings = app.requests.guard.check(conn)
        state = fold_stored(store.read_stream(conn, request_stream("OLD-1")))
    engine.dispose()
    assert findings.holds and [r.request_id for r in findings.rows] == ["OLD-1"]
    assert sealed.cases == row.cases and sealed.stage == state.stage.value and sealed.seal.startswith(
        Keyring.single("old-db-key").current + ":")


def test_a_populated_database_at_0007_upgrades_to_the_newest(tmp_path):
    """Users already placed in agencies (0007) must not stop later migrations of `agencies` (SQLite foreign keys)."""
    import datetime as dt

    from alembic import command
    from sqlalchemy import text

    from engine.adapters.database import alembic_config, migrate

    url = f"sqlite:///{tmp_path / 'populated.db'}"
    engine = make_engine(url)
    config = alembic_config(url)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0007")
    with engine.begin() as conn:
        now = dt.datetime(2026, 11, 1)
        conn.execute(text("INSERT INTO agencies (slug, name, correction_period_days, created_at, created_by) "
                          "VALUES ('hedong-xzsp', '河东区行政审批服务局', 15, :now, 'admin')"), {"now": now})
        conn.execute(text("INSERT INTO users (username, display_name, role, password_hash, created_at) "
                          "VALUES ('zhang', '张', 'staff', 'x', :now)"), {"now": now})
        conn.execute(text("INSERT INTO user_agencies (username, agency) VALUES ('zhang', 'hedong-xzsp')"))
    migrate(engine)
    require_migrated(engine)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT reminder_days, doc_prefix FROM agencies")).one()
        kept = conn.execute(text("SELECT agency FROM user_agencies")).scalar_one()
    engine.dispose()
    assert tuple(row) == ("5,2,0", "") and kept == "hedong-xzsp"
