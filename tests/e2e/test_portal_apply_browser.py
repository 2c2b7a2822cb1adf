"""/apply in a real browser (Playwright driving Debian's chromium, fixtures of tests/e2e/test_browser.py): an
applicant fills in the form on a 390×844 phone and at 1366×768, attaches a PNG as the identity scan, types the code
sent through the outbox and sees the 申请编号 and 查询码. Screenshots are kept in var/screenshots/apply_*.png; no page
is wider than its screen. (The file inputs' own button is the browser's: chromium runs in Chinese here, with
chromium-l10n, so it reads 选择文件 as on a phone set to Chinese.)"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.e2e.test_browser import SCREENSHOTS, TIMEOUT_MS, browser, site  # noqa: F401 (fixtures)
from tests.e2e.test_portal_apply import ID_NUMBER, PNG, open_online, sent_code

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


def fits(page) -> None:
    """Nothing sticks out sideways (a phone would scroll the whole form)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page overflows"


def fill_application(page, phone: str, scan, subject: str = "2025年度河东区行政审批服务局部门预算") -> None:
    """A natural person's application on the open /apply page, consenting to 电子送达, the scan as 身份证明."""
    page.check("#applicant_kind-natural_person")
    assert not page.is_visible("#organisation_code")  # the organisations' part hidden for a natural person
    page.fill("#applicant_name", "赵六")
    page.select_option("#id_type", "resident_id")
    page.fill("#id_number", ID_NUMBER)
    page.fill("#phone", phone)
    page.fill("#address", "河东区人民路1号")
    page.fill("#subject", subject)
    page.check("#form_requested-electronic")
    page.check("#obtain_method-online")
    page.check("#electronic_service")
    page.set_input_files("#identity_files", str(scan))


@pytest.mark.parametrize("viewport, name, phone", [(PHONE, "phone", "13800138000"), (DESKTOP, "desktop", "13900139000")],
                         ids=["phone", "desktop"])
def test_an_applicant_applies_with_a_scan_and_the_code(site, browser, tmp_path, viewport, name, phone):  # noqa: F811
    services, base = site
    open_online(services)
    scan = tmp_path / "id.png"
    scan.write_bytes(PNG)
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=name == "phone",
                                  device_scale_factor=2 if name == "phone" else 1)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(base + "/apply")
        fill_application(page, phone, scan)
        fits(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"apply_{name}.png"), full_page=True)
        with page.expect_navigation():
            page.click("form.apply button[type=submit]")
        assert page.url.endswith("/apply/code"), page.inner_text("main")
        assert re.search(r"验证码已发送至\s*1[38]9?\d\*{4}\d{4}", page.inner_text("main"))
        fits(page)
        page.fill("#code", sent_code(services, phone))
        if name == "phone":
            page.screenshot(path=str(SCREENSHOTS / "apply_code_phone.png"), full_page=True)
        with page.expect_navigation():
            page.click("form.code-form button[type=submit]")
        assert page.url.endswith("/apply/done"), page.inner_text("main")
        request_id, query_code = page.inner_text("#request-id").strip(), page.inner_text("#query-code").strip()
        assert request_id and query_code and "请妥善保存查询码" in page.inner_text("main")
        fits(page)
        if name == "phone":
            page.screenshot(path=str(SCREENSHOTS / "apply_done_phone.png"), full_page=True)
        with services.engine.connect() as conn:
            assert conn.execute(text("SELECT channel FROM requests WHERE request_id = :id"),
                                {"id": request_id}).scalar_one() == "online"
            assert conn.execute(text("SELECT count(*) FROM attachments WHERE request_id = :id"),
                                {"id": request_id}).scalar_one() == 1
    except Exception:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"apply_failed_{name}.png"), full_page=True)
        raise
    finally:
        context.close()
