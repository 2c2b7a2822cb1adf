"""Issue 19 "Done when": a clerk's, a head's, an auditor's and an applicant's day in a real browser, reading every
visible text of every page it visits for English words, raw codes and internal references.

The day: registration with two scans (a PDF and a PNG) → receipt with its 查询码 → a 补正告知书 naming a missing
《条例》第二十九条 item, approved, issued, served, and the correction received → a third-party consultation started
and ended with the party's opinion → an extension the head grants in 审批 → the reply drafted, its text edited (修改正文),
approved, issued (numbered) and served → the auditor's read-only replay of a day in the middle → the applicant's lookup
typed in full-width characters, with the served reply downloaded as a PDF. Every page is kept as
var/screenshots/clerks_day/NN-name.png; the shared virtual clock moves between the steps so days pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import struct
import subprocess
import zlib

import pytest

from tests.conftest import AGENCY
from tests.e2e.test_browser import SCREENSHOTS, Desk, browser, site, state_badge, submit, take_step  # noqa: F401
from tests.visible_text import foreign_words
from workflows.foi.state import STAGE_LABELS, Stage

DAY_SHOTS = SCREENSHOTS / "clerks_day"
APPLICANT = "赵敏"
SUBJECT = "河东区2025年度老旧小区改造项目的资金安排和验收报告"
EMAIL = "zhaomin@example.cn"
PDF_NAME = "shenqingbiao.pdf"
PNG_NAME = "shenfenzheng.png"
PARTY = "河东建工集团有限公司"
PARTY_ADDRESS = "河东区建设路18号"
# the 文书 section's DOCX download link, named by the program clerks open it with (as PDF, which visible_text allows);
# tests/visible_text.py does not know it yet, so the day allows this one label, not the word "Word" anywhere
WORD_DOWNLOAD = "Word 文档"


def small_pdf() -> bytes:
    """A real one-page PDF (a valid cross-reference table), written by hand: no PDF library needed for a scan."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"]
    stream = b"BT /F1 12 Tf 72 770 Td (scan) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def small_png(width: int = 8, height: int = 8) -> bytes:
    """A real grey 8×8 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def full_width(text: str) -> str:
    """The ASCII letters and digits of `text` as an IME in full-width mode types them (Ａ１－)."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


class ReadingDesk(Desk):
    """The test_browser Desk whose every opened page is read (and kept) before the test acts on it."""

    def __init__(self, chromium, base: str, read: DayReader):
        super().__init__(chromium, base)
        self.read = read

    def open(self, name: str, path: str, shot: str | None = None):
        page = super().open(name, path)
        self.read(page, shot or f"{name}-opens-{path.split('?')[0].strip('/').replace('/', '-')[:40]}")
        return page


class DayReader:
    """After every navigation: the page's visible text has no English, code or internal reference, and the page is
    kept as a numbered screenshot."""

    def __init__(self, allowed: tuple[str, ...]):
        self.allowed = list(allowed)
        self.count = 0

    def allow(self, *values: str) -> None:
        self.allowed.extend(v for v in values if v)

    def __call__(self, page, name: str) -> str:
        self.count += 1
        DAY_SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DAY_SHOTS / f"{self.count:02d}-{name}.png"), full_page=True)
        text = page.inner_text("body")
        found = foreign_words(text, tuple(self.allowed))
        assert found == [], f"{page.url}: {found} in " + " | ".join(_around(text, word) for word in found[:5])
        assert "Internal Server Error" not in text, page.url
        return text


def _around(text: str, word: str) -> str:
    at = text.find(word)
    return text[max(0, at - 40):at + len(word) + 40].replace("\n", " ⏎ ")


def refusal_free(page) -> None:
    refusal = page.locator("#refusal, .error[role=alert]")
    assert refusal.count() == 0, f"{page.url}: {refusal.first.inner_text()}"


def document_row_link(page, number: str, label: str):
    """A link of the 文书 section's row of the document numbered `number`."""
    return page.locator("#documents tr", has_text=number).get_by_role("link", name=label, exact=True)


def serve_document(page, doc_type: str, method: str, signed_on: dt.date, posted_on: dt.date | None = None) -> None:
    serve = page.locator("details", has=page.locator(f"button[data-step='serve-{doc_type}']"))
    serve.locator("summary").click()
    serve.locator("select[name='method']").select_option(method)
    if posted_on is not None:
        serve.locator("input[name='tracking_no']").fill("1180012345678")
        serve.locator("input[name='posted_on']").fill(posted_on.isoformat())
    serve.locator("input[name='signed_on']").fill(signed_on.isoformat())
    submit(page, f"button[data-step='serve-{doc_type}']")


def draft(page, doc_type: str, **fields: str) -> None:
    """Open the 起草文书 form, choose the document type, fill the named fields (by element id) and press 起草."""
    page.locator("details.step", has=page.locator("#draft-form")).locator("summary").click()
    page.select_option("#doc_type", doc_type)
    for element_id, value in fields.items():
        control = page.locator(f"#{element_id}")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    submit(page, "button[data-step='draft']")


@pytest.mark.xdist_group("chromium")
def test_a_clerks_day_in_chinese_from_registration_to_the_downloaded_reply_art33(site, browser, tmp_path):  # noqa: F811
    services, base = site
    today = services.clock.now().date()  # Thursday 26 November 2026
    yesterday = today - dt.timedelta(days=1)
    pdf_path, png_path = tmp_path / PDF_NAME, tmp_path / PNG_NAME
    pdf_path.write_bytes(small_pdf())
    png_path.write_bytes(small_png())
    scan_hashes = tuple(hashlib.sha256(scan.read_bytes()).hexdigest() for scan in (pdf_path, png_path))
    read = DayReader((APPLICANT, SUBJECT, EMAIL, PDF_NAME, PNG_NAME, PARTY, PARTY_ADDRESS, WORD_DOWNLOAD) + scan_hashes)
    desk = ReadingDesk(browser, base, read)
    for stale in DAY_SHOTS.glob("*.png"):  # a shorter day after a longer one leaves no pages of the old one
        stale.unlink()
    page = None
    try:
        # 1. the clerk registers the request, received yesterday at the window, with two scans
        page = desk.page("clerk")
        page.goto(base + "/requests/new")  # not signed in yet: the sign-in page
        assert page.url.split("?")[0].endswith("/login")
        read(page, "login")
        page = clerk = desk.open("clerk", "/requests/new", "registration-form")
        clerk.select_option("#agency", AGENCY)
        clerk.select_option("#kind", "natural_person")
        clerk.fill("#name", APPLICANT)
        clerk.fill("#id_number", "110101199001011237")
        clerk.fill("#phone", "13800000000")
        clerk.fill("#email", EMAIL)
        clerk.select_option("#channel", "in_person")
        clerk.fill("#received_on", yesterday.isoformat())
        clerk.fill("#subject", SUBJECT)
        clerk.select_option("#form_requested", index=1)
        clerk.select_option("#obtain_method", index=1)
        scan_inputs = clerk.locator("input[type=file]")
        assert scan_inputs.count() >= 2, "the registration form offers no two scan fields"
        scan_inputs.nth(0).set_input_files(str(pdf_path))
        scan_inputs.nth(1).set_input_files(str(png_path))
        submit(clerk, "form[action='/requests/new'] button[type=submit]")
        found = re.search(r"/requests/([^/?#]+)/registered$", clerk.url)
        assert found, f"no receipt page after registering: {clerk.url} {clerk.inner_text('body')}"
        request_id = found.group(1)
        receipt_text = read(clerk, "receipt")
        query_code = clerk.locator(".query-code").inner_text().strip()
        assert re.fullmatch(r"[0-9A-Za-z]{6,}", query_code), query_code
        assert re.search(r"登记回执\s*河东审批\w*〔\d{4}〕\d+号", receipt_text), receipt_text
        with clerk.expect_popup() as printing:  # 打印登记回执 opens the receipt as printed, in a tab of its own
            clerk.click("#print-receipt")
        printed_receipt = printing.value
        printed_receipt.wait_for_load_state()
        read.allow(query_code)
        assert query_code in read(printed_receipt, "receipt-printed")
        printed_receipt.close()
        assert request_id in receipt_text and "登记回执" in receipt_text
        path = f"/requests/{request_id}"

        clerk.goto(base + path)
        request_text = read(clerk, "request-registered")
        assert state_badge(clerk) == STAGE_LABELS[Stage.PROCESSING]
        attachments = clerk.inner_text("#attachments")
        for name, sha256 in zip((PDF_NAME, PNG_NAME), scan_hashes, strict=True):
            assert name in attachments and sha256 in attachments, attachments
        assert f"{yesterday.year}年{yesterday.month}月{yesterday.day}日" in request_text or yesterday.isoformat() in \
            request_text, "the back-entered received day is not shown"

        # 2. 补正告知书: drafted naming a missing 第二十九条 item, approved by the head, issued and served in person
        services.clock.advance_to(dt.datetime(2026, 11, 27, 10, 0))
        page = clerk = desk.open("clerk", path)
        clerk.locator("details.step", has=clerk.locator("#draft-form")).locator("summary").click()
        clerk.select_option("#doc_type", "correction_notice")
        clerk.check("input[name='missing'][value='description']")  # 第二十九条第二款第（二）项
        clerk.fill("#draft_note", "请写明所需政府信息的文件名称、文号或者便于查询的其他特征性描述。")
        submit(clerk, "button[data-step='draft']")
        read(clerk, "correction-drafted")
        refusal_free(clerk)

        page = head = desk.open("head", path, "head-request")
        submit(head, "button[data-step='approve-correction_notice']")
        read(head, "correction-approved")
        refusal_free(head)

        page = clerk = desk.open("clerk", path)
        submit(clerk, "button[data-step='issue-correction_notice']")
        read(clerk, "correction-issued")
        refusal_free(clerk)
        serve_document(clerk, "correction_notice", "personal", services.clock.now().date())
        read(clerk, "correction-served")
        refusal_free(clerk)
        assert state_badge(clerk) == STAGE_LABELS[Stage.AWAITING_CORRECTION]
        served_correction_at = services.clock.now()
        correction_number = re.search(r"河东审批\w*〔\d{4}〕\d+号(?=\s+政府信息公开申请补正告知书)",
                                      clerk.inner_text("#documents"))
        assert correction_number, clerk.inner_text("#documents")
        with clerk.expect_navigation():
            document_row_link(clerk, correction_number.group(0), "查看").click()
        notice_text = read(clerk, "correction-printed")
        assert "所需政府信息的名称、文号或者便于本机关查询的其他特征性描述" in notice_text, notice_text

        # the applicant brings the correction on Monday: the clerk records its day and content
        services.clock.advance_to(dt.datetime(2026, 11, 30, 9, 30))
        page = clerk = desk.open("clerk", path)
        clerk.fill("#correction_received_on", services.clock.now().date().isoformat())
        clerk.fill("#correction_content", "申请人补充写明：所需信息为2025年度改造项目资金安排表及竣工验收报告。")
        submit(clerk, "button[data-step='receive-correction']")
        read(clerk, "correction-received")
        refusal_free(clerk)
        assert state_badge(clerk) == STAGE_LABELS[Stage.PROCESSING]

        # 3. a third-party consultation (第三十二条) naming the party and its address, ended with its consent
        services.clock.advance_to(dt.datetime(2026, 12, 1, 10, 0))
        page = clerk = desk.open("clerk", path)
        take_step(clerk, "start_consultation", party="third_party", party_name=PARTY, party_address=PARTY_ADDRESS)
        read(clerk, "consulting")
        refusal_free(clerk)
        assert state_badge(clerk) == STAGE_LABELS[Stage.CONSULTING]
        assert PARTY in clerk.inner_text("#timeline") and PARTY_ADDRESS in clerk.inner_text("#timeline")
        services.clock.advance_to(dt.datetime(2026, 12, 3, 15, 0))
        page = clerk = desk.open("clerk", path)
        take_step(clerk, "end_consultation", party="third_party", opinion="consent")
        read(clerk, "consultation-ended")
        assert "同意公开" in clerk.inner_text("#timeline"), clerk.inner_text("#timeline")
        refusal_free(clerk)
        assert state_badge(clerk) == STAGE_LABELS[Stage.PROCESSING]
        consultation_ended_at = services.clock.now()

        # 4. the extension: asked by the clerk, granted by the head in 审批 (第三十三条第二款)
        services.clock.advance_to(dt.datetime(2026, 12, 4, 9, 0))
        page = clerk = desk.open("clerk", path)
        due_before = clerk.locator("#deadline").inner_text()
        take_step(clerk, "extend", working_days="20", reason="所需信息涉及多个项目的档案，需要调取核对")
        read(clerk, "extension-asked")
        refusal_free(clerk)
        page = head = desk.open("head", "/approvals", "approvals")
        row = head.locator("tr[data-approval]", has=head.locator(f"a[href^='/requests/{request_id}']"))
        assert row.count() == 1, head.inner_text("body")
        row.locator("form[action$='/approve'] input[name='reason']").fill("同意延长")
        submit(head, f"tr[data-approval='{row.get_attribute('data-approval')}'] form[action$='/approve'] button")
        read(head, "extension-granted")
        assert head.locator("#approvals-error").count() == 0
        page = clerk = desk.open("clerk", path, "extension-approved")
        tell_the_extension(desk, services, path, read)
        clerk = desk.open("clerk", path)
        assert clerk.locator("#deadline").inner_text() != due_before
        assert "已同意" in clerk.inner_text("#approvals")

        # 5. the reply: 予以公开 with its reasons and 附件, text edited, approved, issued (numbered), posted and signed for
        services.clock.advance_to(dt.datetime(2026, 12, 8, 10, 0))
        page = clerk = desk.open("clerk", path)
        draft(clerk, "reply", draft_outcome="disclosed",
              draft_reasons="所申请信息属于本机关在履行行政管理职能过程中制作的政府信息，予以公开。",
              draft_attachments="1. 2025年度老旧小区改造项目资金安排表\n2. 竣工验收报告")
        read(clerk, "reply-drafted")
        refusal_free(clerk)
        submit(clerk, "a[data-step='edit-reply']")
        read(clerk, "reply-edit")
        text = clerk.input_value("#document_text")
        edited = text.replace("予以公开", "予以公开（经核对无误）", 1)
        assert edited != text, text
        clerk.fill("#document_text", edited)
        submit(clerk, "button[data-step='save-edit']")
        read(clerk, "reply-edited")
        refusal_free(clerk)
        assert clerk.url.split("#")[0].endswith(path), clerk.url  # back on the request page
        # the edit is in the 办理记录 as an edit (recorded as the reply drafted again, with the new text)
        timeline = clerk.inner_text("#timeline")
        assert timeline.count("起草政府信息公开申请答复书") == 1 and "修改政府信息公开申请答复书正文" in timeline, timeline

        page = head = desk.open("head", path)
        submit(head, "button[data-step='approve-reply']")
        read(head, "reply-approved")
        refusal_free(head)

        page = clerk = desk.open("clerk", path)
        submit(clerk, "button[data-step='issue-reply']")
        issued_text = read(clerk, "reply-issued")
        refusal_free(clerk)
        assert state_badge(clerk) == STAGE_LABELS[Stage.DECIDED]
        reply_number = re.search(r"河东审批\w*〔\d{4}〕\d+号(?=\s+政府信息公开申请答复书)", clerk.inner_text("#documents"))
        assert reply_number, clerk.inner_text("#documents")
        assert reply_number.group(0) in issued_text
        # the issued reply as printed: its number, the edited text, the agency's name over the 印章's space
        with clerk.expect_navigation():
            document_row_link(clerk, reply_number.group(0), "查看").click()
        printed_text = read(clerk, "reply-printed")
        assert clerk.locator(".number").inner_text().strip() == reply_number.group(0)
        assert clerk.locator(".signature .seal").count() == 1 and "河东区行政审批服务局" in printed_text
        assert "经核对无误" in printed_text and APPLICANT in printed_text
        services.clock.advance_to(dt.datetime(2026, 12, 10, 11, 0))
        clerk = desk.open("clerk", path)
        serve_document(clerk, "reply", "post", signed_on=services.clock.now().date(), posted_on=dt.date(2026, 12, 8))
        read(clerk, "reply-served")
        refusal_free(clerk)
        assert state_badge(clerk) == STAGE_LABELS[Stage.SERVED]

        # 6. the auditor: the request and its replay in the middle of the day, read only, words only
        page = auditor = desk.open("auditor", path, "auditor-request")
        assert auditor.locator("[data-step]").count() == 0
        for moment, stage, name in ((served_correction_at, Stage.AWAITING_CORRECTION, "auditor-replay-correction"),
                                    (consultation_ended_at, Stage.PROCESSING, "auditor-replay-consulted")):
            auditor = desk.open("auditor", f"{path}?as_of={moment.isoformat(timespec='minutes')}", name)
            assert auditor.locator("[data-step]").count() == 0
            assert auditor.locator(".notice").get_by_text("回放").is_visible()
            assert state_badge(auditor) == STAGE_LABELS[stage]
        # 审计: a bare date in the middle of the consultation (2 December, read as the end of that day)
        auditor = desk.open("auditor", "/audit", "audit")
        auditor.fill("#request_id", request_id)
        auditor.fill("#as_of", "2026-12-02")
        submit(auditor, "form[action='/audit/replay'] button[type=submit]")
        replay_text = read(auditor, "audit-replay-middle")
        assert "as_of=" in auditor.url and auditor.locator("[data-step]").count() == 0
        assert state_badge(auditor) == STAGE_LABELS[Stage.CONSULTING]
        assert "答复书" not in auditor.inner_text("#documents") and "回放" in replay_text
        auditor = desk.open("auditor", "/audit", "audit-again")
        # the log head the auditor compares with a kept checkpoint: a SHA-256 value, like the scans' (not English)
        read.allow(services.audit.verify().head_hash)
        submit(auditor, "form[action='/audit/verify'] button[type=submit]")
        read(auditor, "audit-verified")
        assert auditor.locator("#verify-result").get_attribute("data-intact") == "yes"

        # 7. the applicant, not signed in, types the id and 查询码 in full-width characters
        page = applicant = desk.page(None)
        applicant.goto(base + "/lookup")
        read(applicant, "lookup")
        applicant.fill("#request_id", full_width(request_id))
        applicant.fill("#query_code", full_width(query_code))
        submit(applicant, "form[action='/lookup'] button[type=submit]")
        lookup_text = read(applicant, "lookup-found")
        assert applicant.locator("#lookup-state").inner_text().strip() == STAGE_LABELS[Stage.SERVED]
        assert "公开" in applicant.locator("#lookup-outcome").inner_text()
        assert reply_number.group(0) in lookup_text
        reply_row = applicant.locator("table.lookup-documents tr", has_text=reply_number.group(0))
        with applicant.expect_download() as download:
            reply_row.locator("a[href$='.pdf']").click()
        saved = tmp_path / "reply.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF-")
        words = subprocess.run(["pdftotext", "-layout", str(saved), "-"], capture_output=True, text=True, check=True,
                               timeout=30).stdout
        assert APPLICANT in words and reply_number.group(0) in words, words[:400]
        assert foreign_words(words, tuple(read.allowed)) == [], words  # the paper the applicant reads, too
    except BaseException:
        if page is not None:
            DAY_SHOTS.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(path=str(DAY_SHOTS / "failed.png"), full_page=True)
            except Exception:  # the screenshot must not hide the failure
                pass
        raise
    finally:
        desk.close()


def tell_the_extension(desk, services, path: str, read: DayReader) -> None:
    """The 延期答复告知书 (《条例》第三十三条第二款: the applicant is told of the extension and its reason): drafted by
    the clerk, approved by the head, issued and served in person."""
    clerk = desk.open("clerk", path)
    draft(clerk, "extension_notice", draft_note="所需信息涉及多个项目的档案，需要调取核对。")
    read(clerk, "extension-notice-drafted")
    refusal_free(clerk)
    head = desk.open("head", path)
    submit(head, "button[data-step='approve-extension_notice']")
    read(head, "extension-notice-approved")
    refusal_free(head)
    clerk = desk.open("clerk", path)
    submit(clerk, "button[data-step='issue-extension_notice']")
    read(clerk, "extension-notice-issued")
    refusal_free(clerk)
    serve_document(clerk, "extension_notice", "personal", services.clock.now().date())
    read(clerk, "extension-notice-served")
    refusal_free(clerk)
    assert "政府信息公开申请延期答复告知书" in clerk.inner_text("#documents")
