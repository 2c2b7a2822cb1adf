"""Each scheduler and worker writes a heartbeat row; `ogi health` reads the newest of each kind."""

from __future__ import annotations

import datetime as dt
import os
import socket

from sqlalchemy import Connection, delete, func, select

from engine.adapters.database import upsert_insert
from workflows.tables import heartbeats_table


def process_name(kind: str) -> str:
    return f"{kind}:{socket.gethostname()}:{os.getpid()}"[:200]


def beat(conn: Connection, process: str, kind: str, now: dt.datetime) -> None:
    """One upsert: two threads of a process (its scheduler's job and its main loop) may beat at the same moment."""
    statement = upsert_insert(conn, heartbeats_table).values(process=process, kind=kind, beat_at=now, started_at=now)
    conn.execute(statement.on_conflict_do_update(index_elements=["process"], set_={"beat_at": now}))


def last_beat(conn: Connection, kind: str) -> dt.datetime | None:
    return conn.execute(select(func.max(heartbeats_table.c.beat_at)).where(heartbeats_table.c.kind == kind)).scalar()


def forget(conn: Connection, process: str) -> None:
    """A process that stops cleanly takes its row away."""
    conn.execute(delete(heartbeats_table).where(heartbeats_table.c.process == process))
