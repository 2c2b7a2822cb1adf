"""The annual report in every format staff download: json (DESIGN §5), text, csv, html, xlsx, docx."""

from __future__ import annotations

import json

from workflows.report.annual import AnnualReport

TEXT_FORMATS = ("json", "text", "csv", "html")
BINARY_FORMATS = ("xlsx", "docx")
FORMATS = TEXT_FORMATS + BINARY_FORMATS


def export(report: AnnualReport, fmt: str) -> str | bytes:
    # each format's module is imported when that format is asked for, so openpyxl and python-docx load only for
    # xlsx and docx (a start-up cost of every `ogi` command otherwise); none of them imports this module back
    if fmt == "json":
        return json.dumps(report.as_json(), ensure_ascii=False, indent=1) + "\n"
    if fmt == "text":
        from workflows.report.exports.as_text import to_text
        return to_text(report)
    if fmt == "csv":
        from workflows.report.exports.as_csv import to_csv
        return to_csv(report)
    if fmt == "html":
        from workflows.report.exports.as_html import to_html
        return to_html(report)
    if fmt == "xlsx":
        from workflows.report.exports.as_xlsx import to_xlsx
        return to_xlsx(report)
    if fmt == "docx":
        from workflows.report.exports.as_docx import to_docx
        return to_docx(report)
    raise ValueError(f"unknown report format '{fmt}'; one of {', '.join(FORMATS)}")
