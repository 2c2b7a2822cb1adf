"""In chromium (issue 19 items 6 and 7): a clerk's form outlives an expired session, and the applicant looks a
request up with a full-width id and downloads the served reply. Leaves var/screenshots/lookup.png (1366×768) and
var/screenshots/session_expired_login.png for people to look at."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import AGENCY, user
from tests.e2e.test_applicant_lookup import full_width, prints_pdf, sent
from tests.e2e.test_browser import SCREENSHOTS, Desk, browser, site  # noqa: F401 (fixtures)
from tests.world import PASSWORD
from workflows.documents import rendering
from workflows.foi import commands as c
from workflows.people.sign_in import SESSION_HOURS

TYPED = "会话过期前填写的说明"


@pytest.fixture
def with_request(site):  # noqa: F811
    services, base = site
    services.requests.receive(c.Receive(at=services.clock.now(), request_id="W-1", agency=AGENCY,
                                        channel="in_person", subject="2025年度部门预算",
                                        applicant={"kind": "natural_person", "name": "王五"}),
                              user(services, "clerk"))
    return services, base


def test_an_expired_session_keeps_the_form_in_chromium(with_request, browser):  # noqa: F811
    services, base = with_request
    desk = Desk(browser, base)
    try:
        clerk = desk.open("clerk", "/requests/W-1")
        field = clerk.locator("details[data-offered] form input[type=text]").first
        step = field.locator("xpath=ancestor::details[1]")
        step.locator("summary").click()
        field.fill(TYPED)
        field_id = field.get_attribute("id")
        services.clock.advance_to(services.clock.now() + dt.timedelta(hours=SESSION_HOURS, minutes=1))
        with clerk.expect_navigation():
            step.locator("button[type=submit]").click()
        assert clerk.url.split("?")[0].endswith("/login")
        assert "会话已过期，请重新登录" in clerk.locator("#session-expired").inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        clerk.screenshot(path=str(SCREENSHOTS / "session_expired_login.png"))
        clerk.fill("#username", "clerk")
        clerk.fill("#password", PASSWORD)
        with clerk.expect_navigation() as landed:
            clerk.click("form[action='/login'] button[type=submit]")
        assert landed.value.status == 200 and clerk.url.endswith("/requests/W-1")  # a page, not the POST's 405
        assert clerk.locator(f"#{field_id}").input_value() == TYPED
        assert "以下内容是会话过期前填写的，请核对后重新提交" in clerk.content()
    finally:
        desk.close()


def test_the_applicant_looks_up_with_full_width_input_and_downloads_the_reply_in_chromium(with_request, browser,  # noqa: F811
                                                                                           monkeypatch):
    services, base = with_request
    sent(services, "receipt")
    sent(services, "consultation_letter", party="third_party", note="请于十五个工作日内提出意见")
    sent(services, "reply", outcome="disclosed", note="请于收到本答复书之日起十个工作日内到本机关政务服务大厅领取")
    if not prints_pdf():
        monkeypatch.setitem(rendering.RENDERERS, "pdf", lambda document, agency: b"%PDF-1.4 " + document.type.encode())
    with services.engine.connect() as conn:
        code = services.documents.lookup_code(services.requests.load(conn, "W-1").state)
    desk = Desk(browser, base)
    try:
        applicant = desk.page(None)
        applicant.goto(base + "/lookup")
        applicant.fill("#request_id", full_width("W-1"))
        applicant.fill("#query_code", full_width(code[:4].lower()) + "　" + full_width(code[4:]))
        with applicant.expect_navigation():
            applicant.click("form[action='/lookup'] button[type=submit]")
        assert applicant.locator("#lookup-outcome").inner_text().strip() == "予以公开"
        documents = applicant.locator("table.lookup-documents").inner_text()
        assert "政府信息公开申请答复书" in documents and "征求意见书" not in documents
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        applicant.screenshot(path=str(SCREENSHOTS / "lookup.png"))
        with applicant.expect_download() as downloading:
            applicant.locator("table.lookup-documents a").last.click()
        download = downloading.value
        assert download.suggested_filename.endswith(".pdf") and "答复书" in download.suggested_filename
        with open(download.path(), "rb") as pdf:
            assert pdf.read(4) == b"%PDF"
    finally:
        desk.close()
