"""The `requests` read model checked against the log, not believed: before the queue, the sweep or the report
reads it, every row must hold its keyed seal, be folded up to the stream's last event, and every request
the log received must have its row.

What it finds, by kind:
- tampered: a row whose seal does not hold (a column edited, a row invented, a seal forged without the key);
- stale: an older row put back (its seal holds, but the log has events after its version);
- missing: a request in the log without a row (deleted, or moved to another agency's rows).

The sweep repairs what it finds (each row folded again from the log) and records the repair as an event of
the integrity stream, so a repair is itself part of the tamper-evident history; the queue and the report
refuse instead (they only read).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, delete

from engine.adapters.eventstore import EventStore, StreamAppend
from engine.errors import OgiError
from engine.events import NewEvent
from workflows.readmodels.log import in_chunks, received_request_ids, rows_with_their_events
from workflows.readmodels.requests import RequestsProjection
from workflows.streams import INTEGRITY_STREAM, fold_stored, request_stream
from workflows.tables import requests_table

PROJECTION_REPAIRED = "projection_repaired"
IDS_KEPT = 500  # ids named per kind in the repair event; the counts are always whole


class ProjectionTampered(OgiError):
    """The read model disagrees with the event log: nothing is shown or counted from it."""

    exit_code = 3

    def __init__(self, message: str, request_ids: list[str]):
        super().__init__(message)
        self.request_ids = request_ids


@dataclass
class Findings:
    tampered: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    rows: list = field(default_factory=list)  # the rows that hold, for the caller to read

    @property
    def holds(self) -> bool:
        return not (self.tampered or self.stale or self.missing)

    @property
    def request_ids(self) -> list[str]:
        return sorted({*self.tampered, *self.stale, *self.missing})

    def describe(self) -> str:
        parts = [f"{kind} {len(ids)} 件（{'、'.join(sorted(ids)[:10])}{' …' if len(ids) > 10 else ''}）"
                 for kind, ids in (("被改动", self.tampered), ("未更新", self.stale), ("缺失", self.missing)) if ids]
        return "；".join(parts)

    def refuse(self, what: str) -> None:
        if not self.holds:
            raise ProjectionTampered(
                f"申请列表与事件日志不一致：{self.describe()}。{what}请管理员先校验日志，再按日志修复申请列表"
                "（下次定时巡检也会自动修复）", self.request_ids)


class ProjectionGuard:
    def __init__(self, store: EventStore, projection: RequestsProjection):
        self.store = store
        self.projection = projection

    def check(self, conn: Connection, agencies: Sequence[str] | None = None) -> Findings:
        """Every row of `agencies` (all when None) against the log, in one pass over the rows."""
        r = requests_table.c
        query = rows_with_their_events()
        findings, seen = Findings(), set()
        for chunk in ([None] if agencies is None else in_chunks(agencies, 500)):
            for row in conn.execute(query if chunk is None else query.where(r.agency.in_(chunk))):
                seen.add(row.request_id)
                if not self.projection.sealer.holds(row._mapping, row.event_hash):
                    findings.tampered.append(row.request_id)
                elif row.newer is not None:
                    findings.stale.append(row.request_id)
                else:
                    findings.rows.append(row)
        findings.missing = sorted(received_request_ids(conn, agencies) - seen)
        return findings

    def repair(self, conn: Connection, findings: Findings, actor: str, now: dt.datetime, reason: str) -> None:
        """Fold each bad row again from the log (a row no request stands behind is deleted); record the repair."""
        if findings.holds:
            return
        for request_id in findings.request_ids:
            events = self.store.read_stream(conn, request_stream(request_id))
            if events:
                self.projection.put(conn, fold_stored(events), events[-1].version, events[-1].stream_hash)
            else:
                conn.execute(delete(requests_table).where(requests_table.c.request_id == request_id))
        payload = {"reason": reason, **{kind: {"count": len(ids), "request_ids": sorted(ids)[:IDS_KEPT]}
                                        for kind, ids in (("tampered", findings.tampered), ("stale", findings.stale),
                                                          ("missing", findings.missing)) if ids}}
        version = self.store.stream_version(conn, INTEGRITY_STREAM)
        self.store.append(conn, StreamAppend(INTEGRITY_STREAM, version, [NewEvent(PROJECTION_REPAIRED, now, payload)],
                                             actor), now)
