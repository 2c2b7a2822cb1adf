"""The report as CSV: one line per figure (table, row, column, value) with the official labels beside the codes.

Long format so that it round-trips exactly (`read_csv`) and filters well in a spreadsheet; UTF-8 with a
byte-order mark, which Excel needs to read Chinese.
"""

from __future__ import annotations

import csv
import io

from workflows.report.annual import AnnualReport
from workflows.report.facts import TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_ROWS
from workflows.report.labels import MEASURE_LABELS, REGISTER_ITEMS, column_label, row_label

HEADER = ("table", "row", "row_label", "column", "column_label", "value")
TABLE_LABELS = {"table2": "表二", "table3": "表三", "table4": "表四"}


def to_csv(report: AnnualReport) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for item, (label, measures) in REGISTER_ITEMS.items():
        for measure in measures:
            writer.writerow(("table2", item, label, measure, MEASURE_LABELS[measure], report.stated_table2[item][measure]))
    for table, rows, columns, figures in (("table3", TABLE3_ROWS, TABLE3_COLUMNS, report.table3),
                                          ("table4", TABLE4_ROWS, TABLE4_COLUMNS, report.table4)):
        for row in rows:
            for column, value in zip(columns, figures[row], strict=True):
                writer.writerow((table, row, row_label(row), column, column_label(column), value))
    return out.getvalue()


def read_csv(text: str) -> dict:
    """{"table2": {item: {measure: text}}, "table3": {row: [7 ints]}, "table4": {row: [5 ints]}} from `to_csv` output."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if tuple(reader.fieldnames or ()) != HEADER:
        raise ValueError(f"not an ogi report CSV: the header is {reader.fieldnames}, expected {list(HEADER)}")
    out: dict = {"table2": {}, "table3": {r: [0] * len(TABLE3_COLUMNS) for r in TABLE3_ROWS},
                 "table4": {r: [0] * len(TABLE4_COLUMNS) for r in TABLE4_ROWS}}
    for number, line in enumerate(reader, start=2):
        table = line["table"]
        if table == "table2":
            out["table2"].setdefault(line["row"], {})[line["column"]] = line["value"]
        elif table in ("table3", "table4"):
            columns = TABLE3_COLUMNS if table == "table3" else TABLE4_COLUMNS
            if line["row"] not in out[table] or line["column"] not in columns:
                raise ValueError(f"line {number}: no cell {line['row']} × {line['column']} in {table}")
            out[table][line["row"]][columns.index(line["column"])] = int(line["value"])
        else:
            raise ValueError(f"line {number}: unknown table '{table}'")
    return out
