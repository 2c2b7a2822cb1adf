"""A document as the applicant receives it, laid out as GB/T 9704 lays out an official letter: HTML (print styles,
A4), DOCX, and PDF (Chromium printing the HTML, or LibreOffice converting the DOCX, whichever is installed).

The layout (both formats alike): A4 with the 版心 156 × 225 mm; 正文 in 仿宋 三号 (16 pt) on fixed 28 pt lines; the
title in 小标宋/黑体 二号; the addressee flush left; the 附件 list a line below the text, left 2 characters; then the
space for the 印章 (three lines), the issuing agency centred over the date, and the date right 4 characters
(右空四字); the contact line (附注) under the date, left 2 characters. The last paragraph, the 附件 and the 落款 are
kept on one page, so the 落款 never stands alone.

What the text holds (drafted by templates/documents/, edited by staff): the first line ending in "：" is the
addressee; a line beginning "附件：" and the numbered lines after it are the 附件 list; a last line in parentheses
beginning "（联系" is the 附注. Integrity data (the text's SHA-256) stays in the log and the case file's manifest:
it is not printed on the applicant's paper.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from engine.adapters.rendering import render
from engine.errors import OgiError
from workflows.foi.documents import DOCUMENT_TITLES, DocumentRecord, DocumentType, chinese_date
from workflows.people.personal_data import MaskedDocument
from workflows.readmodels.history import DOCUMENT_STATE_LABELS

STATE_LABELS = DOCUMENT_STATE_LABELS  # every state (a returned or sent-back document too)
MASKED_NOTE = "本件为隐去申请人个人信息的副本，非原件（原件仅本机关工作人员可见）。"
BODY_FONT, TITLE_FONT = "仿宋_GB2312", "黑体"  # Word falls back to the installed 仿宋 when 仿宋_GB2312 is missing
BODY_PT, TITLE_PT, LINE_PT = 16, 22, 28  # 三号, 二号, the fixed line
SEAL_LINES = 3  # the 印章 (about 42 mm) over the signature and date, its top within a line of the text
_ATTACHMENT_ITEM = re.compile(r"^\s*\d+\s*[.．]")
_AGENCY_LETTER = "第三十四条"  # a consultation letter to another agency (Art. 34) is a 函


@dataclass(frozen=True)
class Paper:
    """The parts of a document as they are laid out."""

    title: str
    number: str | None
    state_label: str
    addressee: str
    paragraphs: list[str]
    attachments: list[str]  # the 附件 lines: "附件：1.……", "2.……"
    note: str  # the 附注 (contact line)
    agency_name: str
    date: str
    masked_note: str | None
    form_like: bool  # the 送达回证: lines of a form, not paragraphs of a letter


def paper_title(document: DocumentRecord) -> str:
    if document.type == DocumentType.CONSULTATION_LETTER and _AGENCY_LETTER in document.text:
        return "政府信息公开征求意见函"
    return DOCUMENT_TITLES[document.type]


def paper_of(document: DocumentRecord, agency: dict) -> Paper:
    lines = [line.strip() for line in document.text.split("\n") if line.strip()]
    form_like = document.type == DocumentType.SERVICE_RECORD
    addressee = lines.pop(0) if lines and not form_like and lines[0].endswith(("：", ":")) else ""
    note = lines.pop() if lines and lines[-1].startswith("（联系") and lines[-1].endswith("）") else ""
    attachments: list[str] = []
    start = next((i for i, line in enumerate(lines) if line.startswith(("附件：", "附件:"))), None)
    if start is not None:
        end = start + 1
        while end < len(lines) and _ATTACHMENT_ITEM.match(lines[end]):
            end += 1
        attachments, lines = lines[start:end], lines[:start] + lines[end:]
    day = document.issued_on or document.drafted_on
    return Paper(paper_title(document), document.number, STATE_LABELS.get(document.state, document.state), addressee,
                 lines, attachments, note, agency["name"], chinese_date(day),
                 MASKED_NOTE if isinstance(document, MaskedDocument) else None, form_like)


def layout(document: DocumentRecord, agency: dict) -> dict:
    return vars(paper_of(document, agency))


def to_html(document: DocumentRecord, agency: dict) -> bytes:
    return render("documents/page.html.j2", **layout(document, agency)).encode("utf-8")


# -- DOCX -----------------------------------------------------------------------------------------------------------
def _font(run, name: str, size: float) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _width_pt(text: str) -> float:
    """The printed width at 三号: a Chinese character is one em, a digit or Latin letter half of it."""
    return sum(BODY_PT / 2 if ord(ch) < 0x2E80 else BODY_PT for ch in text)


def _line(doc, text: str = "", *, indent: float = 0, left: float = 0, right: float = 0,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY, keep: bool = False, size: float = BODY_PT, font: str = BODY_FONT):
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PT if size <= BODY_PT else 36)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent, fmt.left_indent, fmt.right_indent = Pt(indent), Pt(left), Pt(right)
    fmt.keep_with_next = keep
    fmt.keep_together = True
    fmt.widow_control = True
    paragraph.alignment = align
    if text:
        _font(paragraph.add_run(text), font, size)
    return paragraph


def to_docx(document: DocumentRecord, agency: dict) -> bytes:
    paper = paper_of(document, agency)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    em = BODY_PT
    if paper.masked_note:
        _line(doc, paper.masked_note, align=WD_ALIGN_PARAGRAPH.CENTER, size=10.5)
    _line(doc, paper.title, align=WD_ALIGN_PARAGRAPH.CENTER, size=TITLE_PT, font=TITLE_FONT)
    number = _line(doc, paper.number or f"（{paper.state_label}，尚未印发，无文号）", align=WD_ALIGN_PARAGRAPH.CENTER)
    number.paragraph_format.space_after = Pt(LINE_PT)  # a blank line before the addressee
    if paper.addressee:
        _line(doc, paper.addressee)
    body = paper.paragraphs
    for index, text in enumerate(body):
        # the last paragraph goes with the 附件 and the 落款 onto one page
        _line(doc, text, indent=0 if paper.form_like else 2 * em, keep=index == len(body) - 1)
    if paper.attachments:
        _line(doc, keep=True)
        head = _width_pt(paper.attachments[0].split("：", 1)[0] + "：")
        for index, text in enumerate(paper.attachments):
            _line(doc, text, left=2 * em + (head if index else 0), keep=True)
    for _ in range(SEAL_LINES):
        _line(doc, keep=True)
    date_right = 4 * em  # 右空四字
    name_right = max(0.0, date_right + (_width_pt(paper.date) - _width_pt(paper.agency_name)) / 2)
    _line(doc, paper.agency_name, align=WD_ALIGN_PARAGRAPH.RIGHT, right=name_right, keep=True)
    _line(doc, paper.date, align=WD_ALIGN_PARAGRAPH.RIGHT, right=date_right, keep=bool(paper.note))
    if paper.note:
        _line(doc, paper.note, left=2 * em)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# -- PDF ------------------------------------------------------------------------------------------------------------
def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def to_pdf(document: DocumentRecord, agency: dict) -> bytes:
    """Chromium prints the HTML (its print styles are the layout); else LibreOffice converts the DOCX."""
    browser, office = _chromium(), shutil.which("soffice") or shutil.which("libreoffice")
    if browser is None and office is None:
        raise OgiError("本机未安装 Chromium 或 LibreOffice，无法生成 PDF：请下载 DOCX 或打印网页版")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "document.pdf"
        if browser is not None:
            source = Path(folder) / "document.html"
            source.write_bytes(to_html(document, agency))
            command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                       f"--user-data-dir={folder}/profile", f"--print-to-pdf={out}", source.as_uri()]
        else:
            source = Path(folder) / "document.docx"
            source.write_bytes(to_docx(document, agency))
            command = [str(office), "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        return out.read_bytes()


RENDERERS = {"html": to_html, "docx": to_docx, "pdf": to_pdf}
