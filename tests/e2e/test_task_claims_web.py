"""/tasks in the web (issue 19 item 5): 我来办 and 分派 as forms (POST, 303, a refusal shown once on the page), 只看我的
filled by a claim, 部门待办, an auditor who may only read; and /requests' filters refused in Chinese, never a 500."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from tests.builders import load, request_line
from tests.conftest import user
from tests.web_client import csrf
from workflows.foi import commands as c
from workflows.tables import task_assignments_table, users_table

TASK = "W-1/send_correction_notice"  # W-1 was received today: the 7-day review for a correction notice (Art. 30)


def post(client, path: str, **fields):
    token = csrf(client.get("/tasks").text)
    return client.post(path, data={"csrf_token": token, **fields}, follow_redirects=False)


def assignments(site) -> dict:
    with site.engine.connect() as conn:
        return dict(((r.request_id, r.task), r.assignee) for r in conn.execute(task_assignments_table.select()))


def test_a_claim_from_the_page_fills_only_mine(site, web_as):
    clerk = web_as("clerk")
    assert TASK not in clerk.get("/tasks?view=mine").text
    answer = post(clerk, "/tasks/claim", task_id=TASK, back="/tasks?view=mine")
    assert answer.status_code == 303 and answer.headers["location"] == "/tasks?view=mine"
    mine = clerk.get("/tasks?view=mine").text
    assert f'data-task="{TASK}"' in mine and "经办人（我）" in mine
    assert assignments(site)[("W-1", "handler")] == "clerk"  # the claimant handles the request (its reminders)
    assert clerk.get("/tasks?mine=true").text.count('data-task="') == mine.count('data-task="')  # the old link too


def test_a_head_assigns_to_a_colleague_and_it_is_in_their_list(site, web_as):
    head, clerk = web_as("head"), web_as("clerk")
    page = head.get("/tasks").text
    assert '<option value="clerk"' in page and '<option value="outsider"' not in page  # colleagues of the agency only
    assert post(head, "/tasks/assign", task_id=TASK, assignee="clerk", back="/tasks").status_code == 303
    assert f'data-task="{TASK}"' in clerk.get("/tasks?view=mine").text
    assert f'data-task="{TASK}"' not in head.get("/tasks?view=unassigned").text


@pytest.mark.parametrize(("assignee", "words"), [("", "请选择"), ("auditor", "待办只能交给经办人、负责人或管理员"),
                                                 ("outsider", "不在河东区行政审批服务局或其上级机关工作"),
                                                 ("nobody", "没有用户名为")])
def test_a_refused_assignment_comes_back_to_the_page_in_chinese(site, web_as, assignee, words):
    head = web_as("head")
    answer = post(head, "/tasks/assign", task_id=TASK, assignee=assignee, back="/tasks")
    assert answer.status_code == 303 and answer.headers["location"] == "/tasks"
    [shown] = re.findall(r'<div class="error" role="alert" id="refusal">(.*?)</div>', head.get("/tasks").text)
    assert shown.startswith("未能办理：") and "承办人" in shown and words in shown
    assert "未能办理" not in head.get("/tasks").text  # shown once
    assert ("W-1", "send_correction_notice") not in assignments(site)


def test_a_head_task_goes_only_to_a_head_art33(site, web_as):
    load(site, request_line("Q-2", "2026-11-02"))  # the reply is due within the week: the head's extension question
    head = web_as("head")
    page = head.get("/tasks?view=head").text
    [row] = re.findall(r'<tr data-task="Q-2/approve_extension">.*?</tr>', page, re.S)
    assert '<option value="clerk"' not in row and '<option value="head"' in row
    post(head, "/tasks/assign", task_id="Q-2/approve_extension", assignee="clerk", back="/tasks?view=head")
    assert "由负责人办理" in (shown := head.get("/tasks?view=head").text) and "《条例》第三十三条" in shown


def test_an_auditor_reads_the_tasks_and_may_not_claim_or_assign(site, web_as):
    auditor = web_as("auditor")
    page = auditor.get("/tasks").text
    assert f'data-task="{TASK}"' in page and "我来办" not in page and "分派" not in page
    assert post(auditor, "/tasks/claim", task_id=TASK).status_code == 403
    assert post(auditor, "/tasks/assign", task_id=TASK, assignee="clerk").status_code == 403
    assert assignments(site) == {}


def test_department_tasks_are_those_of_requests_with_the_users_department(site, web_as):
    clerk = web_as("clerk")
    assert "您还没有归入承办部门" in clerk.get("/tasks?view=department").text
    with site.engine.begin() as conn:
        conn.execute(update(users_table).where(users_table.c.username == "clerk").values(department="zhengce"))
    load(site, request_line("D-1", "2026-11-25"))
    site.requests.act("D-1", c.AssignDepartment(at=site.clock.now(), department="zhengce"), user(site, "head"))
    page = clerk.get("/tasks?view=department").text
    assert "政策法规科" in page and 'data-task="D-1/' in page and 'data-task="W-1/' not in page
    assert 'data-task="W-1/' in clerk.get("/tasks").text


def test_the_task_list_is_searched_by_request_id(site, web_as):
    load(site, request_line("Q-7", "2026-11-25"))
    page = web_as("clerk").get("/tasks?request_id=q-7").text
    assert 'data-task="Q-7/' in page and 'data-task="W-1/' not in page


@pytest.mark.parametrize("query", ["received_from=2026-02-30", "received_to=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96",
                                   "applicant=" + "x" * 300, "stage=%3Cscript%3E", "page=-1", "status=%00",
                                   "agency=%3Cb%3E", "view=x"])
def test_hostile_filters_are_a_chinese_page_never_a_500(web_as, query):
    clerk = web_as("clerk")
    path = "/tasks?" + query if query.startswith("view") else "/requests?" + query
    answer = clerk.get(path)
    assert answer.status_code == 422, answer.text[:300]
    assert "<script>" not in answer.text and re.search(r"[\u4e00-\u9fff]", answer.text)


def test_a_wrong_date_keeps_the_form_and_names_the_field(web_as):
    answer = web_as("clerk").get("/requests?received_from=2026-13-01&applicant=%E7%8E%8B")
    assert answer.status_code == 422 and "收到日期（起）" in answer.text and "不是有效的日期" in answer.text
    assert 'name="applicant" value="王"' in answer.text  # what was typed stays


def test_the_requests_page_filters_and_pages_by_get_parameters(site, web_as):
    load(site, request_line("CORR", "2026-11-20", name="孙八"), *[request_line(f"P-{n:02d}", "2026-11-24") for n in range(55)])
    clerk = web_as("clerk")
    first = clerk.get("/requests").text
    assert "（57 件）" in first and 'rel="next"' in first and "第 1 / 2 页" in first
    assert first.index('data-request="CORR"') < first.index('data-request="P-00"')  # reply due 12-18, then 12-22
    assert 'data-request="W-1"' in clerk.get("/requests?page=2").text  # due 12-24: the last
    found = clerk.get("/requests?applicant=%E5%AD%99").text  # 孙
    assert 'data-request="CORR"' in found and "孙*" in found and "孙八" not in found.split("<table")[1]
    assert 'data-request="CORR"' not in clerk.get("/requests?status=concluded").text
