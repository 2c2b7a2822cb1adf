"""申请列表 (issue 19 item 5): nearest deadline first across every period, and its search and filters, on SQLite and
PostgreSQL through the work queue the page asks (workflows/readmodels/queue.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import PermissionDenied
from tests.builders import decided, event, load, request_line
from tests.conftest import AGENCY, user
from workflows.foi.identifiers import InputRefused
from workflows.people.accounts import Role

TODAY = dt.datetime(2026, 12, 1, 9, 0)


@pytest.fixture
def queue(services):
    services.clock.advance_to(TODAY)
    admin = user(services, "admin")
    services.directory.add_agency(admin, "other-agency", "另一机关")
    services.directory.add_user(admin, "outsider", Role.STAFF, "pw", "外机关经办人", ["other-agency"])
    load(services,
         # received 11-30: the reply is due 12-28, the 7-day correction-notice limit 12-09 (which sorted it first)
         request_line("LATE", "2026-11-30", name="赵六"),
         # corrected 11-27: the reply runs again from then, due 12-25 (Art. 30, 33)
         request_line("MID", "2026-11-20", event("correction_requested", "2026-11-23", period_days=10),
                      event("corrected", "2026-11-27"), name="钱七"),
         # waiting for the applicant's correction, due 12-15
         request_line("CORR", "2026-11-20", event("correction_requested", "2026-11-24", period_days=15),
                      name="孙八有限公司", kind="commercial"),
         request_line("DONE", "2026-10-09", decided("2026-10-30"), name="李四"),
         request_line("ELSEWHERE", "2026-11-25", agency="other-agency", name="周九"))
    return services


def ids(page) -> list[str]:
    return [row["request_id"] for row in page.rows]


def test_the_nearest_awaited_deadline_comes_first_across_every_period_art30_art33(queue):
    page = queue.tasks.queue.search(user(queue, "clerk"), {})
    assert ids(page) == ["CORR", "MID", "LATE"]  # correction 12-15, reply 12-25, reply 12-28
    assert [row["due_text"] for row in page.rows] == ["补正期限 2026-12-15", "答复期限 2026-12-25", "答复期限 2026-12-28"]
    assert [row["applicant"] for row in page.rows] == ["孙*****", "钱*", "赵*"]  # masked as before


def test_the_api_queue_reads_the_same_order(queue):
    rows = queue.queries.queue_of(user(queue, "clerk"))
    assert [r["request_id"] for r in rows] == ["CORR", "MID", "LATE"]


@pytest.mark.parametrize(("values", "expected"), [
    ({"applicant": "钱"}, ["MID"]),  # searched by the name, shown masked
    ({"applicant": "有限公司"}, ["CORR"]),
    ({"request_id": "at"}, ["LATE"]),  # part of the id, any case
    ({"received_from": "2026-11-21"}, ["LATE"]),
    ({"received_to": "2026-11-20"}, ["CORR", "MID"]),
    ({"received_from": "２０２６－１１－３０", "received_to": "2026年11月30日"}, ["LATE"]),  # full-width, as typed
    ({"stage": "awaiting_correction"}, ["CORR"]),
    ({"status": "concluded"}, ["DONE"]),
    ({"status": "all"}, ["CORR", "MID", "LATE", "DONE"]),  # the concluded after the open
    ({"stage": "decided", "status": "open"}, ["DONE"]),  # a stage chosen is what is asked
    ({"agency": AGENCY, "applicant": "赵"}, ["LATE"]),
    ({"applicant": "%"}, []), ({"applicant": "_"}, []),  # no wildcards: a name with % is searched as typed
    ({"applicant": "<script>alert(1)</script>"}, []),
])
def test_each_filter_narrows_the_list(queue, values, expected):
    assert ids(queue.tasks.queue.search(user(queue, "clerk"), values)) == expected


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"received_from": "2026-02-30"}, "收到日期（起）", "不是有效的日期"),
    ({"received_to": "yesterday"}, "收到日期（止）", "不是有效的日期"),
    ({"received_from": "2026-12-01", "received_to": "2026-11-01"}, "收到日期（止）", "不能早于"),
    ({"applicant": "名" * 101}, "申请人", "100"),
    ({"request_id": "a\x00b"}, "申请编号", "U+0000"),
    ({"stage": "<b>x</b>"}, "状态", "请从列表中选择"),
    ({"status": "maybe"}, "办结情况", "请选择"),
    ({"page": "0"}, "页码", "整数"), ({"page": "１e9"}, "页码", "整数"), ({"page": "9" * 30}, "页码", "整数"),
    ({"agency": "no-such-agency"}, "机关", "没有这个机关"),
])
def test_a_wrong_filter_is_refused_in_chinese_naming_the_field(queue, values, field, words):
    with pytest.raises(InputRefused) as refused:
        queue.tasks.queue.search(user(queue, "clerk"), values)
    assert field in str(refused.value) and words in str(refused.value)


def test_another_agencys_requests_are_neither_listed_nor_filtered_for(queue):
    clerk = user(queue, "clerk")
    assert "ELSEWHERE" not in ids(queue.tasks.queue.search(clerk, {"status": "all"}))
    with pytest.raises(PermissionDenied):
        queue.tasks.queue.search(clerk, {"agency": "other-agency"})
    assert ids(queue.tasks.queue.search(user(queue, "auditor"), {"agency": "other-agency"})) == ["ELSEWHERE"]


def test_the_list_is_paginated_fifty_a_page(queue):
    load(queue, *[request_line(f"P-{n:03d}", "2026-11-30") for n in range(60)])
    clerk = user(queue, "clerk")
    first, second = (queue.tasks.queue.search(clerk, {"page": str(n)}) for n in (1, 2))
    assert first.total == second.total == 63 and first.pages == 2
    assert len(first.rows) == 50 and len(second.rows) == 13 and not set(ids(first)) & set(ids(second))
    assert ids(first)[:2] == ["CORR", "MID"]
    assert first.filter.as_query(page=2) == {"page": "2"}
