"""The queues in a real browser at 1366×768 (issue 19 item 5): the longest applicant name taken (200 characters: the
issue's 360 are refused at intake now, the column's length) and a 150-character request id keep 申请列表 and 待办 within the window (they wrap; the name is truncated, masked, its whole in a title),
and a clerk claims a task with 我来办 and finds it under 只看我的. Screenshots: var/screenshots/queue_*.png."""

from __future__ import annotations

from tests.builders import event, load, request_line
from tests.e2e.test_browser import SCREENSHOTS, VIEWPORT, Desk, browser, site, submit  # noqa: F401 (fixtures)
from workflows.foi.identifiers import REQUEST_ID_MAX

LONG_NAME = "欧阳" * 100  # 200 characters, no break anywhere
LONG_ID = "长" * 20 + "X" * (REQUEST_ID_MAX - 20)


def width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_longest_name_keeps_the_queues_within_1366_px(site, browser):  # noqa: F811
    services, base = site
    load(services, request_line("LONG-1", "2026-11-20", name=LONG_NAME, subject="预算" * 200),
         request_line(LONG_ID, "2026-11-24"),
         request_line("CORR-1", "2026-11-20", event("correction_requested", "2026-11-23", period_days=10), name="孙八"),
         request_line("N-2", "2026-11-25", name="李四"))
    desk = Desk(browser, base)
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page = desk.open("clerk", "/requests")
        assert width(page) <= VIEWPORT["width"], f"/requests is {width(page)} px wide"
        cell = page.locator("tr[data-request='LONG-1'] td").nth(2)
        assert cell.get_attribute("title") == "欧" + "*" * 199 and cell.inner_text().endswith("…")
        assert LONG_NAME[:3] not in page.content()  # masked in the list, as before
        page.screenshot(path=str(SCREENSHOTS / "queue_requests.png"))
        page = desk.open("clerk", "/tasks")
        assert width(page) <= VIEWPORT["width"], f"/tasks is {width(page)} px wide"
        page.screenshot(path=str(SCREENSHOTS / "queue_tasks.png"))
        submit(page, "tr[data-task='N-2/send_correction_notice'] form[action='/tasks/claim'] button")
        page = desk.open("clerk", "/tasks?view=mine")
        assert page.locator("tr[data-task='N-2/send_correction_notice']").count() == 1
        page.screenshot(path=str(SCREENSHOTS / "queue_tasks_mine.png"))
        page = desk.open("clerk", "/requests?received_from=2026-02-30")
        assert "收到日期（起）" in page.inner_text("#refusal")
    finally:
        desk.close()
