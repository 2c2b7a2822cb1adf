"""The request page's 文书 section in words (issue 19 items 2, 4): who approved by name, the service method and
the 送达 choices as words, "Word 文档" for the DOCX download, and no raw code (head, personal, post)."""

from __future__ import annotations

import re

from tests.conftest import user
from tests.e2e.test_request_page_words import visible

FILE_FORMATS = re.compile(r"\b(?:PDF|Word)\b")  # the formats a clerk knows by these names


def _reply_served_by_post(site) -> None:
    clerk, head = user(site, "clerk"), user(site, "head")
    site.documents.draft("W-1", "reply", clerk, outcome="disclosed", note="请于工作日到本机关政务服务大厅领取")
    site.documents.approve("W-1", "reply", head)
    site.documents.issue("W-1", "reply", clerk)
    site.documents.serve("W-1", "reply", clerk, "post", tracking_no="1190012345678")


def test_the_documents_section_names_the_approver_and_the_service_method_in_words(site, web_as):
    _reply_served_by_post(site)
    page = web_as("clerk").get("/requests/W-1").text
    section = visible(page.split('id="documents"', 1)[1].split("</section>", 1)[0], fragment=True)
    assert "李主任" in section and "邮寄送达 1190012345678" in section and "Word 文档" in section
    assert re.findall(r"[A-Za-z]{3,}", FILE_FORMATS.sub(" ", section)) == [], section


def test_the_serve_form_offers_the_methods_as_words(site, web_as):
    clerk, head = user(site, "clerk"), user(site, "head")
    site.documents.draft("W-1", "extension_notice", clerk, note="所需信息涉及多个部门")
    site.documents.approve("W-1", "extension_notice", head)
    site.documents.issue("W-1", "extension_notice", clerk)
    page = web_as("clerk").get("/requests/W-1").text
    select = page.split('action="/requests/W-1/documents/extension_notice/serve"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="([a-z]+)">([^<]+)</option>', select)
    # W-1's applicant gave no consent to 电子送达, so it is not offered (tests/integration/test_electronic_service.py)
    assert dict(options) == {"personal": "直接送达", "post": "邮寄送达", "notice": "公告送达"}


def test_the_draft_form_prefills_the_party_recorded_when_the_consultation_began_art34(site, web_as):
    from workflows.foi import commands as c

    site.requests.act("W-1", c.StartConsultation(at=site.clock.now(), party="agency", party_name="河东区生态环境局",
                                                 party_address="河东区二路2号"), user(site, "clerk"))
    page = web_as("clerk").get("/requests/W-1").text
    assert 'id="draft_addressee" name="addressee" maxlength="200" value="河东区生态环境局"' in page
    assert '<option value="agency" selected>' in page and "河东区二路2号" in page
