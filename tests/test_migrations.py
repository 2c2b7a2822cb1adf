"""The Alembic migrations create exactly the tables the code declares, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.database import make_engine, metadata, require_migrated
import engine.eventstore  # noqa: F401  (registers its tables)
import workflows.tables  # noqa: F401


def test_migrated_schema_matches_the_declared_tables(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == [], f"the models changed without a migration: {diff}"


def test_a_migrated_database_is_accepted(database_url):
    require_migrated(make_engine(database_url))
