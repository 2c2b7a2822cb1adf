"""The annual report as an Excel workbook: tables 二, 三 and 四 laid out like the official format, and the checks.

The grids (cells with their row/column spans) come from layout.py; the .docx export draws the same ones.
"""

from __future__ import annotations

import math
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from workflows.report.annual import AnnualReport
from workflows.report.exports.layout import Grid, report_notes, report_title, table2_grid, table3_grid, table4_grid
from workflows.report.labels import SECTIONS

# ---------------------------------------------------------------------------------------------------------------
# The workbook

FONT = "宋体"
TITLE_FONT = "黑体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LINE_HEIGHT = 14.5  # points per line of 10.5pt text
PAD = 4.0


def _text_width(text: str) -> float:
    """Width in Excel column units: a CJK character takes about two (Excel, 宋体 10.5pt)."""
    return sum(2.0 if ord(ch) > 0x2E7F else 1.1 for ch in text)


class _Sheet:
    def __init__(self, ws: Worksheet, widths: list[float]):
        self.ws = ws
        self.widths = widths
        self.lines: dict[int, int] = {}  # row → lines of text needed by its one-row cells
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5

    def put(self, row: int, col: int, value, *, rows: int = 1, cols: int = 1, bold: bool = False, size: float = 10.5,
            font: str = FONT, horizontal: str = "center", border: bool = True) -> None:
        cell = self.ws.cell(row=row, column=col, value=value)
        cell.font = Font(name=font, size=size, bold=bold)
        cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
        if isinstance(value, Decimal):
            cell.value = float(value)
            cell.number_format = "0.00##"
        if rows > 1 or cols > 1:
            self.ws.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + cols - 1)
        if border:
            for r in range(row, row + rows):
                for c in range(col, col + cols):
                    self.ws.cell(row=r, column=c).border = BORDER
        if rows == 1 and isinstance(value, str):
            width = sum(self.widths[col - 1:col - 1 + cols]) - 1
            needed = math.ceil(_text_width(value) * size / 10.5 / max(width, 1))
            self.lines[row] = max(self.lines.get(row, 1), needed)

    def heights(self) -> None:
        for row, lines in self.lines.items():
            self.ws.row_dimensions[row].height = lines * LINE_HEIGHT + PAD

    def preamble(self, report: AnnualReport, heading: str) -> int:
        """Title, section heading and notes over the table's width; returns the first row of the table."""
        span = len(self.widths)
        self.put(1, 1, report_title(report), cols=span, bold=True, size=16, font=TITLE_FONT, border=False)
        self.ws.row_dimensions[1].height = 30
        row = 2
        for note in report_notes(report):
            self.put(row, 1, note, cols=span, size=9, horizontal="left", border=False)
            row += 1
        self.put(row, 1, heading, cols=span, bold=True, size=12, font=TITLE_FONT, horizontal="left", border=False)
        return row + 1

    def grid(self, grid: Grid, top: int) -> None:
        for c in grid.cells:
            horizontal = "left" if c.kind in ("label", "corner") else "center"
            self.put(top + c.row, 1 + c.col, c.value, rows=c.rows, cols=c.cols, horizontal=horizontal,
                     bold=c.kind == "block", size=9 if c.kind == "corner" else 10.5)
        if grid.header_rows:
            self.ws.print_title_rows = f"{top}:{top + grid.header_rows - 1}"
        self.ws.freeze_panes = f"A{top + grid.header_rows}"
        self.heights()


def to_xlsx(report: AnnualReport) -> bytes:
    wb = Workbook()
    first = wb.active
    assert isinstance(first, Worksheet)  # a new workbook starts with one worksheet
    sheet = _Sheet(first, [30, 18, 18, 18])
    sheet.ws.title = "表二"
    sheet.grid(table2_grid(report), sheet.preamble(report, SECTIONS[1]))

    sheet = _Sheet(wb.create_sheet("表三"), [7, 11, 34] + [7.5] * 7)
    sheet.grid(table3_grid(report), sheet.preamble(report, SECTIONS[2]))

    sheet = _Sheet(wb.create_sheet("表四"), [7.5] * 15)
    sheet.ws.page_setup.orientation = "landscape"
    sheet.grid(table4_grid(report), sheet.preamble(report, SECTIONS[3]))

    sheet = _Sheet(wb.create_sheet("校验"), [36, 9, 60])
    top = sheet.preamble(report, "校验（数字间的勾稽与一致性）")
    for i, label in enumerate(("校验项", "是否通过", "说明")):
        sheet.put(top, 1 + i, label, bold=True)
    for row, check in enumerate(report.checks, start=top + 1):
        sheet.put(row, 1, check.name, horizontal="left")
        sheet.put(row, 2, "是" if check.ok else "否", bold=not check.ok)
        sheet.put(row, 3, check.detail, horizontal="left")
    sheet.heights()

    out = BytesIO()
    wb.save(out)
    return out.getvalue()
