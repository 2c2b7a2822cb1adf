"""确认收到 from the queues (Art. 31(3), issue 20 item 2): an online application waiting for the agency is marked
待确认（网上申请） in /tasks and /requests, with a one-click button (POST with the CSRF token, back to the list with
what was done) and a link to ask for a correction; the request page's step form confirms the same way; an auditor
sees no button and may not post one."""

from __future__ import annotations

import datetime as dt
import re

from tests.conftest import user
from tests.visible_text import foreign_words
from tests.web_client import csrf
from tests.world import AGENCY
from workflows.foi import commands as c

MARK = "待确认（网上申请）"


def file_online(site, request_id: str = "N-1") -> None:
    site.requests.receive(c.Receive(
        at=site.clock.now(), request_id=request_id, agency=AGENCY, channel="online", subject="2025年度部门预算",
        applicant={"kind": "natural_person", "name": "张三", "phone": "13800138000"}, electronic_service=True),
        user(site, "clerk"))


def row_of(page: str, key: str, attribute: str) -> str:
    """The table row `<tr ATTRIBUTE="KEY">` (a task's id is REQUEST/TYPE, a request's its id)."""
    return re.search(rf'<tr {attribute}="{re.escape(key)}">(.*?)</tr>', page, re.S).group(1)


def notice_of(page: str) -> str:
    return re.search(r'id="confirm-notice">(.*?)</div>', page).group(1)


def test_the_tasks_button_confirms_with_the_receipt_and_the_mark_goes(site, web_as):
    file_online(site)
    site.clock.advance_to(dt.datetime(2026, 11, 30, 10, 0))
    clerk = web_as("clerk")
    page = clerk.get("/tasks").text
    row = row_of(page, "N-1/confirm_receipt", "data-task")
    assert MARK in row and "确认收到网上申请" in row and 'action="/tasks/confirm"' in row
    assert 'href="/requests/N-1?doc=correction_notice#draft-form">要求补正' in row
    assert MARK not in row_of(page, "N-1/send_correction_notice", "data-task")  # its other task
    assert "W-1/confirm_receipt" not in page  # W-1 was handed in: nothing to confirm
    answer = clerk.post("/tasks/confirm", data={"csrf_token": csrf(page), "request_id": "N-1", "back": "/tasks"},
                        follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/tasks?confirmed=N-1"
    after = clerk.get(answer.headers["location"]).text
    words = notice_of(after)
    assert "已确认收到申请 N-1：收到申请之日为 2026-11-30" in words and "已送达申请人的网上查询页面" in words
    assert not foreign_words(words, ("N-1",))
    assert MARK not in after and 'value="N-1"' not in after  # the confirmation task is done
    history = site.queries.history("N-1")
    assert history["confirmed_at"] == "2026-11-30"
    assert any(d["type"] == "receipt" and d["number"] for d in history["documents"])
    assert history["events"][-1]["actor"] == "clerk"


def test_the_requests_list_marks_it_and_its_button_comes_back_to_the_same_list(site, web_as):
    file_online(site)
    clerk = web_as("clerk")
    page = clerk.get(f"/requests?agency={AGENCY}").text
    row = row_of(page, "N-1", "data-request")
    assert MARK in row and "确认收到" in row and MARK not in row_of(page, "W-1", "data-request")
    back = re.search(r'name="back" value="([^"]+)"', row).group(1)
    answer = clerk.post("/tasks/confirm", data={"csrf_token": csrf(page), "request_id": "N-1",
                                                "back": back.replace("&amp;", "&")}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith(f"/requests?agency={AGENCY}&confirmed=N-1")
    after = clerk.get(answer.headers["location"]).text
    assert "已确认收到申请 N-1" in notice_of(after) and MARK not in row_of(after, "N-1", "data-request")


def test_a_second_click_is_refused_on_the_list_in_chinese(site, web_as):
    file_online(site)
    clerk = web_as("clerk")
    token = csrf(clerk.get("/tasks").text)
    for _ in range(2):
        answer = clerk.post("/tasks/confirm", data={"csrf_token": token, "request_id": "N-1", "back": "/requests"},
                            follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/requests"
    shown = re.search(r'id="refusal">(.*?)</div>', clerk.get("/requests").text).group(1)
    assert shown.startswith("未能办理：") and "不能再次确认" in shown


def test_the_button_goes_back_to_the_queue_never_another_site(site, web_as):
    file_online(site)
    clerk = web_as("clerk")
    answer = clerk.post("/tasks/confirm", data={"csrf_token": csrf(clerk.get("/tasks").text), "request_id": "N-1",
                                                "back": "https://evil.example/tasks"}, follow_redirects=False)
    assert answer.headers["location"] == "/tasks?confirmed=N-1"


def test_a_forged_link_makes_the_page_say_nothing(site, web_as):
    file_online(site)
    page = web_as("clerk").get("/tasks?confirmed=<b>N-1</b>").text
    assert 'id="confirm-notice"' not in page and "<b>N-1</b>" not in page
    assert 'id="confirm-notice"' not in web_as("clerk").get("/tasks?confirmed=N-1").text  # not confirmed yet


def test_an_auditor_sees_the_mark_but_no_button_and_may_not_post(site, web_as):
    file_online(site)
    auditor = web_as("auditor")
    tasks, listed = auditor.get("/tasks").text, auditor.get("/requests").text
    assert MARK in tasks and MARK in listed
    assert 'action="/tasks/confirm"' not in tasks and 'action="/tasks/confirm"' not in listed
    refused = auditor.post("/tasks/confirm", data={"csrf_token": csrf(tasks), "request_id": "N-1", "back": "/tasks"},
                           follow_redirects=False)
    assert refused.status_code == 403
    assert site.queries.history("N-1")["confirmed_at"] is None


def test_the_request_pages_step_form_issues_the_receipt_too(site, web_as):
    file_online(site)
    clerk = web_as("clerk")
    page = clerk.get("/requests/N-1").text
    assert 'action="/requests/N-1/steps/confirm_receipt"' in page
    answer = clerk.post("/requests/N-1/steps/confirm_receipt", data={"csrf_token": csrf(page), "at": ""},
                        follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/requests/N-1"
    history = site.queries.history("N-1")
    assert history["confirmed_at"] == site.clock.now().date().isoformat()
    receipt = next(d for d in history["documents"] if d["type"] == "receipt")
    assert receipt["number"] and receipt["service"]["method"] == "electronic"


def test_a_hostile_request_id_is_refused_in_chinese_on_the_list(site, web_as):
    clerk = web_as("clerk")
    token = csrf(clerk.get("/tasks").text)
    nul = clerk.post("/tasks/confirm", data={"csrf_token": token, "request_id": "N-1\x00", "back": "/tasks"},
                     follow_redirects=False)
    assert nul.status_code == 422 and "控制字符" in nul.text  # the site's guard refuses it before any route
    huge = clerk.post("/tasks/confirm", data={"csrf_token": token, "request_id": "N" * 5000, "back": "/tasks"},
                      follow_redirects=False)
    assert huge.status_code == 422 and "申请编号：最长 150 个字符" in huge.text
    for hostile in ("<b>N-1</b>", "Ｎ－１", ""):
        answer = clerk.post("/tasks/confirm", data={"csrf_token": token, "request_id": hostile, "back": "/tasks"},
                            follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/tasks", hostile[:20]
        page = clerk.get("/tasks").text
        shown = re.search(r'id="refusal">(.*?)</div>', page).group(1)
        assert shown.startswith("未能办理：") and "<b>" not in shown and not foreign_words(shown, ("N-1",))
