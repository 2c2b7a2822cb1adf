"""Gapless counters: one row per key in a counter table with a `last` column, taken under a row lock.

The row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's write transaction serializes writers anyway)
until the taking transaction ends, so two takers never get the same number and a rolled-back taker leaves no gap.
The caller passes the table (the workflows define it; the engine knows none of theirs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection, Table, and_, select, update

from engine.adapters.database import upsert_insert


def take_next(conn: Connection, table: Table, key: Mapping[str, object],
              taken: Callable[[int], bool] = lambda number: False) -> int:
    """The number after the key's last (1 for a new key), skipping numbers `taken` says are in use; stored as last."""
    conn.execute(upsert_insert(conn, table).values(**key, last=0).on_conflict_do_nothing())  # two first takers: one row
    row = and_(*(table.c[column] == value for column, value in key.items()))
    number = conn.execute(select(table.c["last"]).where(row).with_for_update()).scalar_one() + 1
    while taken(number):
        number += 1
    conn.execute(update(table).where(row).values(last=number))
    return number
