"""The annual report as the web UI and the CLI get it: load (sealed or as of a time), tally, check, compare.

`ReportService.annual` is the one entry point for figures; `cell` is the drill-down; `publish` stores the
figures and their hash; the table 二 register is entered and read here too. Built by `bootstrap`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from engine.adapters.database import snapshot
from engine.adapters.eventstore import EventStore
from engine.clock import Clock
from engine.errors import OgiError
from workflows.people import access
from workflows.people.access import Action
from workflows.people.accounts import User, agency_members, get_agency, list_agencies
from workflows.readmodels.guard import ProjectionGuard
from workflows.report.annual import (
    AnnualReport,
    Check,
    Tally,
    cases_in,
    differences_from,
    figures_hash,
    requests_in,
    run_checks,
    tally,
)
from workflows.report.facts import (
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_ROWS,
    RequestFacts,
)
from workflows.report.labels import REGISTER_ITEMS, column_label, row_label
from workflows.report.publish import changes_since_publication, publication, record_publication
from workflows.report.register import (
    register_figures,
    register_history,
    register_with_blanks,
    set_entry,
)
from workflows.report.source import load_sealed_facts, replay_facts
from workflows.report.years import check_report_year


class ReportError(OgiError):
    pass


PUBLISHED_CHECK = "已发布数字未被此后的记录改变"


@dataclass(frozen=True)
class CellListing:
    """The drill-down of one cell: the report it comes from and the requests (or cases) counted in it."""

    report: AnnualReport
    table: str
    row: str
    column: str
    requests: list[RequestFacts]

    def items(self) -> list[dict]:
        if self.table == "table4":
            return [{"id": f.request_id, "case": case.case, "filed": case.filed_on.isoformat(),
                     "closed": case.closed_on.isoformat() if case.closed_on else None, "result": case.result,
                     "received": f.received_on.isoformat(),
                     "concluded": f.concluded_on.isoformat() if f.concluded_on else None, "outcome": f.outcome}
                    for f, case in cases_in(self.report.current, self.row, self.column)]
        return [{"id": f.request_id, "received": f.received_on.isoformat(),
                 "concluded": f.concluded_on.isoformat() if f.concluded_on else None, "outcome": f.outcome,
                 "applicant_kind": f.applicant_kind, "agency": f.agency} for f in self.requests]


@dataclass
class ReportService:
    engine: Engine
    store: EventStore
    clock: Clock
    guard: ProjectionGuard  # the requests read model is checked against the log before its figures are used

    # -- figures ----------------------------------------------------------------------------
    def annual(self, year: int, agency: str | None = None, as_of: dt.datetime | None = None,
               own_only: bool = False, viewer: User | None = None) -> AnnualReport:
        """Tables 二/三/四 of `agency` (with the agencies below it, unless `own_only`) for `year`, with the checks.
        Every door passes who reads (`viewer`): refused unless they may read that agency's report."""
        check_report_year(year)
        with snapshot(self.engine) as conn:
            reported = self._reported_agency(conn, agency)
            self._check_reader(conn, viewer, reported)
            return self._build(conn, year, reported, as_of, own_only)

    @staticmethod
    def _check_reader(conn: Connection, viewer: User | None, agency: str) -> None:
        if viewer is not None:  # None: the services' own reads
            get_agency(conn, agency)  # an unknown agency is 404, not a refusal
            access.require(conn, viewer, Action.READ_REPORT, agency)

    def reported_agency(self, agency: str | None) -> str:
        with self.engine.connect() as conn:
            return self._reported_agency(conn, agency)

    @staticmethod
    def _reported_agency(conn: Connection, agency: str | None) -> str:
        """DESIGN §5 makes --agency optional: without it, the one agency at the top of the tree."""
        if agency:
            return agency
        roots = [row.slug for row in list_agencies(conn) if not row.parent]
        if len(roots) == 1:
            return roots[0]
        if not roots:
            raise OgiError("尚无机关：请先由管理员添加机关")
        raise OgiError(f"有多个最上级机关（{'、'.join(roots)}），请选择一个机关（agency）")

    def _build(self, conn: Connection, year: int, agency: str, as_of: dt.datetime | None, own_only: bool) -> AnnualReport:
        name, members = agency_members(conn, agency, own_only)
        facts = replay_facts(conn, members, as_of) if as_of else load_sealed_facts(conn, members, self.guard)
        current = tally(facts, year)
        previous_in_system = any(f.received_on.year < year for f in facts)
        previous = tally(facts, year - 1) if previous_in_system else None
        previous_publication = publication(conn, self.store, agency, year - 1, as_of)
        if previous_publication is not None:
            carried, source = previous_publication.figures["table3"]["carried_out"], f"已发布的{year - 1}年报告"
        elif previous is not None:
            carried, source = previous.table3["carried_out"], "系统中的记录"
        else:
            carried, source = None, ""
        checks = run_checks(current, carried, source)
        table2, missing = register_with_blanks(register_figures(conn, self.store, members, year, as_of))
        report = AnnualReport(agency, name, year, tuple(members), table2, current, checks, as_of=as_of,
                              generated_at=self.clock.now(), previous=previous, register_missing=tuple(missing))
        published = publication(conn, self.store, agency, year, as_of)
        if published is not None:
            changed = changes_since_publication(conn, self.store, agency, year, as_of)
            report.publication = published
            report.differences = differences_from(published, current, table2, changed)
            ids = tuple(sorted({rid for d in report.differences for rid in d.requests}))
            detail = (f"发布于{published.published_at:%Y-%m-%d %H:%M}，哈希{published.figures_hash[:12]}；"
                      + ("此后的记录未改变任何已发布数字" if not report.differences else
                         "；".join(f"{_cell_name(d.table, d.row, d.column)}：已发布{d.published}，现为{d.current}"
                                   for d in report.differences[:20])))
            checks.append(Check(PUBLISHED_CHECK, not report.differences, detail, ids))
        return report

    def cell(self, year: int, agency: str | None, row: str, column: str, as_of: dt.datetime | None = None,
             own_only: bool = False, viewer: User | None = None) -> CellListing:
        """The requests counted in one cell (the drill-down)."""
        table = validate_cell(row, column)
        report = self.annual(year, agency, as_of, own_only, viewer)
        return CellListing(report, table, row, column, requests_in(report.current, table, row, column))

    # -- publication ------------------------------------------------------------------------
    def publish(self, year: int, agency: str, actor: User, reason: str | None = None,
                own_only: bool = False) -> AnnualReport:
        """Freeze the year's figures: stored with their hash; later changes are flagged, not silently applied."""
        access.require_role(actor, Action.PUBLISH_REPORT)  # signed off by the person in charge (负责人)
        check_report_year(year)
        now = self.clock.now()
        with self.engine.begin() as conn:
            get_agency(conn, agency)
            access.require(conn, actor, Action.PUBLISH_REPORT, agency)
            # hold the log while counting, so no event slips between the count and the publication unflagged
            self.store.lock_head(conn)
            report = self._build(conn, year, agency, None, own_only)
            failed = [c for c in report.checks if not c.ok and c.name != PUBLISHED_CHECK]
            if failed:
                raise ReportError("报告未通过校验，不能发布："
                                  + "；".join(f"{c.name}：{c.detail}" for c in failed))
            figures = {"table2": report.table2, "table3": report.current.table3, "table4": report.current.table4}
            record_publication(conn, self.store, now, actor.username, report.agency, report.year, report.is_rollup,
                               list(report.members), figures, figures_hash(figures), reason)
        return self.annual(year, agency, None, own_only)

    # -- table 二 register ------------------------------------------------------------------
    def set_register_entry(self, year: int, agency: str, item: str, figures: dict[str, object], note: str,
                           actor: User) -> dict[str, str]:
        check_report_year(year)
        with self.engine.connect() as conn:
            get_agency(conn, agency)
            access.require(conn, actor, Action.WRITE_REGISTER, agency)
        return set_entry(self.engine, self.store, self.clock.now(), agency, year, item, figures, note, actor)

    def register(self, year: int, agency: str, viewer: User | None = None) -> tuple[dict[str, dict[str, str]], list[str]]:
        """Table 二 as entered (a parent sums the agencies below it), and the items nobody entered."""
        with self.engine.connect() as conn:
            _, members = agency_members(conn, agency)
            self._check_reader(conn, viewer, agency)
            return register_with_blanks(register_figures(conn, self.store, members, year))

    def register_history(self, year: int, agency: str, viewer: User | None = None) -> list[dict]:
        with self.engine.connect() as conn:
            self._check_reader(conn, viewer, agency)
            return register_history(conn, self.store, agency, year)


def _cell_name(table: str, row: str, column: str) -> str:
    if table == "table2":
        return f"表二 {REGISTER_ITEMS.get(row, (row,))[0]} {column}"
    return f"表{'三' if table == 'table3' else '四'} {row_label(row)} × {column_label(column)}"


def validate_cell(row: str, column: str) -> str:
    """The table a (row, column) pair names, or a clear refusal listing what exists."""
    if row in TABLE3_ROWS:
        if column not in TABLE3_COLUMNS:
            raise ReportError(f"表三没有“{column}”这一列，可选：{'、'.join(TABLE3_COLUMNS)}")
        return "table3"
    if row in TABLE4_ROWS:
        if column not in TABLE4_COLUMNS:
            raise ReportError(f"表四没有“{column}”这一列，可选：{'、'.join(TABLE4_COLUMNS)}")
        return "table4"
    raise ReportError(f"表三（{'、'.join(TABLE3_ROWS)}）和表四（{'、'.join(TABLE4_ROWS)}）都没有“{row}”这一行")


__all__ = ["ReportService", "CellListing", "validate_cell", "ReportError", "AnnualReport", "Tally", "PUBLISHED_CHECK"]
