"""A step entered the next morning on the request page or through the API keeps the day it happened (issue 21:
办理日期 on every step form, `at` in an API action's body), judged like any back-entered step."""

from __future__ import annotations

import datetime as dt

from tests.web_client import csrf
from workflows.requests.step_forms import happened_at

NOW = dt.datetime(2026, 12, 2, 10, 30)


def test_a_bare_date_today_is_now_and_a_past_day_its_start():
    assert happened_at("", NOW) == NOW and happened_at(None, NOW) == NOW
    assert happened_at("2026-12-02", NOW) == NOW  # today: after today's steps
    assert happened_at("2026-12-01", NOW) == dt.datetime(2026, 12, 1)
    assert happened_at("２０２６－１２－０１", NOW) == dt.datetime(2026, 12, 1)  # full-width, as an input method types it
    assert happened_at("2026-12-01T15:20", NOW) == dt.datetime(2026, 12, 1, 15, 20)


def test_a_wrong_day_is_refused_in_chinese_naming_the_field():
    import pytest

    from engine.errors import OgiError

    for wrong in ("2026-02-30", "<b>x</b>", "x" * 5000, "1900-01-01"):
        with pytest.raises(OgiError, match="办理日期"):
            happened_at(wrong, NOW)


def test_a_step_form_records_the_day_entered_and_refuses_tomorrow(site, web_as):
    clerk = web_as("clerk")
    today = site.clock.now().date()
    page = clerk.get("/requests/W-1")
    assert 'name="at"' in page.text and "办理日期" in page.text
    done = clerk.post("/requests/W-1/steps/assign_department", follow_redirects=False,
                      data={"csrf_token": csrf(page.text), "department": "zhengce", "at": today.isoformat()})
    assert done.status_code == 303
    assert site.queries.history("W-1")["events"][-1]["occurred_at"].startswith(today.isoformat())
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    refused = clerk.post("/requests/W-1/steps/ask_reasons", data={"csrf_token": csrf(page.text), "at": tomorrow})
    assert refused.history[0].status_code == 303 and "未能办理" in refused.text
    assert site.queries.history("W-1")["events"][-1]["type"] == "department_assigned"  # nothing written


def test_an_api_action_takes_at_from_its_body(site, web_as):
    received = site.clock.now()  # W-1 was received now: two days pass, and yesterday's step is entered today
    site.clock.advance_to(received + dt.timedelta(days=2))
    clerk = web_as("clerk")
    token = csrf(clerk.get("/requests/W-1").text)
    day = (received + dt.timedelta(days=1)).date().isoformat()
    answer = clerk.post("/api/v1/requests/W-1/actions/ask_reasons", json={"at": day},
                        headers={"X-CSRF-Token": token})
    assert answer.status_code == 200, answer.text
    assert site.queries.history("W-1")["events"][-1]["occurred_at"].startswith(day)


def test_a_document_step_through_the_api_keeps_its_day(site, web_as):
    """POST /api/v1/requests/{id}/documents/{type}/{step}: the request page's document forms as JSON, `at` its day."""
    received = site.clock.now()
    site.clock.advance_to(received + dt.timedelta(days=3))
    clerk = web_as("clerk")
    token = {"X-CSRF-Token": csrf(clerk.get("/requests/W-1").text)}
    day = (received + dt.timedelta(days=1)).date().isoformat()
    drafted = clerk.post("/api/v1/requests/W-1/documents/correction_notice/draft", headers=token,
                         json={"at": day, "missing": "contact", "period_days": 10})
    assert drafted.status_code == 200, drafted.text
    paper = next(d for d in drafted.json()["documents"] if d["type"] == "correction_notice")
    assert paper["state"] == "draft"
    last = site.queries.history("W-1")["events"][-1]
    assert last["type"] == "document_drafted" and last["occurred_at"].startswith(day)
    future = clerk.post("/api/v1/requests/W-1/documents/correction_notice/edit", headers=token,
                        json={"at": "2099-01-01", "text": "改后的正文"})
    assert future.status_code == 422, future.text
    assert site.queries.history("W-1")["events"][-1]["version"] == last["version"]  # nothing written
    nested = clerk.post("/api/v1/requests/W-1/documents/correction_notice/draft", headers=token,
                        json={"at": {"x": 1}})
    assert nested.status_code == 422  # only text, numbers and yes/no: the page form's fields


def test_deliver_through_the_api_serves_the_issued_reply_235(site, web_as):
    """`deliver` on a live request with an issued reply is that reply's service: the reply and the request agree."""
    from tests.conftest import user

    clerk_user, head_user = user(site, "clerk"), user(site, "head")
    site.documents.draft("W-1", "reply", clerk_user, outcome="disclosed", note="见附件")
    site.documents.approve("W-1", "reply", head_user)
    site.documents.issue("W-1", "reply", clerk_user)
    clerk = web_as("clerk")
    token = {"X-CSRF-Token": csrf(clerk.get("/requests/W-1").text)}
    wrong = clerk.post("/api/v1/requests/W-1/actions/deliver", headers=token, json={"method": "pigeon"})
    assert wrong.status_code == 422 and "送达方式" in wrong.json()["error"]
    done = clerk.post("/api/v1/requests/W-1/actions/deliver", headers=token,
                      json={"method": "post", "tracking_no": "1180012345678"})
    assert done.status_code == 200, done.text
    history = done.json()
    reply = next(d for d in history["documents"] if d["type"] == "reply")
    assert reply["state"] == "served" and history["state"] == "served"  # 已送达 both
