"""The 登记 page in a real browser (Playwright driving Debian's chromium, as tests/e2e/test_browser.py): a clerk fills
the form, chooses a scan, registers, and lands on the receipt with its 查询码; a refused form comes back filled in.
Screenshots at 1366×768 go to var/screenshots/ (registration-form.png, registration-done.png)."""

from __future__ import annotations

import re

from tests.conftest import AGENCY
from tests.e2e.test_browser import SCREENSHOTS, Desk, browser, site, submit  # noqa: F401  (fixtures)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_clerk_registers_with_a_scan_and_prints_the_receipt_in_the_browser(site, browser, tmp_path):  # noqa: F811
    services, base = site
    services.directory.set_agency(services.directory.user("admin"), AGENCY, doc_prefix="河东审批")
    scan = tmp_path / "申请书.pdf"
    scan.write_bytes(PDF)
    desk = Desk(browser, base)
    try:
        page = desk.open("clerk", "/requests/new")
        page.select_option("#kind", "natural_person")
        page.fill("#name", "张三")
        page.fill("#phone", "13800138000")
        page.fill("#email", "不是邮箱@")  # the browser lets it through only if not type=email: set it by script
        page.evaluate("document.querySelector('#email').type = 'text'")
        page.fill("#address", "河东区幸福路1号")
        page.fill("#received_on", "2026-11-20")
        page.fill("#subject", "请公开2025年度部门预算")
        page.select_option("#form_requested", "paper")
        page.select_option("#obtain_method", "post")
        page.set_input_files("#scan_application", str(scan))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "registration-form.png"), full_page=False)
        submit(page, "form.intake button[type=submit]")
        refused = page.inner_text("main")
        assert "电子邮箱" in refused and "附件须重新选择" in refused
        assert page.input_value("#name") == "张三" and page.input_value("#received_on") == "2026-11-20"
        assert page.input_value("#subject") == "请公开2025年度部门预算"
        page.screenshot(path=str(SCREENSHOTS / "registration-refused.png"), full_page=False)

        page.fill("#email", "zhangsan@example.cn")
        page.set_input_files("#scan_application", str(scan))
        submit(page, "form.intake button[type=submit]")
        assert page.url.endswith("/registered")
        done = page.inner_text("main")
        assert "申请已登记" in done and "河东审批依申登〔2026〕" in done and "申请书.pdf" in done
        assert re.search(r"查询码\s*[0-9A-F]{8}", done)
        page.screenshot(path=str(SCREENSHOTS / "registration-done.png"), full_page=False)
        request_id = page.url.split("/")[-2]
        shown = done.replace(request_id, " ").replace("申请书.pdf", " ")  # identifiers a clerk uses, the file's own name
        english = [w for w in re.findall(r"[A-Za-z]{3,}", shown) if w not in ("PDF", "DOCX", "SHA", "JPEG", "PNG")]
        assert english == [], english
    finally:
        desk.close()
