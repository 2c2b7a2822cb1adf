"""The report as plain text for the terminal: the three tables and the checks."""

from __future__ import annotations

from engine.adapters.rendering import render
from workflows.report.annual import AnnualReport
from workflows.report.exports.layout import TABLE3_COLUMN_LABELS, TABLE4_COLUMN_LABELS, table2_blocks, table3_rows
from workflows.report.facts import TABLE4_ROWS
from workflows.report.labels import REGISTER_ITEMS, row_label


def to_text(report: AnnualReport) -> str:
    return render("report/annual.txt.j2", report=report, table2=table2_blocks(report), table3=table3_rows(report),
                  table3_column_labels=TABLE3_COLUMN_LABELS, table4_rows=TABLE4_ROWS,
                  table4_column_labels=TABLE4_COLUMN_LABELS, row_label=row_label, register_items=REGISTER_ITEMS)
