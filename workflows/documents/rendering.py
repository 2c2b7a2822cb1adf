"""A document as the applicant receives it: HTML (print styles, A4), DOCX in the official layout (GB/T 9704:
仿宋 body, 黑体 title, A4 with its margins, the number line, the issuing agency and the date at the foot), and PDF
through LibreOffice where it is installed."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from engine.adapters.rendering import render
from engine.errors import OgiError
from workflows.foi.documents import DOCUMENT_TITLES, DocumentRecord, chinese_date
from workflows.people.personal_data import MaskedDocument
from workflows.readmodels.history import DOCUMENT_STATE_LABELS

STATE_LABELS = DOCUMENT_STATE_LABELS  # every state (a returned or sent-back document too)
MASKED_NOTE = "本件为隐去申请人个人信息的副本，非原件（原件仅本机关工作人员可见；下列 SHA-256 为原件的）。"
BODY_FONT, TITLE_FONT = "仿宋_GB2312", "黑体"  # Word falls back to the installed 仿宋/黑体 when these are missing


def layout(document: DocumentRecord, agency: dict) -> dict:
    day = document.issued_on or document.drafted_on
    return dict(title=DOCUMENT_TITLES[document.type], number=document.number,
                state_label=STATE_LABELS.get(document.state, document.state),
                paragraphs=[p for p in document.text.split("\n") if p.strip()], agency_name=agency["name"],
                date=chinese_date(day), text_hash=document.text_hash,
                masked_note=MASKED_NOTE if isinstance(document, MaskedDocument) else None)


def to_html(document: DocumentRecord, agency: dict) -> bytes:
    return render("documents/page.html.j2", **layout(document, agency)).encode("utf-8")


def _font(run, name: str, size: float) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def to_docx(document: DocumentRecord, agency: dict) -> bytes:
    parts = layout(document, agency)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(parts["title"]), TITLE_FONT, 22)
    number = doc.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(number.add_run(parts["number"] or f"（{parts['state_label']}，尚未印发）"), BODY_FONT, 16)
    for index, text in enumerate(parts["paragraphs"]):
        paragraph = doc.add_paragraph()
        if index:
            paragraph.paragraph_format.first_line_indent = Pt(32)
        _font(paragraph.add_run(text), BODY_FONT, 16)
    for line in (parts["agency_name"], parts["date"]):
        foot = doc.add_paragraph()
        foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _font(foot.add_run(line), BODY_FONT, 16)
    if parts["masked_note"]:
        _font(doc.add_paragraph().add_run(parts["masked_note"]), BODY_FONT, 10)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_pdf(document: DocumentRecord, agency: dict) -> bytes:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise OgiError("PDF needs LibreOffice (soffice), which is not installed here; use --format docx or html")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.docx"
        source.write_bytes(to_docx(document, agency))
        subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)],
                       check=True, capture_output=True, timeout=120)
        return (Path(folder) / "document.pdf").read_bytes()


RENDERERS = {"html": to_html, "docx": to_docx, "pdf": to_pdf}
