"""The whole annual report as a Word document staff edit before publishing: six sections, narrative and tables.

Sections in the official order (labels.SECTIONS), with tables 二/三/四 drawn from the same grids as the
workbook, so the merged cells match the official format. East Asian fonts are set explicitly (宋体 body,
黑体 headings): without `w:eastAsia` Word and LibreOffice fall back to a Latin font's CJK substitute.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from workflows.report.annual import AnnualReport
from workflows.report.exports.layout import Grid, report_notes, report_title, table2_grid, table3_grid, table4_grid
from workflows.report.exports.narrative import narrative
from workflows.report.labels import SECTIONS

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)
MARGIN_SIDE, MARGIN_TOP = Cm(2.5), Cm(2.54)
TEXT_WIDTH_CM = 21.0 - 2 * 2.5  # 16 cm

# column widths in cm; each table fills the text width
TABLE2_WIDTHS = (5.5, 3.5, 3.5, 3.5)
TABLE3_WIDTHS = (1.2, 1.9, 4.6) + (1.19,) * 7
TABLE4_WIDTHS = (TEXT_WIDTH_CM / 15,) * 15
TABLE_FONT_SIZE = {"二": 10.5, "三": 9, "四": 9}


def _set_fonts(element, latin: str, east_asian: str) -> None:
    """Explicit fonts on an rPr-holding element (style or docDefaults), dropping theme fonts that would win."""
    rpr = element.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        element.append(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN_SIDE
    section.top_margin = section.bottom_margin = MARGIN_TOP

    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None and defaults.find(qn("w:rPrDefault")) is not None:
        _set_fonts(defaults.find(qn("w:rPrDefault")), LATIN_FONT, BODY_FONT)

    normal = doc.styles["Normal"]
    _set_fonts(normal.element, LATIN_FONT, BODY_FONT)
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.5

    heading = doc.styles["Heading 1"]
    _set_fonts(heading.element, LATIN_FONT, HEADING_FONT)
    heading.font.size = Pt(14)
    heading.font.bold = False
    heading.font.color.rgb = RGBColor(0, 0, 0)
    heading.paragraph_format.space_before = Pt(12)
    heading.paragraph_format.space_after = Pt(6)
    heading.paragraph_format.keep_with_next = True

    title = doc.styles["Title"]
    _set_fonts(title.element, LATIN_FONT, HEADING_FONT)
    title.font.size = Pt(20)
    title.font.bold = False
    title.font.color.rgb = RGBColor(0, 0, 0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(12)
    ppr = title.element.find(qn("w:pPr"))
    if ppr is not None and ppr.find(qn("w:pBdr")) is not None:  # the template's title has a rule under it
        ppr.remove(ppr.find(qn("w:pBdr")))


def _paragraph(doc, text: str, indent: bool = True):
    p = doc.add_paragraph(text)
    if indent:
        p.paragraph_format.first_line_indent = Pt(24)  # two characters
    return p


def _table(doc, grid: Grid, widths: tuple[float, ...], size: float):
    table = doc.add_table(rows=grid.rows, cols=grid.cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # w:tblLayout fixed: the widths below hold
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), "57")  # 0.1 cm: narrow figure columns keep two characters a line
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    look = tbl_pr.find(qn("w:tblLook"))  # the schema orders tblCellMar before tblLook
    if look is not None:
        look.addprevious(margins)
    else:
        tbl_pr.append(margins)
    for i, width in enumerate(widths):
        table.columns[i].width = Cm(width)
        for cell in table.columns[i].cells:
            cell.width = Cm(width)
    for r, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if r < grid.header_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))
    for c in grid.cells:
        last_row = c.row + c.rows == grid.rows
        cell = table.cell(c.row, c.col)
        if c.rows > 1 or c.cols > 1:
            cell = cell.merge(table.cell(c.row + c.rows - 1, c.col + c.cols - 1))
        cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        p = cell.paragraphs[0]
        p.paragraph_format.line_spacing = 1.0
        p.paragraph_format.first_line_indent = None
        p.paragraph_format.keep_with_next = not last_row  # a table short enough for a page stays on one page
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT if c.kind in ("label", "corner") else WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(str(c.value))
        run.font.size = Pt(size - 1 if c.kind == "corner" else size)
        run.font.bold = c.kind == "block"
    return table


def to_docx(report: AnnualReport) -> bytes:
    doc = Document()
    _setup(doc)
    doc.add_paragraph(report_title(report), style="Title")
    for note in report_notes(report):
        centred = doc.add_paragraph(note)
        centred.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for run in centred.runs:
            run.font.size = Pt(9)
    text = narrative(report)
    tables = {"二": (table2_grid, TABLE2_WIDTHS), "三": (table3_grid, TABLE3_WIDTHS), "四": (table4_grid, TABLE4_WIDTHS)}
    for heading in SECTIONS:
        key = heading.split("、", 1)[0]
        doc.add_paragraph(heading, style="Heading 1")
        p: Paragraph | None = None
        for paragraph in text.get(key, []):
            p = _paragraph(doc, paragraph)
        if key in tables:
            if p is not None:
                p.paragraph_format.keep_with_next = True  # "…见下表。" goes with its table
            make_grid, widths = tables[key]
            _table(doc, make_grid(report), widths, TABLE_FONT_SIZE[key])
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
