"""系统管理 in a real browser (issue 19 item 8): the administrator resets a clerk's password from the user table and
records a year of the 工作日历 typed in full-width, at 1366×768; screenshots in var/screenshots/ (admin.png,
admin-calendar-2027.png) to look at."""

from __future__ import annotations

import pytest

from tests.e2e.test_browser import SCREENSHOTS, VIEWPORT, Desk, browser, site, submit  # noqa: F401 (fixtures)
from tests.world import PASSWORD

NEW_PASSWORD = "browser-new-pw-2026"


@pytest.mark.xdist_group("chromium")
def test_the_administrator_resets_a_password_and_records_a_calendar_year_in_the_browser(site, browser):  # noqa: F811
    services, base = site
    desk = Desk(browser, base)
    try:
        page = desk.open("admin", "/admin")
        assert page.viewport_size == VIEWPORT
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "admin.png"), full_page=False)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORT["width"], f"/admin is {width} px wide"
        row = page.locator("tr[data-user='clerk']")
        row.locator("summary").click()
        row.locator("input[name=password]").fill(NEW_PASSWORD)
        row.locator("input[name=password_again]").fill(NEW_PASSWORD)
        submit(page, "tr[data-user='clerk'] details.reset button[type=submit]")
        assert "已重置“clerk”的密码" in page.inner_text("#admin-notice")
        assert services.web.sign_in("clerk", NEW_PASSWORD).user.username == "clerk"
        with pytest.raises(Exception, match="用户名或密码错误"):
            services.web.sign_in("clerk", PASSWORD)

        page.fill("#c-year", "２０２７")
        submit(page, "form[action='/admin/calendar'] button[type=submit]")
        assert page.url.endswith("/admin/calendar/2027")
        page.fill("#c-holidays", "２０２７－０１－０１\n2027-02-05..2027-02-11")
        page.fill("#c-workdays", "2027-02-12")  # a Friday: refused, what was typed kept
        page.fill("#c-source", "国办发明电〔2026〕X号")
        submit(page, "#year-form button[type=submit]")
        assert "本来就是工作日" in page.inner_text("#calendar-error")
        assert page.input_value("#c-holidays").startswith("２０２７－０１－０１")
        page.fill("#c-workdays", "2027-02-13")
        submit(page, "#year-form button[type=submit]")
        assert "2027年工作日历已保存" in page.inner_text("#calendar-notice")
        page.screenshot(path=str(SCREENSHOTS / "admin-calendar-2027.png"), full_page=False)
        assert len(services.queries.calendar().years[2027].holidays) == 8
    finally:
        desk.close()
