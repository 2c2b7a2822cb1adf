"""The official layout of tables 二/三/四 as rows of label cells and figures, shared by every export format.

Table 三's left side has three label columns: the top heading (三、本年度办理结果), the group
(（三）不予公开) and the item (1.属于国家秘密). A row without an item spans the empty label cells.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.foi.vocabulary import APPLICANT_LABELS
from workflows.report.annual import AnnualReport
from workflows.report.facts import APPLICANT_COLUMNS, OUTCOME_ROWS, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_ROWS
from workflows.report.labels import (
    APPLICANT_GROUP, MEASURE_LABELS, REGISTER_BLOCKS, RESULTS_HEADING, column_label, outcome_group_and_item, row_label,
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


def spans(values: list[str | None]) -> list[int]:
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
