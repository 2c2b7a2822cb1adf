"""The annual report of one agency (or a roll-up) for one year, tallied from request facts, with its checks.

Pure: the figures are a function of the facts handed in; loading them is `workflows/report/source.py`.
Every total is tallied on its own from the requests rather than summed from the other cells, so the checks
compare two independent counts and a stray value (an unknown outcome or applicant kind) cannot hide.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from workflows.report.facts import (
    APPLICANT_COLUMNS,
    CASE_RESULTS,
    OUTCOME_ROWS,
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_ROWS,
    CaseFacts,
    Cell,
    RequestFacts,
    case_column,
    cells_in_year,
)
from workflows.report.labels import column_label, row_label

MAX_NAMED = 20  # requests named in a check's detail; the drill-down lists them all


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    requests: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "requests": list(self.requests)}


@dataclass(frozen=True)
class Difference:
    """A published figure that the events recorded since would change."""

    table: str
    row: str
    column: str
    published: int | str | None  # table 二 figures are text (万元 with decimals)
    current: int | str | None
    requests: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"table": self.table, "row": self.row, "column": self.column, "published": self.published,
                "current": self.current, "requests": list(self.requests)}


@dataclass(frozen=True)
class Publication:
    published_at: dt.datetime
    published_by: str
    figures_hash: str
    figures: dict  # {"table2": …, "table3": …, "table4": …}


@dataclass
class Tally:
    """Counts for one year with the facts behind every leaf cell."""

    year: int
    table3: dict[str, list[int]]
    table4: dict[str, list[int]]
    cells: dict[Cell, list[RequestFacts]]
    independent: dict[str, dict]  # totals counted on their own, for the checks
    stray: list[tuple[str, Cell]]  # (request_id, cell) outside the official table


_T3_ROWS, _T3_COLUMNS = frozenset(TABLE3_ROWS), frozenset(APPLICANT_COLUMNS)
_T4_ROWS, _T4_COLUMNS = frozenset(TABLE4_ROWS), frozenset((*CASE_RESULTS, "pending"))
_ARRIVALS = frozenset({"new", "carried_in", "carried_out"})


def tally(facts: Iterable[RequestFacts], year: int) -> Tally:
    cells: dict[Cell, list[RequestFacts]] = defaultdict(list)
    row_totals: dict[str, int] = defaultdict(int)  # table 三 总计 column, counted per request
    concluded_by_column: dict[str, int] = defaultdict(int)  # table 三 （七）总计 row, counted per request
    case_totals: dict[str, int] = defaultdict(int)  # table 四 总计, counted per case
    stray: list[tuple[str, Cell]] = []
    for f in facts:
        for cell in cells_in_year(f, year):
            table, row, column = cell
            cells[cell].append(f)
            if table == "table3":
                row_totals[row] += 1
                if row not in _ARRIVALS:
                    concluded_by_column[column] += 1
                    concluded_by_column["total"] += 1
            else:
                case_totals[row] += 1
            if _is_stray(cell):
                stray.append((f.request_id, cell))
    table3, table4 = _table3(cells), _table4(cells)
    return Tally(year, table3, table4, dict(cells),
                 {"row_totals": dict(row_totals), "concluded": dict(concluded_by_column), "case_totals": dict(case_totals)},
                 stray)


def _is_stray(cell: Cell) -> bool:
    """A cell outside the official table (an unknown outcome, applicant kind or case result)."""
    table, row, column = cell
    if table == "table3":
        return row not in _T3_ROWS or column not in _T3_COLUMNS
    return row not in _T4_ROWS or column not in _T4_COLUMNS


def _table3(cells: dict[Cell, list[RequestFacts]]) -> dict[str, list[int]]:
    counted = {}
    for row in TABLE3_ROWS:
        values = [len(cells.get(("table3", row, column), ())) for column in APPLICANT_COLUMNS]
        counted[row] = values + [sum(values)]
    # the （七）总计 row is the sum of the outcome rows, as the official table defines it
    counted["total"] = [sum(counted[row][i] for row in OUTCOME_ROWS) for i in range(len(TABLE3_COLUMNS))]
    return {row: counted[row] for row in TABLE3_ROWS}


def _table4(cells: dict[Cell, list[RequestFacts]]) -> dict[str, list[int]]:
    table4 = {}
    for row in TABLE4_ROWS:
        values = [len(cells.get(("table4", row, column), ())) for column in (*CASE_RESULTS, "pending")]
        table4[row] = values + [sum(values)]
    return table4


def requests_in(t: Tally, table: str, row: str, column: str) -> list[RequestFacts]:
    """The requests behind one cell, totals included (a 总计 cell lists the requests of its parts)."""
    if table == "table3":
        rows = OUTCOME_ROWS if row == "total" else (row,)
        columns = APPLICANT_COLUMNS if column == "total" else (column,)
    else:
        rows = (row,)
        columns = (*CASE_RESULTS, "pending") if column == "total" else (column,)
    seen: dict[str, RequestFacts] = {}
    for r in rows:
        for c in columns:
            for f in t.cells.get((table, r, c), ()):
                seen.setdefault(f.request_id, f)
    return sorted(seen.values(), key=lambda f: (f.received_on, f.request_id))


def cases_in(t: Tally, row: str, column: str) -> list[tuple[RequestFacts, CaseFacts]]:
    """The review or litigation cases behind one table 四 cell."""
    out = []
    for f in requests_in(t, "table4", row, column):
        for case in f.cases:
            counted = case_column(case, t.year)
            if case.row == row and counted is not None and (column == "total" or counted == column):
                out.append((f, case))
    return out


def _ids(facts: Iterable[RequestFacts]) -> tuple[str, ...]:
    return tuple(sorted({f.request_id for f in facts}))


def _named(ids: Iterable[str]) -> str:
    ids = list(ids)
    more = f" 等{len(ids)}件" if len(ids) > MAX_NAMED else ""
    return "、".join(ids[:MAX_NAMED]) + more


def run_checks(t: Tally, previous_carried_out: list[int] | None, previous_source: str) -> list[Check]:
    """The consistency rules printed with every report (30号 format notes and DESIGN §5)."""
    checks = [_balance(t), _total_column(t), _concluded_total(t), _carried_in(t, previous_carried_out, previous_source),
              _table4_totals(t)]
    stray_ids = tuple(sorted({rid for rid, _ in t.stray}))
    if stray_ids and all(c.ok for c in checks):  # cannot happen with the tallies above; kept loud on purpose
        checks.append(Check("所有申请均计入表中", False, f"未计入的申请：{_named(stray_ids)}", stray_ids))
    return checks


def _balance(t: Tally) -> Check:
    """1. 勾稽关系, per column: 一 + 二 = 三（七） + 四."""
    t3 = t.table3
    failed, involved = [], set()
    for i, column in enumerate(TABLE3_COLUMNS):
        left, right = t3["new"][i] + t3["carried_in"][i], t3["total"][i] + t3["carried_out"][i]
        if left != right:
            failed.append(f"{column_label(column)}列：一+二={left}，三（七）+四={right}")
            cols = APPLICANT_COLUMNS if column == "total" else (column,)
            involved |= {rid for rid, (table, _, col) in t.stray if table == "table3" and (col in cols or col not in TABLE3_COLUMNS)}
    return Check("勾稽关系：每列第一项加第二项之和等于第三项加第四项之和", not failed,
                 "；".join(failed) + (f"；涉及申请：{_named(sorted(involved))}" if involved else "") if failed
                 else "七列均相符", tuple(sorted(involved)))


def _total_column(t: Tally) -> Check:
    """2. 总计 column = the six applicant columns (the 总计 counted per request, whatever its applicant kind)."""
    failed = []
    for row in TABLE3_ROWS:
        counted = t.independent["row_totals"].get(row, 0)
        if row != "total" and t.table3[row][-1] != counted:
            failed.append(f"{row_label(row)}：六列之和{t.table3[row][-1]}，按申请计{counted}")
    bad_kind = tuple(sorted({rid for rid, (table, _, col) in t.stray if table == "table3" and col not in APPLICANT_COLUMNS}))
    return Check("总计列等于六类申请人之和", not failed,
                 "；".join(failed) + (f"；申请人类型不在表中的申请：{_named(bad_kind)}" if bad_kind else "") if failed
                 else "各行相符", bad_kind)


def _concluded_total(t: Tally) -> Check:
    """3. 三（七）总计 = the outcome rows."""
    failed = []
    for i, column in enumerate(TABLE3_COLUMNS):
        counted = t.independent["concluded"].get(column, 0)
        if t.table3["total"][i] != counted:
            failed.append(f"{column_label(column)}列：各办理结果之和{t.table3['total'][i]}，本年办结{counted}")
    bad_outcome = tuple(sorted({rid for rid, (table, row, _) in t.stray if table == "table3" and row not in TABLE3_ROWS}))
    return Check("三（七）总计等于各项办理结果之和", not failed,
                 "；".join(failed) + (f"；办理结果不在表中的申请：{_named(bad_outcome)}" if bad_outcome else "") if failed
                 else "各列相符", bad_outcome)


def _carried_in(t: Tally, previous_carried_out: list[int] | None, previous_source: str) -> Check:
    """4. this year's 二 = last year's 四."""
    name = "本年第二项等于上年第四项"
    if previous_carried_out is None:
        return Check(name, True, f"系统中没有{t.year - 1}年的数据，未比较")
    t3 = t.table3
    failed = [f"{column_label(c)}列：本年二={t3['carried_in'][i]}，{t.year - 1}年四={previous_carried_out[i]}"
              for i, c in enumerate(TABLE3_COLUMNS) if t3["carried_in"][i] != previous_carried_out[i]]
    ids = _ids(f for (table, row, _), fs in t.cells.items() if table == "table3" and row == "carried_in" for f in fs)
    return Check(name, not failed,
                 ("；".join(failed) + f"（上年数字来自{previous_source}）；本年结转申请：{_named(ids)}") if failed
                 else f"七列均相符（上年数字来自{previous_source}）", ids if failed else ())


def _table4_totals(t: Tally) -> Check:
    """5. table 四 totals = sum of parts."""
    failed = []
    for row in TABLE4_ROWS:
        counted = t.independent["case_totals"].get(row, 0)
        if t.table4[row][-1] != counted:
            failed.append(f"{row_label(row)}：各项之和{t.table4[row][-1]}，按案件计{counted}")
    bad_case = tuple(sorted({rid for rid, (table, _, _) in t.stray if table == "table4"}))
    return Check("表四总计等于各项之和", not failed,
                 "；".join(failed) + (f"；结果不在表中的案件所属申请：{_named(bad_case)}" if bad_case else "") if failed
                 else "三行相符", bad_case)


def figures_hash(figures: dict) -> str:
    return hashlib.sha256(json.dumps(figures, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


@dataclass
class AnnualReport:
    agency: str
    agency_name: str
    year: int
    members: tuple[str, ...]  # the agencies summed: more than one for a roll-up
    table2: dict[str, dict[str, str]]
    current: Tally
    checks: list[Check]
    as_of: dt.datetime | None = None
    generated_at: dt.datetime | None = None
    publication: Publication | None = None
    differences: list[Difference] = field(default_factory=list)
    previous: Tally | None = None  # last year, for the narrative's year-on-year figures
    register_missing: tuple[str, ...] = ()  # table 二 items nobody entered for the year (shown as 0)

    @property
    def is_rollup(self) -> bool:
        return len(self.members) > 1

    @property
    def table3(self) -> dict[str, list[int]]:
        """The figures the report states: as published, once it has been; else as counted now."""
        return self.publication.figures["table3"] if self.publication else self.current.table3

    @property
    def table4(self) -> dict[str, list[int]]:
        return self.publication.figures["table4"] if self.publication else self.current.table4

    @property
    def stated_table2(self) -> dict[str, dict[str, str]]:
        return self.publication.figures["table2"] if self.publication else self.table2

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def figures(self) -> dict:
        return {"table2": self.stated_table2, "table3": self.table3, "table4": self.table4}

    def as_json(self) -> dict:
        """DESIGN §5, fixed; roll-up members and publication details only when they apply."""
        out = {"agency": self.agency, "year": self.year, "columns": list(TABLE3_COLUMNS),
               "table3": {row: list(self.table3[row]) for row in TABLE3_ROWS},
               "table4": {row: list(self.table4[row]) for row in TABLE4_ROWS},
               "checks": [c.as_dict() for c in self.checks]}
        if self.is_rollup:
            out["rollup"] = list(self.members)
        if self.as_of is not None:
            out["as_of"] = self.as_of.isoformat()
        if self.publication is not None:
            out["published"] = {"at": self.publication.published_at.isoformat(), "by": self.publication.published_by,
                                "hash": self.publication.figures_hash,
                                "differences": [d.as_dict() for d in self.differences]}
        return out


def differences_from(publication: Publication, current: Tally, table2: dict, changed_by: dict[Cell, set[str]]) -> list[Difference]:
    """Cells whose current count differs from the published one, with the requests whose events moved them."""
    out = []
    for table, rows, stated_now in (("table3", TABLE3_ROWS, current.table3), ("table4", TABLE4_ROWS, current.table4)):
        columns = TABLE3_COLUMNS if table == "table3" else TABLE4_COLUMNS
        for row in rows:
            for i, column in enumerate(columns):
                was, now = publication.figures[table][row][i], stated_now[row][i]
                if was != now:
                    ids = set()
                    for (t, r, c), who in changed_by.items():
                        if t == table and (r == row or (row == "total" and r in OUTCOME_ROWS)) and (
                                c == column or column == "total"):
                            ids |= who
                    out.append(Difference(table, row, column, was, now, tuple(sorted(ids))))
    for item, measures in table2.items():
        for measure, value in measures.items():
            was = publication.figures["table2"].get(item, {}).get(measure)
            if was != value:
                out.append(Difference("table2", item, measure, was, value, ()))
    return out

