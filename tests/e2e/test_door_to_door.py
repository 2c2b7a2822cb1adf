"""Issue 20's door-to-door walk in chromium: an applicant applies on a phone with a scan and gets the 查询码, the clerk
confirms the application from the queue (Art. 31(3)), the applicant answers the correction notice online (Art. 30),
the reply is served electronically with the information's files (电子送达, 电子签名法 Art. 11) and downloaded; the
annual report counts the request once, received online. Screenshots in var/screenshots/door_*.png."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from tests.e2e.test_browser import SCREENSHOTS, TIMEOUT_MS, VIEWPORT, Desk, browser, site  # noqa: F401 (fixtures)
from tests.e2e.test_portal_apply import PNG, open_online, sent_code
from tests.e2e.test_portal_apply_browser import fill_application
from tests.e2e.test_portal_my import last_code
from tests.visible_text import foreign_words
from tests.world import AGENCY, user
from workflows.documents.attachments import Upload

PHONE_VIEWPORT = {"width": 390, "height": 844}
PHONE = "13700137000"
BUDGET = "科目,金额（万元）\n基本支出,820\n项目支出,310\n".encode()


def later(services, days: float = 0, hours: float = 0) -> None:
    services.clock.advance_to(services.clock.now() + dt.timedelta(days=days, hours=hours))


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"door_{name}.png"), full_page=True)


def phone(browser):  # noqa: F811
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN", is_mobile=True, has_touch=True,
                                  accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def apply(page, base: str, services, scan) -> tuple[str, str]:
    page.goto(base + "/apply")
    fill_application(page, PHONE, scan, subject="河东区行政审批服务局2025年度部门预算")
    with page.expect_navigation():
        page.click("form.apply button[type=submit]")
    page.fill("#code", sent_code(services, PHONE))
    with page.expect_navigation():
        page.click("form.code-form button[type=submit]")
    assert page.url.endswith("/apply/done"), page.inner_text("main")
    shot(page, "1_applied")
    return page.inner_text("#request-id").strip(), page.inner_text("#query-code").strip()


def sign_in(page, base: str, services, request_id: str, query_code: str) -> None:
    page.goto(base + "/my")
    page.fill("#request_id", request_id)
    page.fill("#query_code", query_code)
    with page.expect_navigation():
        page.click("#my-sign-in button[type=submit]")
    page.fill("#code", last_code(services, request_id))
    with page.expect_navigation():
        page.click("#my-code button[type=submit]")
    assert page.url.endswith("/my/request"), page.inner_text("body")


def papers(services, request_id: str, doc_type: str, **draft) -> None:
    """A paper drafted by the clerk, approved by the head, issued: the 文书 section's own browser tests walk it."""
    clerk, head = user(services, "clerk"), user(services, "head")
    services.documents.draft(request_id, doc_type, clerk, **draft)
    later(services, hours=1)
    services.documents.approve(request_id, doc_type, head)
    later(services, hours=1)
    services.documents.issue(request_id, doc_type, clerk)


def serve_electronically(desk: Desk, request_id: str, doc_type: str) -> None:
    clerk = desk.open("clerk", f"/requests/{request_id}")
    form = clerk.locator(f"form[action='/requests/{request_id}/documents/{doc_type}/serve']")
    form.locator("xpath=ancestor::details[1]").locator("summary").first.click()
    form.locator("select[name=method]").select_option("electronic")
    with clerk.expect_navigation():
        form.locator("button[type=submit]").click()


def test_an_online_application_from_the_form_to_the_downloaded_reply(site, browser, tmp_path):  # noqa: F811
    services, base = site
    open_online(services)
    assert services.clock.now().date() == dt.date(2026, 11, 26)  # a Thursday (tests/conftest.py)
    scan = tmp_path / "身份证.png"
    scan.write_bytes(PNG)
    applicant = phone(browser)
    desk = Desk(browser, base)
    try:
        request_id, query_code = apply(applicant, base, services, scan)
        assert re.fullmatch(r"[A-Z0-9]{8}", query_code), query_code

        later(services, days=1)  # the clerk confirms it the next working day, from the queue (Art. 31(3))
        queue = desk.open("clerk", "/tasks")
        row = queue.locator("tr", has=queue.locator("[data-awaiting=confirmation]"))
        assert request_id in row.inner_text() and "待确认（网上申请）" in row.inner_text()
        with queue.expect_navigation():
            row.locator("form[action='/tasks/confirm'] button").click()
        assert "待确认（网上申请）" not in queue.inner_text("main")
        shot(queue, "2_confirmed")
        with services.engine.connect() as conn:
            state = services.requests.load(conn, request_id).state
        assert state.confirmed_on == dt.date(2026, 11, 27) and state.clock_start == dt.date(2026, 11, 27)

        later(services, hours=2)  # the description is unclear: a correction notice, served on the page (Art. 30)
        papers(services, request_id, "correction_notice", paper={"missing": "description"})
        later(services, hours=1)
        serve_electronically(desk, request_id, "correction_notice")
        sign_in(applicant, base, services, request_id, query_code)
        assert "需要补正" in applicant.inner_text("#my-status")
        applicant.fill("#answer-1", "所需信息为2025年度部门预算中的基本支出和项目支出表")
        applicant.set_input_files("#files-1", str(scan))
        shot(applicant, "3_correction")
        with applicant.expect_navigation():
            applicant.click("#my-correction button[type=submit]")
        assert "需要补正" not in applicant.inner_text("#my-status")

        later(services, days=4)  # on Tuesday the reply, with the budget table as the information released (Art. 36, 40)
        papers(services, request_id, "reply", outcome="disclosed")
        services.released.release(request_id, [Upload("2025年度部门预算表.csv", BUDGET)], user(services, "clerk"))
        later(services, hours=1)
        serve_electronically(desk, request_id, "reply")
        with services.engine.connect() as conn:
            state = services.requests.load(conn, request_id).state
        assert state.stage == "served" and state.delivery_method == "electronic"
        assert state.delivered_on == services.clock.now().date()  # reached the applicant's page that day

        applicant.reload()
        assert "已答复" in applicant.inner_text("#my-status"), applicant.inner_text("main")
        text = applicant.inner_text("main")
        assert "2026年11月27日（双方确认之日）" in text  # Art. 31(3): received the day both sides confirmed
        assert not foreign_words(text, (request_id, "2025年度部门预算表.csv")), text  # the file's own name aside
        shot(applicant, "4_replied")
        with applicant.expect_download() as reply_pdf:
            applicant.locator("#documents a", has_text="下载").last.click()
        assert reply_pdf.value.path().read_bytes().startswith(b"%PDF")
        with applicant.expect_download() as released:
            applicant.locator("a[href^='/my/files/']").first.click()
        assert released.value.path().read_bytes() == BUDGET

        history = services.queries.history(request_id, viewer=user(services, "clerk"))
        downloads = [e["payload"] for e in history["events"] if e["type"] == "applicant_downloaded"]
        assert {d["item"] for d in downloads} == {"document", "file"}
        assert hashlib.sha256(BUDGET).hexdigest() in {d["ref"] for d in downloads}
        assert history["events"][0]["actor"] == "applicant" and history["events"][0]["payload"]["channel"] == "online"

        report = services.reports.annual(2026, AGENCY).as_json()["table3"]
        assert report["new"][0] == 1 and report["disclosed"][0] == 1 and report["new"][-1] == 1  # once, a person
    finally:
        applicant.context.close()
        desk.close()
