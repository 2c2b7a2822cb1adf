"""The 文书 section's forms (issue 19 item 4): drafting each type from its fields, editing a draft's text on its
page, and hostile input answered in Chinese, never a 500."""

from __future__ import annotations

import pytest

from tests.web_client import csrf


def draft(client, **fields):
    token = csrf(client.get("/requests/W-1").text)
    return client.post("/requests/W-1/documents/_/draft", data={"csrf_token": token, **fields}, follow_redirects=False)


def refused_page(client, answer) -> tuple[str, str]:
    """(the refusal shown, the page): the page after the redirect, which shows the refusal once."""
    assert answer.status_code == 303, answer.text[:300]
    page = client.get(answer.headers["location"].split("#")[0])
    assert page.status_code == 200
    shown = page.text.split('id="refusal">', 1)[1].split("</div>", 1)[0] if 'id="refusal"' in page.text else ""
    return shown, page.text


def refusal_on_page(client, answer) -> str:
    return refused_page(client, answer)[0]


def test_the_draft_form_offers_each_types_fields(web_as):
    page = web_as("clerk").get("/requests/W-1").text
    for field in ('name="missing" value="identity"', 'name="reasons"', 'name="responsible_agency"',
                  'name="form_provided"', 'name="attachments"', 'name="addressee"', 'name="contact_phone"',
                  'value="经办人"', 'name="fee_method"'):
        assert field in page


def test_a_correction_notice_drafted_on_the_page_names_the_items_ticked_art30(site, web_as):
    clerk = web_as("clerk")
    token = csrf(clerk.get("/requests/W-1").text)
    answer = clerk.post("/requests/W-1/documents/_/draft", follow_redirects=False, data={
        "csrf_token": token, "doc_type": "correction_notice", "missing": ["identity", "contact"]})
    assert answer.status_code == 303 and refusal_on_page(clerk, answer) == ""
    [notice] = site.documents.documents("W-1")
    assert "申请人的身份证明、申请人的联系方式" in notice.text and "（二）请提供申请人的联系电话" in notice.text


def test_a_refused_draft_comes_back_with_its_values_and_the_article_art37(web_as):
    clerk = web_as("clerk")
    answer = draft(clerk, doc_type="reply", outcome="partial", attachments="预算表")
    error, page = refused_page(clerk, answer)
    assert "不予公开的部分及其理由" in error and "《条例》第三十七条" in error
    assert '<option value="reply" selected>' in page and "预算表</textarea>" in page


def test_a_draft_is_edited_on_its_page_and_the_edit_is_recorded(site, web_as):
    clerk = web_as("clerk")
    draft(clerk, doc_type="extension_notice", note="所需信息涉及多个部门")
    edit_page = clerk.get("/requests/W-1/documents/extension_notice/edit")
    assert edit_page.status_code == 200 and "所需信息涉及多个部门" in edit_page.text
    token = csrf(edit_page.text)
    text = site.documents.documents("W-1")[0].text.replace("多个部门", "三个部门")
    saved = clerk.post("/requests/W-1/documents/extension_notice/edit", data={"csrf_token": token, "text": text},
                       follow_redirects=False)
    assert saved.status_code == 303
    assert "三个部门" in site.documents.documents("W-1")[0].text
    assert [e["type"] for e in site.queries.history("W-1")["events"]].count("document_drafted") == 2


@pytest.mark.parametrize("hostile", ["", " \x00 ", "<script>alert(1)</script>", "正" * 30000, "１２３４"])
def test_hostile_edits_are_refused_in_chinese_or_kept_as_text(site, web_as, hostile):
    clerk = web_as("clerk")
    draft(clerk, doc_type="extension_notice")
    token = csrf(clerk.get("/requests/W-1/documents/extension_notice/edit").text)
    answer = clerk.post("/requests/W-1/documents/extension_notice/edit", data={"csrf_token": token, "text": hostile},
                        follow_redirects=False)
    assert answer.status_code in (303, 422), answer.text[:300]
    if answer.status_code == 303 and "edit" in answer.headers["location"]:
        page = clerk.get(answer.headers["location"].split("#")[0]).text
        assert 'id="refusal"' in page and "未能保存" in page
    shown = clerk.get("/requests/W-1/documents/extension_notice.html").text
    assert "<script>alert" not in shown


@pytest.mark.parametrize("fields", [
    {"doc_type": "reply", "outcome": "disclosed", "form_provided": "<b>"},
    {"doc_type": "correction_notice", "missing": "\x00"},
    {"doc_type": "consultation_letter", "addressee": ""},
    {"doc_type": "reply", "outcome": "disclosed", "contact_phone": "１２３"},
    {"doc_type": "fee_notice", "fee_method": "by_volume", "units": "-5"},
    {"doc_type": "nonsense"},
    {"doc_type": "reply", "outcome": "partial", "reasons": "理" * 5000},
])
def test_hostile_draft_fields_get_a_chinese_refusal_not_a_500(web_as, fields):
    clerk = web_as("clerk")
    answer = draft(clerk, **fields)
    assert answer.status_code in (303, 422), answer.text[:300]
    if answer.status_code == 303:
        error = refusal_on_page(clerk, answer)
        assert error and not any("a" <= ch.lower() <= "z" for ch in error.split("（依据")[0]), error
