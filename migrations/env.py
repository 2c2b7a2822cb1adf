"""Alembic environment: runs on the connection `engine.adapters.database.migrate` hands in, or on the configured URL."""

from alembic import context
from sqlalchemy import create_engine

import engine.adapters.eventstore  # noqa: F401  (registers its tables)
import workflows.tables  # noqa: F401
from engine.adapters.database import metadata

config = context.config
target_metadata = metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("alembic: neither a connection handed in nor sqlalchemy.url configured")
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
