"""The administrators' pages, the heads' 审批 page and the user's 消息 through FastAPI's TestClient on SQLite."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select

from notifications import outbox
from tests.conftest import AGENCY, user
from tests.web_client import csrf
from web.app import create_app
from workflows.tables import outbox_table


def _post(client: TestClient, path: str, data: dict, page: str = "/admin"):
    return client.post(path, data={"csrf_token": csrf(client.get(page).text), **data}, follow_redirects=False)


def test_the_admin_adds_a_user_who_can_then_sign_in(site, web_as):
    admin = web_as("admin")
    page = admin.get("/admin")
    assert page.status_code == 200 and "添加用户" in page.text and AGENCY in page.text
    added = _post(admin, "/admin/users", {"username": "zhao", "role": "staff", "display_name": "赵经办",
                                          "agencies": AGENCY, "email": "zhao@hedong.gov.cn", "phone": "13812345678",
                                          "password": "a-long-new-password"})
    assert added.status_code == 303, added.text
    listed = admin.get("/admin").text
    assert "赵经办" in listed and "138****5678" in listed and "13812345678" not in listed
    zhao = site.directory.user("zhao")
    assert zhao.agencies == frozenset({AGENCY}) and zhao.display_name == "赵经办"
    client = TestClient(create_app(site))
    token = csrf(client.get("/login").text)
    answer = client.post("/login", data={"username": "zhao", "password": "a-long-new-password", "csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303
    assert "赵经办" in client.get("/tasks").text


def test_a_refused_user_is_shown_on_the_page_with_what_was_typed(web_as):
    admin = web_as("admin")
    refused = _post(admin, "/admin/users", {"username": "clerk", "role": "staff", "display_name": "重名",
                                            "password": "x-password"})
    assert refused.status_code == 303  # post/redirect/get: the page shows the refusal and what was typed, once
    shown = admin.get(refused.headers["location"]).text
    assert "用户名“clerk”已被使用" in shown and "重名" in shown


def test_a_clerk_is_refused_the_admin_page_and_its_forms(site, web_as):
    clerk = web_as("clerk")
    assert clerk.get("/admin").status_code == 403
    token = csrf(clerk.get("/tasks").text)
    refused = clerk.post("/admin/users", data={"csrf_token": token, "username": "sneaky", "role": "admin",
                                               "password": "pw-pw-pw-pw"})
    assert refused.status_code == 403
    assert "sneaky" not in {u.username for u in site.directory.users()}
    assert clerk.get("/approvals").status_code == 403


def test_the_agency_settings_form_changes_the_document_prefix(site, web_as):
    admin = web_as("admin")
    saved = _post(admin, f"/admin/agencies/{AGENCY}/settings",
                  {"reminders": "5,2,0", "doc_prefix": "河东政公", "review_body": "河东区人民政府",
                   "court": "河东区人民法院", "vertically_led": "no", "webhook_url": "", "webhook_secret": ""})
    assert saved.status_code == 303, saved.text
    [row] = [a for a in site.directory.agencies() if a.slug == AGENCY]
    assert row.doc_prefix == "河东政公" and not row.vertically_led
    assert "河东政公" in admin.get("/admin").text


def test_agencies_and_departments_are_added_and_the_calendar_years_are_listed(site, web_as):
    admin = web_as("admin")
    assert _post(admin, "/admin/agencies", {"slug": "xidong", "name": "西东区政府办", "parent": "",
                                            "correction_days": "15"}).status_code == 303
    assert _post(admin, "/admin/departments", {"agency": "xidong", "code": "zhengce", "name": "政策法规科"}
                 ).status_code == 303
    assert [d.code for d in site.directory.departments("xidong")] == ["zhengce"]
    text = admin.get("/admin").text
    assert "西东区政府办" in text and "政策法规科" in text
    known = site.queries.calendar().years
    assert all(f'data-year="{year}"' in text for year in known)
    next_year = site.clock.now().year + 1
    assert f'data-year="{next_year}"' in text
    if next_year not in known:  # no official arrangement yet: counted Monday–Friday, marked provisional
        row = text.split(f'data-year="{next_year}"')[1].split("</tr>")[0]
        assert "暂定" in row


def _parked_message(services) -> str:
    now = services.clock.now()
    message = outbox.NewMessage("W-1|test|email|clerk", "email", "clerk", "clerk@hedong.gov.cn", "W-1", AGENCY,
                                "reminder.reply.2", None, "答复期限提醒", "W-1 的答复期限将至。")
    with services.engine.begin() as conn:
        [message_id] = outbox.write(conn, [(outbox.new_id(), message)], now)
        claimed = outbox.claim(conn, message_id, now)
        assert claimed is not None
        assert outbox.mark_failed(conn, message_id, claimed.attempts, "550 no such mailbox", True, now) == "parked"
    return message_id


def test_a_parked_message_is_listed_masked_and_retried(site, web_as):
    message_id = _parked_message(site)
    admin = web_as("admin")
    text = admin.get("/admin").text
    assert f'data-message="{message_id}"' in text and "clerk@hedong.gov.cn" not in text and "550 no such mailbox" in text
    retried = _post(admin, f"/admin/outbox/{message_id}/retry", {})
    assert retried.status_code == 303
    with site.engine.connect() as conn:
        row = conn.execute(select(outbox_table).where(outbox_table.c.id == message_id)).one()
    assert row.status == "pending" and row.attempts == 0
    assert f'data-message="{message_id}"' not in admin.get("/admin").text
    again = _post(admin, f"/admin/outbox/{message_id}/retry", {})
    assert again.status_code == 303
    assert "不能重新发送" in admin.get(again.headers["location"]).text


def test_approvals_lists_the_drafted_document_for_the_head(site, web_as):
    site.documents.draft("W-1", "reply", user(site, "clerk"), outcome="disclosed")
    page = web_as("head").get("/approvals")
    assert page.status_code == 200
    assert 'data-approval="W-1:d1"' in page.text and 'href="/requests/W-1#documents"' in page.text
    assert 'action="/approvals/W-1:d1/reject"' in page.text and 'name="reason"' in page.text  # 审批意见
    assert 'data-approval="W-1:d1"' in web_as("admin").get("/approvals").text


def test_the_inbox_renders_for_the_clerk_with_their_messages_only(site, web_as):
    clerk = web_as("clerk")
    empty = clerk.get("/inbox")
    assert empty.status_code == 200 and "没有消息" in empty.text
    now = site.clock.now()
    mine = outbox.NewMessage("W-1|overdue|inbox|clerk", "inbox", "clerk", "clerk", "W-1", AGENCY, "overdue.reply",
                             None, "W-1 已逾期", "请尽快答复。")
    theirs = outbox.NewMessage("W-1|overdue|inbox|head", "inbox", "head", "head", "W-1", AGENCY, "overdue.reply",
                               None, "给负责人的消息", "……")
    with site.engine.begin() as conn:
        outbox.write(conn, [(outbox.new_id(), mine), (outbox.new_id(), theirs)], now + dt.timedelta(minutes=1))
    text = clerk.get("/inbox").text
    assert "W-1 已逾期" in text and "请尽快答复。" in text and "给负责人的消息" not in text
