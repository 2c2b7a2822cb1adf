"""The 文书 section in a real browser (issue 19 item 4): the draft form shows the fields of the chosen type only,
a correction notice is drafted from ticked Art. 29 items, and its text edited on its page. Screenshots at 1366×768
in var/screenshots/ (h4-*.png)."""

from __future__ import annotations

from tests.conftest import AGENCY, user
from tests.e2e.test_browser import SCREENSHOTS, Desk, browser, site  # noqa: F401 (fixtures)
from workflows.foi import commands as c


def test_the_draft_form_shows_each_types_fields_and_a_draft_is_edited_art30(site, browser):  # noqa: F811
    services, base = site
    services.requests.receive(c.Receive(at=services.clock.now(), request_id="B-1", agency=AGENCY, channel="in_person",
                                        subject="2025年度部门预算", applicant={"kind": "commercial",
                                                                          "name": "河东区某某科技有限公司"}),
                              user(services, "clerk"))
    desk = Desk(browser, base)
    try:
        page = desk.open("clerk", "/requests/B-1")
        page.click("#documents summary:has-text('起草文书')")
        page.select_option("#doc_type", "reply")
        assert page.is_visible("#draft_reasons") and not page.is_visible("input[name=missing]")
        page.select_option("#doc_type", "correction_notice")
        assert page.is_visible("input[name=missing][value=identity]") and not page.is_visible("#draft_reasons")
        page.check("input[name=missing][value=identity]")
        page.check("input[name=missing][value=form]")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("#documents").screenshot(path=str(SCREENSHOTS / "h4-draft-form.png"))
        with page.expect_navigation():
            page.click("#draft-form button[data-step=draft]")
        [notice] = services.documents.documents("B-1")
        assert "第二十九条第二款第（一）项、第（三）项" in notice.text and "贵单位" in notice.text
        with page.expect_navigation():
            page.click("a[data-step=edit-correction_notice]")
        text = page.input_value("#document_text")
        page.fill("#document_text", text.replace("补正事项如下", "需要补正的事项如下"))
        page.screenshot(path=str(SCREENSHOTS / "h4-edit.png"))
        with page.expect_navigation():
            page.click("button[data-step=save-edit]")
        assert "需要补正的事项如下" in services.documents.documents("B-1")[0].text
        page.locator("#documents").screenshot(path=str(SCREENSHOTS / "h4-documents.png"))
    finally:
        desk.close()
