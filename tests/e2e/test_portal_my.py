"""The applicant's own page /my (issue 20 item 3) through the web app: signed in with the request id, the 查询码 and
the code from the outbox; the status in words, the papers and files of that request only (the cookie's, never the
URL's), the correction answered item by item with a scan (recorded as 申请人（网上）), withdrawal with its confirm
step, the progress messages on and off; every refusal in Chinese, never a 500, and no English on any page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.visible_text import foreign_words
from tests.web_client import csrf, signed_in
from tests.world import AGENCY, user
from web.app import create_app
from workflows.foi import commands as c
from workflows.people.accounts import APPLICANT_ONLINE
from workflows.portal.messages import SIGN_IN_KIND
from workflows.tables import outbox_table

PHONE, EMAIL = "13800138000", "w@example.cn"
APPLICANT = {"kind": "natural_person", "name": "王五", "phone": PHONE, "email": EMAIL}
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
FULL_WIDTH = str.maketrans({chr(n): chr(n + 0xFEE0) for n in range(0x21, 0x7F)})


def later(services, hours: float = 1) -> None:
    services.clock.advance_to(services.clock.now() + dt.timedelta(hours=hours))


def online_request(services, request_id: str, subject: str = "2025年度部门预算") -> None:
    services.requests.receive(c.Receive(at=services.clock.now(), request_id=request_id, agency=AGENCY,
                                        channel="online", subject=subject, applicant=dict(APPLICANT),
                                        electronic_service=True), user(services, "clerk"))


def served(services, request_id: str, doc_type: str, **draft) -> None:
    clerk = user(services, "clerk")
    for act in (lambda: services.documents.draft(request_id, doc_type, clerk, **draft),
                lambda: services.documents.approve(request_id, doc_type, user(services, "head")),
                lambda: services.documents.issue(request_id, doc_type, clerk),
                lambda: services.documents.serve(request_id, doc_type, clerk, "personal",
                                                 signed_on=services.clock.now().date())):
        later(services)
        act()


def query_code(services, request_id: str) -> str:
    with services.engine.connect() as conn:
        return services.documents.lookup_code(services.requests.load(conn, request_id).state, conn)


def last_code(services, request_id: str) -> str:
    o = outbox_table.c
    with services.engine.connect() as conn:
        rows = list(conn.execute(select(o.body).where(o.kind == SIGN_IN_KIND, o.request_id == request_id)
                                 .order_by(o.created_at)))
    assert rows, "no sign-in code in the outbox"
    return re.search(r"\d{4,8}", rows[-1].body).group(0)


def form_token(client: TestClient, path: str = "/my") -> str:
    return csrf(client.get(path).text)


def sign_in(client: TestClient, services, request_id: str, channel: str = "sms") -> None:
    answer = client.post("/my", data={"request_id": request_id, "query_code": query_code(services, request_id),
                                      "channel": channel, "csrf_token": form_token(client)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/my/code", answer.text
    answer = client.post("/my/code", data={"code": last_code(services, request_id),
                                           "csrf_token": form_token(client, "/my/code")}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/my/request", answer.text


def visible(html: str) -> str:
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def english(html: str, *allowed: str) -> list[str]:
    return foreign_words(visible(html), allowed)


@pytest.fixture
def applicant(services) -> TestClient:
    online_request(services, "W-2")
    return TestClient(create_app(services))


@pytest.fixture
def web(site) -> TestClient:
    online_request(site, "W-2")
    return TestClient(create_app(site))


def test_signed_in_with_the_query_code_and_the_phones_code_the_page_tells_the_status(services, applicant):
    page = applicant.get("/my")
    assert page.status_code == 200 and not english(page.text)
    answer = applicant.post("/my", data={"request_id": "w-2", "query_code": query_code(services, "W-2"),
                                         "channel": "sms", "csrf_token": csrf(page.text)})
    assert answer.url.path == "/my/code" and "138****8000" in answer.text and PHONE not in answer.text
    assert not english(answer.text)
    answer = applicant.post("/my/code", data={"code": last_code(services, "W-2"), "csrf_token": csrf(answer.text)})
    assert answer.url.path == "/my/request", answer.text
    status = re.search(r'id="my-status">(.*?)</div>', answer.text, re.S).group(1)
    assert "2025年度部门预算" in answer.text and ("待受理机关确认" in status or "答复期限" in status), status
    assert not english(answer.text, "W-2"), english(answer.text, "W-2")
    assert applicant.post("/my/logout").url.path == "/my"
    assert applicant.get("/my/request").url.path == "/my"  # forgotten: signed in again or nothing


def test_a_wrong_query_code_and_an_unknown_request_get_the_same_answer(web, site):
    token = form_token(web)
    wrong_code = web.post("/my", data={"request_id": "W-2", "query_code": "ABCDEF12", "channel": "sms",
                                       "csrf_token": token})
    no_request = web.post("/my", data={"request_id": "W-999", "query_code": query_code(site, "W-2"),
                                       "channel": "sms", "csrf_token": token})
    for answer in (wrong_code, no_request):
        assert answer.url.path == "/my" and "申请编号或查询码不正确" in answer.text
    assert wrong_code.status_code == no_request.status_code
    wrong = web.post("/my", data={"request_id": "W-2", "query_code": query_code(site, "W-2"), "channel": "sms",
                                  "csrf_token": token}, follow_redirects=True)
    answer = web.post("/my/code", data={"code": "000000" if last_code(site, "W-2") != "000000" else "111111",
                                        "csrf_token": csrf(wrong.text)})
    assert answer.url.path == "/my/code" and "验证码不正确" in answer.text
    assert web.get("/my/request").url.path == "/my"


def test_too_many_tries_are_a_429_page_in_chinese(web):
    token = form_token(web)
    answers = [web.post("/my", data={"request_id": "W-2", "query_code": f"{n:08X}", "channel": "sms",
                                     "csrf_token": token}) for n in range(40)]
    refused = [a for a in answers if a.status_code == 429]
    assert refused, [a.status_code for a in answers]
    assert "再试" in refused[0].text, visible(refused[0].text)
    assert not english(refused[0].text)


def test_a_form_without_this_browsers_token_is_refused(web, site):
    answer = web.post("/my", data={"request_id": "W-2", "query_code": query_code(site, "W-2"), "channel": "sms",
                                   "csrf_token": "someone-elses-token-0123456789"})
    assert answer.url.path == "/my" and "页面已过期" in answer.text
    o = outbox_table.c
    with site.engine.connect() as conn:
        assert conn.execute(select(o.id).where(o.kind == SIGN_IN_KIND)).first() is None  # no code was sent
    sign_in(web, site, "W-2")
    answer = web.post("/my/withdraw", data={"confirm": "yes"})  # no token: a page of another site
    assert "页面已过期" in answer.text
    with site.engine.connect() as conn:
        assert site.requests.load(conn, "W-2").state.is_open


def test_another_requests_paper_or_file_is_not_found_with_this_cookie(web, site):
    online_request(site, "W-3", "另一件申请")
    served(site, "W-3", "receipt")
    sign_in(web, site, "W-2")
    with site.engine.connect() as conn:
        other = site.requests.load(conn, "W-3").state
    position = next(i for i, d in enumerate(other.documents) if d.state == "served")
    for path in (f"/my/documents/{position}.pdf", "/my/files/" + "a" * 64, "/my/files/../../etc",
                 "/my/documents/99999999.pdf", "/my/documents/-1.pdf"):
        answer = web.get(path + "?request_id=W-3")
        assert answer.status_code == 404, (path, answer.status_code)
        assert "没有这份文书或文件" in answer.text or "没有这个页面" in answer.text, path
        assert not english(answer.text), (path, english(answer.text))
    assert "另一件申请" not in web.get("/my/request?request_id=W-3").text


def test_the_cookie_of_my_page_opens_no_staff_page(web, site):
    sign_in(web, site, "W-2")
    for path in ("/tasks", "/requests/W-2", "/requests"):
        answer = web.get(path, follow_redirects=False)
        assert answer.status_code in (303, 307, 401) or "/login" in answer.headers.get("location", ""), path
    assert web.get("/api/v1/requests/W-2").status_code == 401


def test_a_served_paper_downloads_with_its_chinese_name(web, site, monkeypatch):
    from workflows.documents import rendering

    monkeypatch.setitem(rendering.RENDERERS, "pdf", lambda document, agency: b"%PDF-1.4 stand-in")
    served(site, "W-2", "receipt")
    sign_in(web, site, "W-2")
    page = web.get("/my/request")
    link = re.search(r'href="(/my/documents/\d+\.pdf)"', page.text).group(1)
    answer = web.get(link)
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    assert "%E7%99%BB%E8%AE%B0%E5%9B%9E%E6%89%A7" in answer.headers["content-disposition"]  # 登记回执


def test_correction_online_with_two_answers_and_a_png_is_recorded_by_the_applicant_art30(web, site):
    served(site, "W-2", "correction_notice", paper={"missing": "identity,description"})
    sign_in(web, site, "W-2")
    page = web.get("/my/request")
    assert "需要补正" in page.text and page.text.count('name="answers"') == 2, visible(page.text)
    assert not english(page.text, "W-2"), english(page.text, "W-2")
    answer = web.post("/my/correction", data={"answers": ["身份证复印件见附件", "所需信息为2025年度部门预算表"],
                                              "csrf_token": csrf(page.text)},
                      files=[("files", ("身份证.png", PNG, "image/png")), ("files", ("", b"", "application/octet-stream"))])
    assert answer.url.path == "/my/request" and "补正材料已提交" in answer.text, visible(answer.text)
    with site.engine.connect() as conn:
        loaded = site.requests.load(conn, "W-2")
    corrected = [e for e in loaded.events if e.type == "corrected"]
    assert corrected and "第1项：身份证复印件见附件" in corrected[-1].payload.get("content", "")
    assert corrected[-1].actor == APPLICANT_ONLINE.username
    history = signed_in(site, "clerk").get("/requests/W-2").text
    assert "申请人（网上）" in history and "身份证.png" in history


def test_withdrawal_needs_its_confirm_box(web, site):
    sign_in(web, site, "W-2")
    token = csrf(web.get("/my/request").text)
    answer = web.post("/my/withdraw", data={"reason": "不再需要", "csrf_token": token})
    assert "确认撤回" in answer.text and answer.status_code == 422
    with site.engine.connect() as conn:
        assert site.requests.load(conn, "W-2").state.is_open
    answer = web.post("/my/withdraw", data={"reason": "不再需要", "confirm": "yes", "csrf_token": token})
    assert "已撤回" in answer.text and answer.status_code == 200
    with site.engine.connect() as conn:
        assert not site.requests.load(conn, "W-2").state.is_open
    assert 'action="/my/withdraw"' not in answer.text


def test_progress_messages_turn_off_and_on(web, site):
    sign_in(web, site, "W-2")
    token = csrf(web.get("/my/request").text)
    answer = web.post("/my/notices", data={"enabled": "off", "csrf_token": token})
    assert "已关闭办理进展通知" in answer.text and "接收通知" in answer.text
    with site.engine.connect() as conn:
        assert site.requests.load(conn, "W-2").state.applicant_notices is False
    answer = web.post("/my/notices", data={"enabled": "on", "csrf_token": token})
    assert "已开启办理进展通知" in answer.text
    assert web.post("/my/notices", data={"enabled": "maybe", "csrf_token": token}).status_code == 422


HOSTILE = ["\x00", "x" * 300_000, '<script>alert(1)</script><b id="planted">x</b>', "ＷＥＢ－２\u3000", "\ud800"[:0] + "\u202e",
           "'; DROP TABLE events; --"]


@pytest.mark.parametrize("value", HOSTILE, ids=["nul", "huge", "markup", "full-width", "bidi", "sql"])
def test_hostile_input_in_every_field_is_refused_in_chinese(web, site, value):
    token = form_token(web)
    for data in ({"request_id": value, "query_code": "X", "channel": "sms"},
                 {"request_id": "W-2", "query_code": value, "channel": "sms"},
                 {"request_id": "W-2", "query_code": query_code(site, "W-2"), "channel": value}):
        answer = web.post("/my", data={**data, "csrf_token": token})
        assert answer.status_code in (404, 413, 422), (data.keys(), answer.status_code)
        assert 'id="planted"' not in answer.text and "<script>alert" not in answer.text
        assert not english(answer.text), english(answer.text)
    assert web.post("/my/code", data={"code": value, "csrf_token": token}).status_code in (200, 413, 422)
    served(site, "W-2", "correction_notice", paper={"missing": "identity,description"})
    sign_in(web, site, "W-2")
    token = csrf(web.get("/my/request").text)
    with site.engine.connect() as conn:
        before = len(site.requests.load(conn, "W-2").events)
    for path, data in (("/my/correction", {"answers": [value, value]}), ("/my/withdraw", {"reason": value, "confirm": "yes"}),
                       ("/my/notices", {"enabled": value})):
        answer = web.post(path, data={**data, "csrf_token": token})
        assert answer.status_code < 500, (path, answer.status_code)
        assert 'id="planted"' not in answer.text and "<script>alert" not in answer.text
        assert not english(answer.text, "W-2"), (path, english(answer.text, "W-2"))
    with site.engine.connect() as conn:
        events = site.requests.load(conn, "W-2").events
    if value.strip("\x00") == "" or len(value) > 100_000:
        assert len(events) == before  # nothing half-written
