"""Issue 21 in a real browser: a correction notice entered the morning after, each 文书 form dated with its
办理日期 (default today), is judged as of that day: the notice issued and served on the ninth working day is late
(Art. 30: within 7 working days). Screenshots: var/screenshots/papers_dated_issue_form.png, papers_dated.png."""

from __future__ import annotations

import datetime as dt

from engine.calendar import WorkingCalendar, builtin_years
from tests.conftest import AGENCY, user
from tests.e2e.test_browser import SCREENSHOTS, Desk, browser, site, submit  # noqa: F401  (the fixtures)
from workflows.foi import commands as c

CALENDAR = WorkingCalendar(builtin_years())


def test_a_correction_notice_entered_the_next_day_with_its_date_is_late_art30(site, browser):  # noqa: F811
    services, base = site
    today = services.clock.now().date()
    received = dt.datetime.combine(today - dt.timedelta(days=40), dt.time())
    services.requests.receive(c.Receive(at=received, request_id="B-21", agency=AGENCY, channel="in_person",
                                        subject="2025年度部门预算", applicant={"kind": "natural_person", "name": "王五"}),
                              user(services, "clerk"))
    day = CALENDAR.add_working_days(received.date(), 9).isoformat()
    desk = Desk(browser, base)
    try:
        clerk = desk.open("clerk", "/requests/B-21")
        draft = clerk.locator("#draft-form")
        clerk.locator("details.step", has=draft).locator("> summary").click()
        assert draft.locator("[name='at']").input_value() == today.isoformat()  # 办理日期: today unless told
        draft.locator("[name='doc_type']").select_option("correction_notice")
        draft.locator("[name='note']").fill("请写明所需文件的文号")
        draft.locator("[name='period_days']").fill("10")
        draft.locator("[name='at']").fill(day)
        submit(clerk, "button[data-step='draft']")
        head = desk.open("head", "/requests/B-21")
        head.locator("#at-approve-correction_notice").fill(day)
        submit(head, "button[data-step='approve-correction_notice']")
        clerk = desk.open("clerk", "/requests/B-21")
        clerk.locator("#at-issue-correction_notice").fill(day)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        clerk.locator("#documents").scroll_into_view_if_needed()
        clerk.screenshot(path=str(SCREENSHOTS / "papers_dated_issue_form.png"))  # 办理日期 beside 印发
        submit(clerk, "button[data-step='issue-correction_notice']")
        serve = clerk.locator("details.step", has=clerk.locator("button[data-step='serve-correction_notice']"))
        serve.locator("summary").click()
        serve.locator("[name='method']").select_option("personal")
        serve.locator("[name='signed_on']").fill(day)
        serve.locator("[name='at']").fill(day)
        submit(clerk, "button[data-step='serve-correction_notice']")
        clerk.locator("#documents").scroll_into_view_if_needed()
        clerk.screenshot(path=str(SCREENSHOTS / "papers_dated.png"))
        history = services.queries.history("B-21")
        assert history["state"] == "awaiting_correction" and "late_correction_notice" in history["flags"]
        assert [str(d["issued_on"]) for d in history["documents"]] == [day]
        assert "补正告知逾期" in clerk.inner_text("body")
    finally:
        desk.close()
