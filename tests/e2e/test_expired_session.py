"""Sessions and forms (issue 19 item 7): a form sent after the session ran out is kept and comes back, after signing
in again, on the page it was on, with 会话已过期 said and no "Method Not Allowed"; the sign-in answers every POST with
a redirect; the error pages speak Chinese only and keep the navigation for a signed-in user."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.web_client import csrf
from tests.world import PASSWORD
from web.app import create_app
from workflows.people.sign_in import SESSION_HOURS

TYPED = "会话过期前填写的说明，共三页"
ORIGIN = "http://testserver"


def visible_english(page: str) -> list[str]:
    """Latin words a person reads on the page (the product's name and file formats excepted)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return [w for w in re.findall(r"[A-Za-z_]{2,}", text) if w not in ("ogi", "PDF", "ID")]


def a_step_with_a_text_field(page: str) -> tuple[str, str]:
    """(command, field) of a step form on the request page with a text input."""
    for command, form in re.findall(r'action="/requests/W-1/steps/(\w+)">(.*?)</form>', page, flags=re.S):
        field = re.search(rf'<input type="text" id="{command}-(\w+)"', form)
        if field:
            return command, field.group(1)
    raise AssertionError("no step on W-1's page has a text field")


def expire_sessions(site) -> None:
    site.clock.advance_to(site.clock.now() + dt.timedelta(hours=SESSION_HOURS, minutes=1))


def sign_in_at(client: TestClient, location: str, username: str = "clerk", password: str = PASSWORD):
    login_page = client.get(location)
    next_page = parse_qs(urlsplit(location).query).get("next", ["/tasks"])[0]
    return login_page, client.post("/login", data={"username": username, "password": password, "next": next_page,
                                                   "csrf_token": csrf(login_page.text)}, follow_redirects=False)


@pytest.mark.parametrize("referer", [f"{ORIGIN}/requests/W-1", None])
def test_a_form_sent_after_the_session_expired_is_kept_and_comes_back_after_signing_in(site, web_as, referer):
    client = web_as("clerk")
    page = client.get("/requests/W-1").text
    command, field = a_step_with_a_text_field(page)
    expire_sessions(site)
    headers = {"origin": ORIGIN, **({"referer": referer} if referer else {})}
    sent = client.post(f"/requests/W-1/steps/{command}", data={"csrf_token": csrf(page), field: TYPED},
                       headers=headers, follow_redirects=False)
    assert sent.status_code == 303
    location = sent.headers["location"]
    assert location.startswith("/login?") and parse_qs(urlsplit(location).query)["next"] == ["/requests/W-1"]
    login_page, signed = sign_in_at(client, location)
    assert login_page.status_code == 200 and "会话已过期，请重新登录" in login_page.text
    assert TYPED not in login_page.text  # the kept values wait for their page, not the login
    assert signed.status_code == 303 and signed.headers["location"] == "/requests/W-1"  # a page, never the POST's URL
    back = client.get("/requests/W-1")
    assert back.status_code == 200 and "以下内容是会话过期前填写的，请核对后重新提交" in back.text
    assert re.search(rf'id="{command}-{field}" name="{field}" value="{TYPED}"', back.text)
    again = client.get("/requests/W-1")
    assert TYPED not in again.text and "会话过期前填写" not in again.text  # shown once


def test_a_form_posted_from_another_site_keeps_nothing(site, web_as):
    client = web_as("clerk")
    page = client.get("/requests/W-1").text
    command, field = a_step_with_a_text_field(page)
    expire_sessions(site)
    sent = client.post(f"/requests/W-1/steps/{command}", data={field: "从别的网站预填的内容"},
                       headers={"origin": "https://elsewhere.example"}, follow_redirects=False)
    assert sent.status_code == 303 and "ogi_refusal" not in sent.cookies
    _, signed = sign_in_at(client, sent.headers["location"])
    assert "从别的网站预填的内容" not in client.get(signed.headers["location"]).text


def test_a_password_field_is_never_kept(site, web_as):
    client = web_as("clerk")
    page = client.get("/requests/W-1").text
    command, field = a_step_with_a_text_field(page)
    expire_sessions(site)
    sent = client.post(f"/requests/W-1/steps/{command}", headers={"origin": ORIGIN}, follow_redirects=False,
                       data={field: TYPED, "password": "s3cret-typed", "new_password": "s3cret-new"})
    assert "s3cret" not in str(sent.cookies) and "s3cret" not in sent.headers["location"]
    sign_in_at(client, sent.headers["location"])
    assert "s3cret" not in client.get("/requests/W-1").text


def test_a_page_asked_for_after_the_session_expired_says_so_and_returns_there(site, web_as):
    client = web_as("clerk")
    expire_sessions(site)
    asked = client.get("/requests?state=open", follow_redirects=False)
    assert asked.status_code == 303
    login_page, signed = sign_in_at(client, asked.headers["location"])
    assert "会话已过期" in login_page.text
    assert signed.headers["location"] == "/requests?state=open"


def test_a_refused_sign_in_answers_with_a_redirect_and_says_why_once(site):
    client = TestClient(create_app(site))
    token = csrf(client.get("/login").text)
    refused = client.post("/login", data={"username": "clerk", "password": "wrong", "csrf_token": token,
                                          "next": "/requests/W-1"}, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login?next=/requests/W-1")
    shown = client.get(refused.headers["location"])
    assert shown.status_code == 401 and "用户名或密码错误" in shown.text and 'value="clerk"' in shown.text
    assert "wrong" not in shown.text and visible_english(shown.text) == []
    assert "用户名或密码错误" not in client.get("/login").text  # once


def test_a_login_link_never_sends_back_to_the_login_or_elsewhere(site):
    client = TestClient(create_app(site))
    for target in ("//evil.example", "/login?next=/login", "https://evil.example/", "/\\evil.example"):
        login_page = client.get("/login", params={"next": target})
        assert 'name="next" value="/tasks"' in login_page.text, target


# -- the error pages ---------------------------------------------------------------------------------------------
def test_the_input_boundarys_error_page_has_the_navigation_when_signed_in(web_as):
    refused = web_as("clerk").get("/requests/W-1?as_of=%01")
    assert refused.status_code == 422 and "输入有误" in refused.text
    assert 'href="/requests"' in refused.text and "退出" in refused.text  # the site's navigation, signed in
    assert visible_english(refused.text) == []


@pytest.mark.parametrize("ask", ["404", "405", "413", "422 input", "422 form", "500"])
def test_no_english_on_the_error_pages(site, web_as, ask):
    client = web_as("clerk")
    if ask == "500":
        app = create_app(site)

        def broken() -> None:
            raise RuntimeError("a database error quoting 王五 and some English")

        app.add_api_route("/broken-for-test", broken, include_in_schema=False)
        client = TestClient(app, raise_server_exceptions=False)
        answer = client.get("/broken-for-test")
    elif ask == "404":
        answer = client.get("/no/such/page")
    elif ask == "405":
        answer = client.get("/requests/W-1/steps/ask_reasons")
    elif ask == "413":
        answer = client.post("/requests/W-1/steps/ask_reasons", content=b"x=" + b"y" * 1_100_000,
                             headers={"content-type": "application/x-www-form-urlencoded"})
    elif ask == "422 input":
        answer = client.get("/requests/W-1?as_of=" + "9" * 300)
    else:
        answer = client.get("/requests?page=abc")
    assert answer.status_code == int(ask.split()[0])
    shown = re.sub(r"错误编号 [0-9a-f]{12}", "错误编号", answer.text)  # the id a person reads out to the administrator
    assert visible_english(shown) == [], (ask, visible_english(shown))
    assert re.search(r"[\u4e00-\u9fff]{4}", re.sub(r"<[^>]+>", " ", answer.text))
    assert "王五" not in answer.text


def test_a_flood_of_fields_after_an_expired_session_is_answered_at_once_with_a_cookie_that_fits(site, web_as):
    client = web_as("clerk")
    expire_sessions(site)
    flood = {f"f{i}": "填" * (i % 20) for i in range(5000)}  # under the boundary's 1 MB
    started = time.monotonic()
    sent = client.post("/requests/W-1/steps/ask_reasons", data=flood, headers={"origin": ORIGIN},
                       follow_redirects=False)
    assert sent.status_code == 303 and time.monotonic() - started < 5
    assert len(sent.headers.get("set-cookie", "")) < 4096 * 2  # the kept form and the login's cookies
