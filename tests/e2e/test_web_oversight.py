"""The 审计 page (replay as of a moment, verify the log on a button) and the 统计 page with its statistics."""

from __future__ import annotations

import json

from sqlalchemy import select, update

from engine.adapters.eventstore import canonical_json, events_table
from tests.builders import decided, event, load, request_line
from tests.conftest import AGENCY, user
from tests.web_client import csrf
from workflows.foi import commands as c


def small_set(services) -> None:
    """Beside the fixture's W-1 (received 2026-11-26, open): requests of 2025–2026, decided, late, withdrawn, overdue."""
    load(services,
         request_line("S-1", "2026-02-02", decided("2026-02-10")),
         request_line("S-2", "2026-02-05", decided("2026-05-20", "withheld.third_party")),  # after the reply period
         request_line("S-3", "2026-03-03", decided("2026-03-10", "unable.not_held")),
         request_line("S-4", "2026-03-04", event("withdrawn", "2026-03-06")),
         request_line("S-5", "2026-10-09", event("department_assigned", "2026-10-10", department="zhengce")),
         request_line("S-6", "2025-12-22", decided("2026-01-05", "partial")),
         request_line("X-1", "2026-02-03", agency="other-agency"))


def test_the_statistics_count_intake_outcomes_on_time_and_overdue(site):
    small_set(site)
    stats = site.statistics.of([AGENCY], 2026)
    assert {b.key: b.count for b in stats.intake if b.count} == {"2": 2, "3": 2, "10": 1, "11": 1}
    assert {b.key: b.count for b in stats.outcomes} == {"disclosed": 1, "partial": 1, "withheld": 1, "unable": 1,
                                                          "rejected": 0, "other": 1}
    assert (stats.decided, stats.on_time) == (4, 3)  # the withdrawal is no decision; S-2 was late
    assert stats.on_time_rate == 0.75
    assert [(b.key, b.count) for b in stats.overdue_by_agency] == [(AGENCY, 1)]  # S-5; W-1 is not due yet
    assert [(b.label, b.count) for b in stats.overdue_by_department or []] == [(f"{AGENCY} · 政策法规科", 1)]
    assert site.statistics.of([AGENCY], 2025).received == 1
    everything = site.statistics.of(None, 2026)
    assert everything.received == 7 and [b.count for b in everything.intake][1] == 3


def test_the_stats_page_shows_the_intake_of_the_month_in_a_chart_and_a_table(web_as):
    page = web_as("clerk").get("/stats")
    assert page.status_code == 200
    assert "<svg" in page.text and "每月收到申请" in page.text
    assert '<td data-month="11">1</td>' in page.text and '<td data-month="10">0</td>' in page.text
    chosen = web_as("auditor").get(f"/stats?agency={AGENCY}&year=2026")
    assert chosen.status_code == 200 and '<td data-month="11">1</td>' in chosen.text
    assert '<td data-month="11">0</td>' in web_as("clerk").get("/stats?year=2025").text


def test_the_stats_page_draws_outcomes_and_the_overdue_by_department(site, web_as):
    small_set(site)
    text = web_as("head").get(f"/stats?agency={AGENCY}&year=2026").text
    assert 'id="outcomes-chart"' in text and '<td data-outcome="withheld">1</td>' in text
    assert "75.0%" in text and "政策法规科" in text and 'id="overdue-department-chart"' in text


def test_an_outsider_may_not_see_the_statistics_of_another_agency(web_as):
    outsider = web_as("outsider")
    assert outsider.get(f"/stats?agency={AGENCY}").status_code == 403
    own = outsider.get("/stats")
    assert own.status_code == 200 and '<td data-month="11">0</td>' in own.text  # W-1 is not theirs


def test_the_audit_page_replays_a_request_as_of_a_day(web_as):
    client = web_as("auditor")
    assert "立即校验" in client.get("/audit").text
    answer = client.get("/audit/replay", params={"request_id": "W-1", "as_of": "2026-11-26"}, follow_redirects=False)
    # the bare date goes on as a date: the request page reads it as the 审计 page does, the end of that day
    assert answer.status_code == 303 and answer.headers["location"] == "/requests/W-1?as_of=2026-11-26"
    assert "2026年11月26日终了时" in client.get(answer.headers["location"]).text
    moment = client.get("/audit/replay", params={"request_id": "W-1", "as_of": "2026-11-26T09:30"},
                        follow_redirects=False)
    assert moment.headers["location"] == "/requests/W-1?as_of=2026-11-26T09%3A30%3A00"
    wrong = client.get("/audit/replay", params={"request_id": "W-1", "as_of": "yesterday"})
    assert wrong.status_code == 422 and "时点格式不对" in wrong.text
    outsider = web_as("outsider")
    assert outsider.get("/audit/replay", params={"request_id": "W-1", "as_of": "2026-11-26"}).status_code == 403


def test_the_log_is_verified_on_the_button_and_the_first_bad_event_is_named(site, web_as):
    site.requests.act("W-1", c.AssignDepartment(at=site.clock.now(), department="zhengce"), user(site, "clerk"))
    client = web_as("auditor")
    assert client.post("/audit/verify", data={}).status_code == 403  # no csrf_token
    token = csrf(client.get("/audit").text)
    intact = client.post("/audit/verify", data={"csrf_token": token})
    assert intact.status_code == 200 and "日志完整" in intact.text and 'data-intact="yes"' in intact.text

    with site.engine.begin() as conn:  # change a payload behind the engine's back, as tests/integration/test_properties.py does
        target = conn.execute(select(events_table).where(events_table.c.stream_id == "request/W-1")
                              .order_by(events_table.c.version)).first()
        payload = json.loads(target.payload)
        payload["备注"] = "事后修改"
        conn.execute(update(events_table).where(events_table.c.seq == target.seq)
                     .values(payload=canonical_json(payload)))
    tampered = client.post("/audit/verify", data={"csrf_token": token})
    assert 'data-intact="no"' in tampered.text and "日志已被篡改" in tampered.text
    assert f"第 {target.seq} 条" in tampered.text and f"request/W-1 v{target.version}" in tampered.text

    outsider = web_as("outsider")  # sees that the log is broken and where, not whose request it is
    told = outsider.post("/audit/verify", data={"csrf_token": csrf(outsider.get("/audit").text)})
    assert f"第 {target.seq} 条" in told.text and "request/W-1" not in told.text
