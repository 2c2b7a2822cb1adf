"""The official layout of tables 二/三/四 as rows of label cells and figures, shared by every export format.

Table 三's left side has three label columns: the top heading (三、本年度办理结果), the group
(（三）不予公开) and the item (1.属于国家秘密). A row without an item spans the empty label cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from workflows.foi.vocabulary import APPLICANT_LABELS
from workflows.report.annual import AnnualReport
from workflows.report.facts import APPLICANT_COLUMNS, OUTCOME_ROWS, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_ROWS
from workflows.report.labels import (
    APPLICANT_GROUP,
    BALANCE_NOTE,
    MEASURE_LABELS,
    REGISTER_BLOCKS,
    RESULTS_HEADING,
    column_label,
    outcome_group_and_item,
    row_label,
)


@dataclass(frozen=True)
class Table3Row:
    row: str  # the row code in the JSON (new, disclosed, …)
    heading: str | None  # 三、本年度办理结果 for outcome rows and （七）总计
    group: str | None  # （三）不予公开 …
    item: str | None  # 1.属于国家秘密 …
    values: tuple[int, ...]

    @property
    def label(self) -> str:
        return self.item or self.group or row_label(self.row)


def table3_rows(report: AnnualReport) -> list[Table3Row]:
    out = []
    for row in TABLE3_ROWS:
        values = tuple(report.table3[row])
        if row in OUTCOME_ROWS:
            group, item = outcome_group_and_item(row)
            out.append(Table3Row(row, RESULTS_HEADING, group, item, values))
        elif row == "total":
            out.append(Table3Row(row, RESULTS_HEADING, row_label(row), None, values))
        else:
            out.append(Table3Row(row, None, None, None, values))
    return out


def spans(values: Sequence[str | None]) -> list[int]:
    """Row spans for a label column: the first row of a run of equal labels spans the run, the others get 0."""
    out = [0] * len(values)
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i] and values[i] is not None:
            j += 1
        out[i] = j - i + 1
        i = j + 1
    return out


TABLE3_COLUMN_LABELS = [APPLICANT_LABELS[c] for c in APPLICANT_COLUMNS] + ["总计"]
TABLE3_HEADER = ("申请人情况", "自然人", APPLICANT_GROUP, ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"), "总计")
TABLE4_GROUPS = (("行政复议", None), ("行政诉讼", "未经复议直接起诉"), ("行政诉讼", "复议后起诉"))
TABLE4_COLUMN_LABELS = [column_label(c) for c in TABLE4_COLUMNS]


def table4_values(report: AnnualReport) -> list[int]:
    """The single data row of 15 numbers, in the official order."""
    return [v for row in TABLE4_ROWS for v in report.table4[row]]


@dataclass(frozen=True)
class Table2Block:
    heading: str  # 第二十条第（一）项
    measures: tuple[str, ...]
    measure_labels: tuple[str, ...]
    rows: tuple[tuple[str, str, tuple[str, ...]], ...]  # (item, label, values)


def table2_blocks(report: AnnualReport) -> list[Table2Block]:
    table2 = report.stated_table2
    return [Table2Block(heading, measures, tuple(MEASURE_LABELS[m] for m in measures),
                        tuple((item, label, tuple(table2[item][m] for m in measures)) for item, label in items))
            for heading, measures, items in REGISTER_BLOCKS]


# ---------------------------------------------------------------------------------------------------------------
# The official grids: cells with their spans, drawn alike by the xlsx and docx exports


@dataclass(frozen=True)
class GridCell:
    row: int  # 0-based within the table
    col: int
    value: str | int | Decimal
    rows: int = 1
    cols: int = 1
    kind: str = "label"  # corner | head | block | label | number


@dataclass(frozen=True)
class Grid:
    rows: int
    cols: int
    header_rows: int  # rows to repeat on every printed page
    cells: tuple[GridCell, ...]


def table2_grid(report: AnnualReport) -> Grid:
    """Four columns (信息内容 + up to three measures); a block with one measure merges it over the three."""
    cells: list[GridCell] = []
    r = 0
    for block in table2_blocks(report):
        cells.append(GridCell(r, 0, block.heading, cols=4, kind="block"))
        r += 1
        width = 3 // len(block.measures)
        cells.append(GridCell(r, 0, "信息内容", kind="head"))
        for i, label in enumerate(block.measure_labels):
            cells.append(GridCell(r, 1 + i * width, label, cols=width, kind="head"))
        r += 1
        for _item, label, values in block.rows:
            cells.append(GridCell(r, 0, label))
            for i, (measure, value) in enumerate(zip(block.measures, values, strict=True)):
                cells.append(GridCell(r, 1 + i * width, _register_number(measure, value), cols=width, kind="number"))
            r += 1
    return Grid(r, 4, 0, tuple(cells))


def _register_number(measure: str, text: str) -> int | Decimal:
    value = Decimal(text)
    return value if measure == "amount_wan" else int(value)


def table3_grid(report: AnnualReport) -> Grid:
    """Three label columns and seven figures; header of three rows under the 勾稽关系 corner cell."""
    top, natural, group, subs, total = TABLE3_HEADER
    cells = [
        GridCell(0, 0, BALANCE_NOTE, rows=3, cols=3, kind="corner"),
        GridCell(0, 3, top, cols=2 + len(subs), kind="head"),
        GridCell(1, 3, natural, rows=2, kind="head"),
        GridCell(1, 4, group, cols=len(subs), kind="head"),
        *(GridCell(2, 4 + i, sub, kind="head") for i, sub in enumerate(subs)),
        GridCell(1, 4 + len(subs), total, rows=2, kind="head"),
    ]
    rows = table3_rows(report)
    heading_spans = spans([r.heading for r in rows])
    group_spans = spans([r.group for r in rows])
    for i, row in enumerate(rows):
        r = 3 + i
        if row.heading is None:
            cells.append(GridCell(r, 0, row.label, cols=3))
        else:
            if heading_spans[i]:
                cells.append(GridCell(r, 0, row.heading, rows=heading_spans[i]))
            if row.item is None:
                cells.append(GridCell(r, 1, row.group or row.label, cols=2))
            else:
                if group_spans[i]:
                    cells.append(GridCell(r, 1, row.group or "", rows=group_spans[i]))
                cells.append(GridCell(r, 2, row.item))
        cells.extend(GridCell(r, 3 + j, value, kind="number") for j, value in enumerate(row.values))
    return Grid(3 + len(rows), 3 + len(TABLE3_HEADER[3]) + 2, 3, tuple(cells))


def table4_grid(report: AnnualReport) -> Grid:
    """Fifteen columns under three header rows: 行政复议 | 行政诉讼 → 未经复议直接起诉, 复议后起诉 → the results."""
    n = len(TABLE4_COLUMN_LABELS)
    cells: list[GridCell] = []
    tops = [top for top, _ in TABLE4_GROUPS]
    for g, ((top, sub), span) in enumerate(zip(TABLE4_GROUPS, spans(tops), strict=True)):
        if span:
            cells.append(GridCell(0, g * n, top, rows=2 if sub is None else 1, cols=span * n, kind="head"))
        if sub is not None:
            cells.append(GridCell(1, g * n, sub, cols=n, kind="head"))
        cells.extend(GridCell(2, g * n + i, label, kind="head") for i, label in enumerate(TABLE4_COLUMN_LABELS))
    cells.extend(GridCell(3, i, value, kind="number") for i, value in enumerate(table4_values(report)))
    return Grid(4, n * len(TABLE4_GROUPS), 3, tuple(cells))


def report_title(report: AnnualReport) -> str:
    return f"{report.agency_name}{report.year}年政府信息公开工作年度报告"


def report_notes(report: AnnualReport) -> list[str]:
    """The lines printed under the title: roll-up, publication, and figures counted as of a past moment."""
    notes = []
    if report.is_rollup:
        notes.append(f"汇总报告：含本机关及所属下级机关共{len(report.members)}个（{'、'.join(report.members)}）")
    if report.publication is not None:
        p = report.publication
        notes.append(f"已于{p.published_at:%Y年%m月%d日 %H:%M}发布（{p.published_by}），数字哈希：{p.figures_hash}")
        if report.differences:
            notes.append(f"发布后的记录改变了{len(report.differences)}个数字，表中为已发布数字，详见校验")
    elif report.as_of is not None:
        notes.append(f"数字截至{report.as_of:%Y年%m月%d日 %H:%M}")
    return notes
