"""Read models kept in a table, one row per event of their streams (calendar years, table 二, publications)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Table, delete

from engine.adapters.eventstore import EventStore, StoredEvent


@dataclass(frozen=True)
class EventRowsReadModel:
    """A read model whose rows each follow from one event of its streams: `save(conn, event)` writes that row."""

    name: str
    table: Table
    stream_prefix: str
    save: Callable[[Connection, StoredEvent], None]
    event_types: frozenset[str] | None = None  # None: every event of the streams

    def rebuild(self, conn: Connection, store: EventStore) -> int:
        conn.execute(delete(self.table))
        count = 0
        for event in store.read_all(conn, self.stream_prefix):
            if self.event_types is None or event.type in self.event_types:
                self.save(conn, event)
                count += 1
        return count
