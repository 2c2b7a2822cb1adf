"""The applicant's /my in a real browser (tests/e2e/test_browser.py's fixtures: uvicorn on a free port, Debian's
chromium): signed in on a 390×844 phone and at 1366×768, the page read, then the correction answered on the phone
with a scan. Screenshots in var/screenshots/my_phone.png, my_desktop.png, my_correction_phone.png (looked at)."""

from __future__ import annotations

from tests.e2e.test_browser import SCREENSHOTS, TIMEOUT_MS, browser, site  # noqa: F401  (fixtures)
from tests.e2e.test_portal_my import PNG, last_code, online_request, query_code, served
from tests.visible_text import foreign_words
from tests.world import user
from workflows.foi import commands as c

PHONE_VIEWPORT = {"width": 390, "height": 844}
DESKTOP_VIEWPORT = {"width": 1366, "height": 768}


def signed_in_page(browser, base: str, services, viewport: dict, request_id: str = "W-2"):  # noqa: F811
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=viewport["width"] < 500,
                                  has_touch=viewport["width"] < 500)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(base + "/lookup")
    with page.expect_navigation():
        page.click("#lookup-my a")
    page.fill("#request_id", request_id.lower())
    page.fill("#query_code", query_code(services, request_id))
    with page.expect_navigation():
        page.click("#my-sign-in button[type=submit]")
    assert page.url.endswith("/my/code"), page.inner_text("body")
    page.fill("#code", last_code(services, request_id))
    with page.expect_navigation():
        page.click("#my-code button[type=submit]")
    assert page.url.endswith("/my/request"), page.inner_text("body")
    return page


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def test_the_applicant_reads_the_page_on_a_phone_and_a_desktop(site, browser):  # noqa: F811
    services, base = site
    online_request(services, "W-2")
    services.requests.act("W-2", lambda at: c.ConfirmReceipt(at=at), user(services, "clerk"))  # Art. 31(3)
    served(services, "W-2", "receipt")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for viewport, shot in ((PHONE_VIEWPORT, "my_phone.png"), (DESKTOP_VIEWPORT, "my_desktop.png")):
        page = signed_in_page(browser, base, services, viewport)
        text = page.inner_text("main")
        assert "答复期限" in page.inner_text("#my-status") and "登记回执" in page.inner_text("#documents"), text
        assert not foreign_words(text, ("W-2",)), foreign_words(text, ("W-2",))
        no_sideways_scroll(page)
        page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
        page.context.close()


def test_the_applicant_corrects_on_a_phone_with_a_scan_art30(site, browser, tmp_path):  # noqa: F811
    services, base = site
    online_request(services, "W-2")
    served(services, "W-2", "correction_notice", paper={"missing": "identity,description"})
    page = signed_in_page(browser, base, services, PHONE_VIEWPORT)
    assert "需要补正" in page.inner_text("#my-status")
    assert page.locator("#my-correction textarea[name=answers]").count() == 2
    no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "my_correction_phone.png"), full_page=True)
    scan = tmp_path / "身份证.png"
    scan.write_bytes(PNG)
    page.fill("#answer-1", "身份证复印件见附件")
    page.fill("#answer-2", "所需信息为2025年度部门预算表")
    page.set_input_files("#files-1", str(scan))
    with page.expect_navigation():
        page.click("#my-correction button[type=submit]")
    assert "补正材料已提交" in page.inner_text("#my-flash"), page.inner_text("body")
    assert "需要补正" not in page.inner_text("#my-status")
    with services.engine.connect() as conn:
        assert services.requests.load(conn, "W-2").state.stage == "processing"
    page.context.close()
