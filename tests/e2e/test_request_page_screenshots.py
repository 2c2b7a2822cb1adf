"""The request page joined with its parts, in a real browser at 1366×768 (issue 19 items 2-4): the 附件 list on the
page, a consultation of a third party named when it began with its 征求意见书 addressed to it, and the reply served
by post; every visible word Chinese (file formats excepted). Screenshots in var/screenshots/request_page_joins_*.png."""

from __future__ import annotations

import re

from tests.conftest import user
from tests.e2e.test_browser import SCREENSHOTS, Desk, browser, site  # noqa: F401 (fixtures)
from workflows.documents.attachments import Upload
from workflows.foi import commands as c

SCAN = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ALLOWED = re.compile(r"\b(?:PDF|JPEG|PNG|Word|SHA-256)\b|[0-9a-f]{64}|\S+\.pdf|[A-Z]+-\d+")


def _english(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{3,}", ALLOWED.sub(" ", text))


def test_the_request_page_with_attachments_a_named_third_party_and_a_served_reply(site, browser):  # noqa: F811
    services, base = site
    clerk, head = user(services, "clerk"), user(services, "head")
    services.requests.receive(c.Receive(at=services.clock.now(), request_id="J-1", agency="hedong-xzsp",
                                        channel="in_person", subject="某厂2025年环境影响评价报告",
                                        applicant={"kind": "natural_person", "name": "王五"},
                                        form_requested="paper", obtain_method="post"), clerk)
    services.intake.attachments.add("J-1", [Upload("申请书.pdf", SCAN)], clerk)
    services.requests.act("J-1", c.StartConsultation(at=services.clock.now(), party="third_party",
                                                     party_name="河东化工有限公司", party_address="河东区工业园8号"), clerk)
    desk = Desk(browser, base)
    try:
        page = desk.open("clerk", "/requests/J-1")
        assert "申请书.pdf" in page.inner_text("#attachments")
        assert page.input_value("#draft_addressee") == "河东化工有限公司"
        page.screenshot(path=str(SCREENSHOTS / "request_page_joins_consulting.png"), full_page=False)
        services.documents.draft("J-1", "consultation_letter", clerk, paper={"addressee_kind": "organisation"})
        services.documents.approve("J-1", "consultation_letter", head)
        services.documents.issue("J-1", "consultation_letter", clerk)
        services.documents.serve("J-1", "consultation_letter", clerk, "post", tracking_no="1190000000001")
        services.requests.act("J-1", c.EndConsultation(at=services.clock.now(), party="third_party",
                                                       opinion="consent"), clerk)
        services.documents.draft("J-1", "reply", clerk, outcome="disclosed", paper={"attachments": "环评报告"})
        services.documents.approve("J-1", "reply", head)
        services.documents.issue("J-1", "reply", clerk)
        services.documents.serve("J-1", "reply", clerk, "post", tracking_no="1190012345678")
        page = desk.open("clerk", "/requests/J-1")
        documents = page.inner_text("#documents")
        assert "李主任" in documents and "邮寄送达 1190012345678" in documents and "Word 文档" in documents
        page.locator("#documents").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "request_page_joins_served.png"), full_page=False)
        page.screenshot(path=str(SCREENSHOTS / "request_page_joins_whole.png"), full_page=True)
        assert _english(page.inner_text("main")) == [], page.inner_text("main")
        letter = next(d for d in services.documents.documents("J-1") if d.type == "consultation_letter")
        assert letter.text.startswith("河东化工有限公司：")
    finally:
        desk.close()
