"""The report as one print-ready HTML page; every figure links to the list of requests it counts."""

from __future__ import annotations

from engine.adapters.rendering import render
from workflows.foi.vocabulary import APPLICANT_LABELS, OUTCOME_LABELS
from workflows.report.annual import AnnualReport, cases_in, requests_in
from workflows.report.exports.layout import (
    TABLE3_COLUMN_LABELS,
    TABLE4_COLUMN_LABELS,
    TABLE4_GROUPS,
    spans,
    table2_blocks,
    table3_rows,
    table4_values,
)
from workflows.report.exports.narrative import narrative
from workflows.report.facts import APPLICANT_COLUMNS, TABLE3_COLUMNS, TABLE4_COLUMNS, TABLE4_ROWS
from workflows.report.labels import BALANCE_NOTE, REGISTER_ITEMS, SECTIONS, column_label, row_label


def cell_anchor(table: str, row: str, column: str) -> str:
    """A leaf cell has its own list; a total links to its row's lists (each request is listed once per row)."""
    if column == "total" or row == "total":
        return f"row-{table}-{row}"
    return f"cell-{table}-{row}-{column}".replace(".", "_")


def _details(report: AnnualReport) -> list[dict]:
    """For each table row with figures: the requests behind each of its columns (the drill-down, inline)."""
    t = report.current
    rows = []
    for r in table3_rows(report):
        columns = []
        for column in APPLICANT_COLUMNS if r.row != "total" else ():
            facts = requests_in(t, "table3", r.row, column)
            if facts:
                columns.append({"anchor": cell_anchor("table3", r.row, column), "label": APPLICANT_LABELS[column],
                                "requests": facts, "cases": []})
        if r.row == "total" and t.table3["total"][-1]:
            columns.append({"anchor": "", "label": "本年办结的申请见（一）至（六）各行", "requests": [], "cases": []})
        if columns:
            rows.append({"anchor": f"row-table3-{r.row}", "label": row_label(r.row), "columns": columns, "table": "table3"})
    for row in TABLE4_ROWS:
        columns = []
        for column in TABLE4_COLUMNS[:-1]:
            cases = cases_in(t, row, column)
            if cases:
                columns.append({"anchor": cell_anchor("table4", row, column), "label": column_label(column), "requests": [],
                                "cases": cases})
        if columns:
            rows.append({"anchor": f"row-table4-{row}", "label": row_label(row), "columns": columns, "table": "table4"})
    return rows


def to_html(report: AnnualReport) -> str:
    rows3 = table3_rows(report)
    return render(
        "report/annual.html.j2", report=report, sections=SECTIONS, narrative=narrative(report),
        table2=table2_blocks(report), table3=rows3, heading_spans=spans([r.heading for r in rows3]),
        group_spans=spans([r.group for r in rows3]), table3_columns=TABLE3_COLUMNS,
        table3_column_labels=TABLE3_COLUMN_LABELS, table4_groups=TABLE4_GROUPS, table4_column_labels=TABLE4_COLUMN_LABELS,
        table4_rows=TABLE4_ROWS, table4_columns=TABLE4_COLUMNS, table4_values=table4_values(report),
        balance_note=BALANCE_NOTE, anchor=cell_anchor, details=_details(report), outcome_labels=OUTCOME_LABELS,
        column_label=column_label, row_label=row_label, register_items=REGISTER_ITEMS,
        linked=report.publication is None,  # published figures may differ from today's lists: shown in the differences
    )
