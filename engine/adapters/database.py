"""Database wiring: one MetaData for every table, engines for SQLite (embedded) and PostgreSQL, migrations.

SQLite runs in WAL mode and every transaction starts with BEGIN IMMEDIATE, so two writers queue up
instead of failing half-way; PostgreSQL needs nothing special (row locks do the same there).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, MetaData, create_engine, event, inspect, make_url

from engine.errors import NotMigrated

metadata = MetaData()

DEFAULT_DATABASE_URL = "sqlite:///ogi.db"
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def database_url() -> str:
    return os.environ.get("OGI_DATABASE_URL", DEFAULT_DATABASE_URL)


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        _create_folder_of(url)
        engine = create_engine(url, connect_args={"timeout": 30})
        _serialise_sqlite_writers(engine)
        return engine
    # no pool_pre_ping: it costs a round trip per transaction; a connection the server dropped fails its
    # transaction, which is rolled back whole and reported, and the pool replaces it
    return create_engine(url)


def sqlite_file(engine: Engine) -> Path | None:
    """The file of an SQLite database (None for PostgreSQL or an in-memory database)."""
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return None
    return Path(engine.url.database).resolve()


def _create_folder_of(url: str) -> None:
    """`ogi init` on a fresh machine: the folder of the SQLite file may not exist yet, and the file is the
    applicants' personal data: created readable by the service's user only (SQLite gives its WAL the same mode)."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:  # it exists (another process may have just made it): its mode stays as it is
            pass


def _serialise_sqlite_writers(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy's begin hook own the transaction
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # durable commits, also what the benchmark measures
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # a read snapshot (see `snapshot`) must not take the write lock; WAL gives it a consistent view
        connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get("ogi_snapshot") else "BEGIN IMMEDIATE")


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction that sees one consistent state of the database, whatever commits meanwhile.

    For reports: several queries must add up. PostgreSQL: REPEATABLE READ; SQLite: a deferred transaction in WAL.
    """
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn = conn.execution_options(ogi_snapshot=True)
        else:
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration (what `ogi init` does)."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def require_migrated(engine: Engine) -> None:
    """Refuse to work on a database that `ogi init` has not brought to the code's schema."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            raise NotMigrated(f"数据库尚未初始化：请先运行 ogi init（数据库 {engine.url!r}）")
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        raise NotMigrated(f"数据库结构版本为 {current}，本程序需要 {head}：请先运行 ogi init 升级数据库")


def upsert_insert(conn, table):
    """`INSERT` with ON CONFLICT clauses (`.on_conflict_do_nothing()`, `.on_conflict_do_update()`), in the dialect
    of `conn`: both SQLite and PostgreSQL have them, each in its own SQLAlchemy construct."""
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return (postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)
