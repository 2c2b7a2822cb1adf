"""Published reports: their figures and hash are kept, and any later event that would change one is flagged.

`ogi report publish` records `report_published` in the stream `report/AGENCY/YEAR` (so the publication is
in the tamper-evident log) and a row in `published_reports`. From then on, every event that moves a
request in or out of a published cell also records `published_figures_changed` in that stream, in the
same transaction; the report then states the published figures and shows the difference.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select

from engine.adapters.eventstore import EventStore, StoredEvent, StreamAppend
from engine.adapters.read_models import EventRowsReadModel
from engine.errors import OgiError
from engine.events import NewEvent
from engine.projection import Change
from workflows.foi.state import RequestState
from workflows.people.accounts import ancestors
from workflows.report.annual import Publication
from workflows.report.facts import Cell, RequestFacts, cells_in_year, facts_of
from workflows.streams import REPORT_STREAM
from workflows.tables import published_reports_table


def report_stream(agency: str, year: int) -> str:
    return f"{REPORT_STREAM}{agency}/{year}"


def publication(conn: Connection, store: EventStore, agency: str, year: int,
                as_of: dt.datetime | None = None) -> Publication | None:
    if as_of is None:
        row = conn.execute(select(published_reports_table).where(
            (published_reports_table.c.agency == agency) & (published_reports_table.c.year == year))).first()
        if row is None:
            return None
        return Publication(row.published_at, row.published_by, row.figures_hash, json.loads(row.figures))
    found = None
    for event in store.read_stream(conn, report_stream(agency, year)):
        if event.type == "report_published" and event.recorded_at <= as_of:
            p = event.payload
            found = Publication(event.recorded_at, event.actor, p["figures_hash"], p["figures"])
    return found


def changes_since_publication(conn: Connection, store: EventStore, agency: str, year: int,
                              as_of: dt.datetime | None = None) -> dict[Cell, set[str]]:
    """For each cell, the requests whose events moved it after the (last) publication."""
    changed: dict[Cell, set[str]] = defaultdict(set)
    for event in store.read_stream(conn, report_stream(agency, year)):
        if as_of is not None and event.recorded_at > as_of:
            break
        if event.type == "report_published":
            changed.clear()  # a republication starts afresh
        elif event.type == "published_figures_changed" and "request_id" in event.payload:
            for cell in (*event.payload["removed"], *event.payload["added"]):
                changed[tuple(cell)].add(event.payload["request_id"])
    return dict(changed)


def record_publication(conn: Connection, store: EventStore, now: dt.datetime, actor: str, agency: str, year: int,
                       rollup: bool, members: list[str], figures: dict, figures_hash: str, reason: str | None) -> None:
    stream = report_stream(agency, year)
    existing = publication(conn, store, agency, year)
    if existing is not None and not reason:
        raise OgiError(f"“{agency}”{year} 年度报告已于 {existing.published_at:%Y-%m-%d %H:%M} 发布"
                       f"（校验值 {existing.figures_hash[:12]}）；发布更正后的报告须说明理由（reason）")
    payload = {"agency": agency, "year": year, "rollup": rollup, "members": members, "figures": figures,
               "figures_hash": figures_hash, "reason": reason or ""}
    version = store.stream_version(conn, stream)
    [stored] = store.append(conn, StreamAppend(stream, version, [NewEvent("report_published", now, payload)], actor), now)
    save_publication(conn, stored)
    store.bump_reference_version(conn)  # every process's cached list of publications is now stale


def save_publication(conn: Connection, stored: StoredEvent) -> None:
    """The read-model row of one `report_published` event (also used by `ogi projections rebuild`)."""
    p, t = stored.payload, published_reports_table
    conn.execute(delete(t).where((t.c.agency == p["agency"]) & (t.c.year == p["year"])))
    conn.execute(insert(t).values(
        agency=p["agency"], year=p["year"], rollup=p["rollup"], published_at=stored.recorded_at, published_by=stored.actor,
        figures=json.dumps(p["figures"], sort_keys=True, ensure_ascii=False), figures_hash=p["figures_hash"],
        version=stored.version))


PUBLICATIONS_READ_MODEL = EventRowsReadModel("published_reports", published_reports_table, REPORT_STREAM, save_publication,
                                             frozenset({"report_published"}))


def published_years(conn: Connection) -> list[tuple[str, int, bool]]:
    c = published_reports_table.c
    return [tuple(r) for r in conn.execute(select(c.agency, c.year, c.rollup))]


def _publications_covering(conn: Connection, agency: str, year: int | None,
                           published: list[tuple[str, int, bool]] | None = None) -> list[tuple[str, int]]:
    """(publishing agency, year) of the publications whose figures include `agency`: its own, or a roll-up above it."""
    published = published_years(conn) if published is None else published
    covering, above = [], None
    for pub_agency, pub_year, rollup in published:
        if year is not None and pub_year != year:
            continue
        if pub_agency != agency:
            if not rollup:
                continue
            above = ancestors(conn, agency) if above is None else above
            if pub_agency not in above:
                continue
        covering.append((pub_agency, pub_year))
    return covering


def _flag(conn: Connection, store: EventStore, now: dt.datetime, actor: str, agency: str, year: int, payload: dict) -> None:
    stream = report_stream(agency, year)
    store.append(conn, StreamAppend(stream, store.stream_version(conn, stream),
                                    [NewEvent("published_figures_changed", now, payload)], actor), now)


def watch_register(conn: Connection, store: EventStore, now: dt.datetime, actor: str, agency: str, year: int, item: str,
                   before: dict[str, str], after: dict[str, str]) -> int:
    """Flag a table 二 change in every publication of that year that includes the agency's figures."""
    if before == after:
        return 0
    covering = _publications_covering(conn, agency, year)
    for pub_agency, pub_year in covering:
        _flag(conn, store, now, actor, pub_agency, pub_year,
              {"agency": agency, "register_item": item, "before": before, "after": after})
    return len(covering)


class PublishedReportWatch:
    """After-append projector: a request's events that move a published figure are flagged in that report's stream."""

    name = "published_report_watch"

    def __init__(self, store: EventStore):
        self.store = store
        self._published: tuple[int, list[tuple[str, int, bool]]] | None = None  # (reference version, publications)

    def apply(self, conn: Connection, changes: Sequence[Change[RequestState]]) -> None:
        published: list[tuple[str, int, bool]] | None = None
        for change in changes:
            before, after = facts_of(change.before), facts_of(change.after)
            if before == after:
                continue
            published = self._publications(conn) if published is None else published
            if not published:
                return
            flag_published_changes(conn, self.store, change.now, change.actor, change.after.request_id,
                                   change.after.agency, change.version, before, after, published)


    def _publications(self, conn: Connection) -> list[tuple[str, int, bool]]:
        """Cached per process; a publication moves the reference version, so the cache is checked without a query."""
        version = self.store.lock_head(conn).reference_version
        if self._published is None or self._published[0] != version:
            self._published = (version, published_years(conn))
        return self._published[1]


def flag_published_changes(conn: Connection, store: EventStore, now: dt.datetime, actor: str, request_id: str,
                           agency: str, version: int, before: RequestFacts | None, after: RequestFacts | None,
                           published: list[tuple[str, int, bool]] | None = None) -> int:
    """Flag, in each affected published report's stream, that this request's latest events move its figures.

    Returns the number of published reports flagged. Called only when a request's report facts changed.
    """
    flagged = 0
    for pub_agency, year in _publications_covering(conn, agency, None, published):
        old = Counter(cells_in_year(before, year)) if before else Counter()
        new = Counter(cells_in_year(after, year)) if after else Counter()
        if old == new:
            continue
        _flag(conn, store, now, actor, pub_agency, year,
              {"request_id": request_id, "request_version": version,
               "removed": [list(c) for c in sorted((old - new).elements())],
               "added": [list(c) for c in sorted((new - old).elements())]})
        flagged += 1
    return flagged
