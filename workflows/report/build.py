"""The annual report as the web UI and the CLI get it: load (sealed or as of a time), tally, check, compare.

`annual_report(services, year, agency)` is the one entry point for figures; `cell_requests` is the drill-down;
`publish_report` stores the figures and their hash.
"""

from __future__ import annotations

import datetime as dt

from engine.database import snapshot
from engine.errors import OgiError, PermissionDenied
from workflows.accounts import APPROVING_ROLES, User, agency_members
from workflows.report.annual import (
    AnnualReport, Check, Tally, differences_from, figures_hash, requests_in, run_checks, tally,
)
from workflows.report.facts import (
    TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_ROWS, RequestFacts,
)
from workflows.report.labels import REGISTER_ITEMS, column_label, row_label
from workflows.report.publish import changes_since_publication, publication, record_publication
from workflows.report.register import register_figures, register_with_blanks
from workflows.report.source import load_sealed_facts, replay_facts
from workflows.service import Services


class ReportError(OgiError):
    pass


PUBLISHED_CHECK = "已发布数字未被此后的记录改变"


def _check_year(year: int) -> None:
    if not 2008 <= year <= 2100:  # the first Regulation took effect on 1 May 2008
        raise ReportError(f"year {year} is out of range (2008–2100)")


def annual_report(services: Services, year: int, agency: str, as_of: dt.datetime | None = None,
                  own_only: bool = False) -> AnnualReport:
    """Tables 二/三/四 of `agency` (with the agencies below it, unless `own_only`) for `year`, with the checks."""
    _check_year(year)
    with snapshot(services.engine) as conn:
        return _build(services, conn, year, agency, as_of, own_only)


def _build(services: Services, conn, year: int, agency: str, as_of: dt.datetime | None, own_only: bool) -> AnnualReport:
    name, members = agency_members(conn, agency, own_only)
    facts = replay_facts(conn, members, as_of, services.store) if as_of else load_sealed_facts(conn, members)
    current = tally(facts, year)
    previous_in_system = any(f.received_on.year < year for f in facts)
    previous = tally(facts, year - 1) if previous_in_system else None
    previous_publication = publication(conn, agency, year - 1, as_of, services.store)
    if previous_publication is not None:
        carried, source = previous_publication.figures["table3"]["carried_out"], f"已发布的{year - 1}年报告"
    elif previous is not None:
        carried, source = previous.table3["carried_out"], "系统中的记录"
    else:
        carried, source = None, ""
    checks = run_checks(current, carried, source)
    table2, missing = register_with_blanks(register_figures(conn, members, year, as_of, services.store))
    report = AnnualReport(agency, name, year, tuple(members), table2, current, checks, as_of=as_of,
                          generated_at=services.clock.now(), previous=previous, register_missing=tuple(missing))
    published = publication(conn, agency, year, as_of, services.store)
    if published is not None:
        changed = changes_since_publication(conn, agency, year, as_of, services.store)
        report.publication = published
        report.differences = differences_from(published, current, table2, changed)
        ids = tuple(sorted({rid for d in report.differences for rid in d.requests}))
        detail = (f"发布于{published.published_at:%Y-%m-%d %H:%M}，哈希{published.figures_hash[:12]}；"
                  + ("此后的记录未改变任何已发布数字" if not report.differences else
                     "；".join(f"{_cell_name(d.table, d.row, d.column)}：已发布{d.published}，现为{d.current}"
                               for d in report.differences[:20])))
        checks.append(Check(PUBLISHED_CHECK, not report.differences, detail, ids))
    return report


def _cell_name(table: str, row: str, column: str) -> str:
    if table == "table2":
        return f"表二 {REGISTER_ITEMS.get(row, (row,))[0]} {column}"
    return f"表{'三' if table == 'table3' else '四'} {row_label(row)} × {column_label(column)}"


def validate_cell(row: str, column: str) -> str:
    """The table a (row, column) pair names, or a clear refusal listing what exists."""
    if row in TABLE3_ROWS:
        if column not in TABLE3_COLUMNS:
            raise ReportError(f"column '{column}' is not in table 三; its columns are {', '.join(TABLE3_COLUMNS)}")
        return "table3"
    if row in TABLE4_ROWS:
        if column not in TABLE4_COLUMNS:
            raise ReportError(f"column '{column}' is not in table 四; its columns are {', '.join(TABLE4_COLUMNS)}")
        return "table4"
    raise ReportError(f"row '{row}' is in neither table 三 ({', '.join(TABLE3_ROWS)}) nor table 四 ({', '.join(TABLE4_ROWS)})")


def cell_requests(services: Services, year: int, agency: str, row: str, column: str, as_of: dt.datetime | None = None,
                  own_only: bool = False) -> tuple[AnnualReport, str, list[RequestFacts]]:
    """The requests counted in one cell (the drill-down): (report, table, requests)."""
    table = validate_cell(row, column)
    report = annual_report(services, year, agency, as_of, own_only)
    return report, table, requests_in(report.current, table, row, column)


def publish_report(services: Services, year: int, agency: str, actor: User, reason: str | None = None,
                   own_only: bool = False) -> AnnualReport:
    """Freeze the year's figures: stored with their hash; later changes are flagged, not silently applied."""
    actor.require_write("publish an annual report")
    if actor.role not in APPROVING_ROLES:  # the report is signed off by the person in charge (负责人)
        raise PermissionDenied(f"publishing the annual report needs role head or admin; '{actor.username}' is {actor.role.value}")
    _check_year(year)
    now = services.clock.now()
    with services.engine.begin() as conn:
        # hold the log while counting, so no event slips between the count and the publication unflagged
        services.store.lock_log(conn)
        report = _build(services, conn, year, agency, None, own_only)
        _publish(services, conn, report, actor, reason, now)
    return annual_report(services, year, agency, None, own_only)


def _publish(services: Services, conn, report: AnnualReport, actor: User, reason: str | None, now: dt.datetime) -> None:
    failed = [c for c in report.checks if not c.ok and c.name != PUBLISHED_CHECK]
    if failed:
        raise ReportError("the report fails its checks and cannot be published: "
                          + "; ".join(f"{c.name}: {c.detail}" for c in failed))
    figures = {"table2": report.table2, "table3": report.current.table3, "table4": report.current.table4}
    record_publication(conn, services.store, now, actor.username, report.agency, report.year, report.is_rollup,
                       list(report.members), figures, figures_hash(figures), reason)


__all__ = ["annual_report", "cell_requests", "publish_report", "validate_cell", "ReportError", "AnnualReport", "Tally"]
