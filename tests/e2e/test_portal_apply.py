"""/apply (issue 20): the application form an applicant fills in, the code sent through the outbox, the filed page
with the 申请编号 and 查询码 — in Chinese only, the typed values kept on a refusal (escaped), hostile fields refused
in words, and no POST without the form's own CSRF token (double submit, no session)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.visible_text import foreign_words
from tests.world import AGENCY
from web.app import create_app

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" + \
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
ID_NUMBER = "110101199001011237"  # a valid GB 11643 number (tests/web_client.py uses it too)


def open_online(services) -> None:
    with services.engine.begin() as conn:
        conn.execute(text("UPDATE agencies SET accepts_online = :yes WHERE slug = :slug"),
                     {"yes": True, "slug": AGENCY})


def visible(html: str) -> str:
    """The words a person reads: the page without its markup, the values inside form fields left out."""
    body = html.split("<body", 1)[-1].split(">", 1)[-1]  # the header and footer too
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<textarea[^>]*>.*?</textarea>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def token(page_text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_text).group(1)


def fields(**more: str) -> dict[str, str]:
    return {"agency": AGENCY, "applicant_kind": "natural_person", "applicant_name": "赵六", "id_type": "resident_id",
            "id_number": ID_NUMBER, "phone": "13800138000", "code_channel": "sms", "address": "河东区人民路1号",
            "subject": "2025年度河东区行政审批服务局部门预算", "form_requested": "electronic", "obtain_method": "online",
            "electronic_service": "yes", "notices": "yes", **more}


def apply(client: TestClient, files=None, **more: str):
    page = client.get("/apply")
    return client.post("/apply", data={"csrf_token": token(page.text), **fields(**more)},
                       files=files or [("identity_files", ("id.png", PNG, "image/png"))], follow_redirects=False)


def sent_code(services, phone: str = "13800138000") -> str:
    """The newest code written to the outbox for `phone` (the message's words are another page's: find 6 digits)."""
    with services.engine.connect() as conn:
        bodies = conn.execute(text("SELECT body FROM outbox WHERE address = :phone ORDER BY created_at DESC, id"),
                              {"phone": phone}).scalars().all()
    assert bodies, "no code was written to the outbox"
    return re.search(r"(?<!\d)\d{6}(?!\d)", bodies[0]).group(0)


@pytest.fixture
def applicant(services):
    open_online(services)
    return TestClient(create_app(services))


def test_the_form_offers_the_agencies_that_accept_online_and_every_field(services, applicant):
    page = applicant.get("/apply")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert "河东区行政审批服务局" in page.text and f'value="{AGENCY}" selected' in page.text  # the only one: chosen
    for name in ("agency", "applicant_kind", "applicant_name", "id_type", "id_number", "organisation_code",
                 "contact_person", "phone", "email", "code_channel", "address", "agent_name", "subject",
                 "form_requested", "obtain_method", "electronic_service", "notices", "identity_files",
                 "authorisation_files", "other_files", "csrf_token"):
        assert f'name="{name}"' in page.text, name
    assert "一份申请只写一项政府信息；需要多项信息的，请分别提交申请" in page.text
    assert "自然人填写" in page.text and "法人或其他组织填写" in page.text and "授权委托书" in page.text
    assert 'autocomplete="tel"' in page.text and 'autocomplete="email"' in page.text
    assert re.search(r'id="notices"[^>]*checked', page.text)  # the milestone messages are on unless declined
    assert "10 MB" in page.text and "最多 10 个" in page.text
    assert foreign_words(visible(page.text)) == []
    assert "ogi_apply_csrf" in page.headers.get("set-cookie", "")


def test_an_agency_that_does_not_accept_online_is_not_offered(services):
    client = TestClient(create_app(services))
    page = client.get("/apply")
    assert page.status_code == 200 and "河东区行政审批服务局" not in page.text
    assert "目前没有开通网上申请的受理机关" in page.text


def test_apply_code_done_files_the_request_and_shows_its_number_and_query_code(services, applicant):
    answer = apply(applicant)
    assert answer.status_code == 303 and answer.headers["location"] == "/apply/code", answer.text
    code_page = applicant.get("/apply/code")
    assert code_page.status_code == 200 and re.search(
        r"验证码已发送至 138\*{4}8000 ?（有效期15分钟）", visible(code_page.text))
    assert 'inputmode="numeric"' in code_page.text and 'autocomplete="one-time-code"' in code_page.text
    assert "13800138000" not in code_page.text  # the phone masked
    assert foreign_words(visible(code_page.text)) == []
    verified = applicant.post("/apply/code", data={"csrf_token": token(code_page.text), "code": sent_code(services)},
                              follow_redirects=False)
    assert verified.status_code == 303 and verified.headers["location"] == "/apply/done", verified.text
    done = applicant.get("/apply/done")
    assert done.status_code == 200
    request_id = re.search(r'id="request-id">([^<]+)<', done.text).group(1)
    query_code = re.search(r'id="query-code">([^<]+)<', done.text).group(1)
    words = visible(done.text)
    assert "申请已提交" in words and "请妥善保存查询码" in words and "一般为20个工作日" in words
    assert 'href="/my"' in done.text
    assert foreign_words(words, (request_id, query_code)) == []
    with services.engine.connect() as conn:
        filed = conn.execute(text("SELECT channel, applicant_name FROM requests WHERE request_id = :id"),
                             {"id": request_id}).one()
    assert tuple(filed) == ("online", "赵六")
    again = applicant.get("/apply/code")  # the submission is filed: nothing waits for a code
    assert again.status_code == 404 and "请重新申请" in again.text


def test_a_wrong_code_is_refused_on_the_code_page_in_chinese(services, applicant):
    apply(applicant)
    page = applicant.get("/apply/code")
    right = sent_code(services)
    wrong = "000000" if right != "000000" else "111111"
    answer = applicant.post("/apply/code", data={"csrf_token": token(page.text), "code": wrong})
    assert answer.status_code in (422, 429) and 'id="refusal"' in answer.text
    assert foreign_words(visible(answer.text)) == []
    assert "验证码已发送至" in answer.text  # still the code page, with the form to try again


def test_resend_sends_a_new_code(services, applicant):
    apply(applicant)
    page = applicant.get("/apply/code")
    first = sent_code(services)
    answer = applicant.post("/apply/resend", data={"csrf_token": token(page.text)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/apply/code")
    assert "验证码已重新发送" in applicant.get(answer.headers["location"]).text
    with services.engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM outbox WHERE address = '13800138000'")).scalar_one()
    assert count == 2 and first


def test_a_refusal_keeps_every_typed_value_escaped_and_asks_for_the_files_again(services, applicant):
    hostile = '<script>alert(1)</script>赵六'
    answer = apply(applicant, applicant_name=hostile, id_number="110101199001011238")  # wrong check digit
    assert answer.status_code == 422
    assert "<script>alert(1)</script>" not in answer.text and "&lt;script&gt;alert(1)&lt;/script&gt;赵六" in answer.text
    assert 'value="110101199001011238"' in answer.text and "河东区人民路1号" in answer.text
    assert "2025年度河东区行政审批服务局部门预算" in answer.text
    assert re.search(r'id="electronic_service"[^>]*checked', answer.text)
    assert "附件须重新选择" in answer.text and 'id="refusal"' in answer.text
    assert foreign_words(visible(answer.text), (hostile,)) == []
    with services.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM portal_submissions")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM outbox")).scalar_one() == 0


def test_an_unticked_notices_box_stays_unticked_after_a_refusal(services, applicant):
    data = fields(subject="")
    del data["notices"]
    page = applicant.get("/apply")
    answer = applicant.post("/apply", data={"csrf_token": token(page.text), **data})
    assert answer.status_code == 422
    assert not re.search(r'id="notices"[^>]*checked', answer.text)


@pytest.mark.parametrize("field, value", [
    ("applicant_name", "赵\x00六"),
    ("subject", "预算\x07"),
    ("applicant_name", "赵" * 5000),
    ("address", "路" * 30_000),
    ("id_number", "１１０１０１１９９００１０１１２３８"),  # full-width digits, wrong check digit
    ("organisation_code", "９１１１００００ＡＢＣＤＥＦＧＨＩＪ"),
    ("phone", "１３８"),
    ("email", "不是邮箱"),
    ("applicant_kind", "robot"),
], ids=["nul", "control", "huge-name", "huge-address", "full-width-wrong-id", "full-width-credit-code",
        "full-width-short-phone", "email", "kind"])
def test_hostile_fields_are_refused_in_chinese_not_500(services, applicant, field, value):
    more = {field: value}
    if field == "organisation_code":
        more.update(applicant_kind="commercial", contact_person="钱七")
    answer = apply(applicant, **more)
    assert answer.status_code == 422, answer.text[:500]
    words = visible(answer.text)
    assert re.search(r"[\u4e00-\u9fff]", words) and foreign_words(words, (value,)) == []
    with services.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM portal_submissions")).scalar_one() == 0


def test_full_width_id_digits_are_accepted(services, applicant):
    answer = apply(applicant, id_number="１１０１０１１９９００１０１１２３７")
    assert answer.status_code == 303, answer.text[:500]


def test_without_the_forms_csrf_token_nothing_is_submitted(services, applicant):
    applicant.get("/apply")
    missing = applicant.post("/apply", data=fields(), files=[("identity_files", ("id.png", PNG, "image/png"))])
    stranger = TestClient(create_app(services))  # a page elsewhere: no cookie, a token of its own making
    forged = stranger.post("/apply", data={"csrf_token": "x" * 43, **fields()})
    for answer in (missing, forged):
        assert answer.status_code == 403 and "页面已过期" in answer.text
    code = applicant.post("/apply/code", data={"code": "123456"})
    assert code.status_code == 403
    with services.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM portal_submissions")).scalar_one() == 0


def test_the_done_and_code_pages_without_a_submission_say_to_apply_again(services, applicant):
    for path in ("/apply/done", "/apply/code"):
        answer = applicant.get(path)
        assert answer.status_code == 404 and 'href="/apply"' in answer.text
        assert foreign_words(visible(answer.text)) == []


def test_too_many_submissions_answer_429_with_the_form(services, applicant):
    answers = [apply(applicant, phone="13800138000").status_code for _ in range(4)]
    assert answers[:3] == [303, 303, 303] and answers[3] == 429
    last = apply(applicant)
    assert last.status_code == 429 and 'id="refusal"' in last.text and 'value="赵六"' in last.text
    assert foreign_words(visible(last.text)) == []
