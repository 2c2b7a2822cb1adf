"""/admin's 所在部门 in a real browser (issue 19 item 6): the administrator chooses 政策法规科 on the clerk's row and
saves; the row shows it chosen and the clerk's 部门待办 names it. Screenshot: var/screenshots/admin_user_department.png."""

from __future__ import annotations

from tests.e2e.test_browser import SCREENSHOTS, Desk, browser, site  # noqa: F401  (fixtures)


def test_the_admin_sets_a_clerks_department_in_the_browser(site, browser):  # noqa: F811
    _, base = site
    desk = Desk(browser, base)
    try:
        admin = desk.open("admin", "/admin#user")
        form = admin.locator("form[data-department-form='clerk']")
        form.locator("select[name=department]").select_option("zhengce")
        with admin.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "已设置用户“clerk”的所在部门" in admin.inner_text("body")
        assert admin.locator("form[data-department-form='clerk'] select").input_value() == "zhengce"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        admin.locator("#user").screenshot(path=str(SCREENSHOTS / "admin_user_department.png"))
        clerk = desk.open("clerk", "/tasks?view=department")
        assert "政策法规科" in clerk.inner_text("body") and "还没有归入承办部门" not in clerk.inner_text("body")
    finally:
        desk.close()
