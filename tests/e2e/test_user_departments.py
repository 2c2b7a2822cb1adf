"""Users' departments (issue 19 item 6): an administrator puts a clerk in a department of the clerk's agency — on
the command line (`ogi user set-department`) or on /admin's user row — and the clerk's 部门待办 then lists the
tasks of the requests that department handles. Refusals in Chinese; only an administrator may do it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import NotFound, OgiError, PermissionDenied
from tests.builders import load, request_line
from tests.web_client import csrf
from tests.world import user
from workflows.foi import commands as c
from workflows.tables import users_table


def department_of(site, username: str) -> str | None:
    with site.engine.connect() as conn:
        return conn.execute(select(users_table.c.department).where(users_table.c.username == username)).scalar()


def test_an_administrator_puts_a_clerk_in_a_department_by_code_or_name(site):
    admin = user(site, "admin")
    assert site.directory.set_department(admin, "clerk", "zhengce").name == "政策法规科"
    assert department_of(site, "clerk") == "zhengce"
    assert site.directory.set_department(admin, "clerk", "办公室").code == "bangongshi"
    assert site.directory.user_departments()["clerk"] == "bangongshi"
    assert site.directory.set_department(admin, "clerk", "") is None and department_of(site, "clerk") is None


def test_a_department_of_another_agency_or_none_is_refused_in_chinese(site):
    admin = user(site, "admin")
    with pytest.raises(OgiError, match="所属机关没有“caiwu”这个部门（可选：办公室（bangongshi）、政策法规科（zhengce））"):
        site.directory.set_department(admin, "clerk", "caiwu")
    with pytest.raises(OgiError, match="尚无部门"):
        site.directory.set_department(admin, "outsider", "zhengce")  # other-agency has no departments
    with pytest.raises(OgiError, match="只有经办人和负责人归属承办部门"):
        site.directory.set_department(admin, "auditor", "zhengce")
    with pytest.raises(NotFound, match="没有用户名为“nobody”的用户"):
        site.directory.set_department(admin, "nobody", "zhengce")


@pytest.mark.parametrize("who", ["head", "clerk", "auditor"])
def test_only_an_administrator_sets_a_department(site, who):
    with pytest.raises(PermissionDenied, match="无权设置用户所在部门"):
        site.directory.set_department(user(site, who), "clerk", "zhengce")
    assert department_of(site, "clerk") is None


def test_the_admin_page_sets_it_and_department_tasks_then_list_it(site, web_as):
    admin, clerk = web_as("admin"), web_as("clerk")
    assert "您还没有归入承办部门" in clerk.get("/tasks?view=department").text
    page = admin.get("/admin").text
    assert 'data-department-form="clerk"' in page and "所在部门" in page and "政策法规科" in page
    answer = admin.post("/admin/users/clerk/department", data={"csrf_token": csrf(page), "department": "zhengce"},
                        follow_redirects=False)
    assert answer.status_code == 303 and "done=placed" in answer.headers["location"]
    shown = admin.get(answer.headers["location"]).text
    assert "已设置用户“clerk”的所在部门" in shown
    assert '<option value="zhengce" selected>' in shown
    load(site, request_line("D-1", "2026-11-25"))
    site.requests.act("D-1", c.AssignDepartment(at=site.clock.now(), department="zhengce"), user(site, "head"))
    listed = clerk.get("/tasks?view=department").text
    assert "政策法规科" in listed and 'data-task="D-1/' in listed and 'data-task="W-1/' not in listed


def test_a_refused_department_comes_back_to_the_row_in_chinese(site, web_as):
    admin = web_as("admin")
    answer = admin.post("/admin/users/clerk/department",
                        data={"csrf_token": csrf(admin.get("/admin").text), "department": "<b>caiwu</b>"},
                        follow_redirects=False)
    assert answer.status_code == 303
    shown = admin.get(answer.headers["location"]).text
    assert 'data-refused="placed:clerk"' in shown and "这个部门" in shown and "<b>caiwu" not in shown
    assert department_of(site, "clerk") is None


def test_the_cli_sets_a_department(ready):
    ready("department", "add", "hedong-xzsp", "zhengce", "--name", "政策法规科")
    ready("user", "add", "zhang", "--role", "staff", "--agency", "hedong-xzsp")
    out = ready("user", "set-department", "zhang", "zhengce").stdout
    assert "已将用户“zhang”归入政策法规科（zhengce）" in out
    refused = ready("user", "set-department", "zhang", "caiwu", ok=False)
    assert refused.returncode == 1 and "所属机关没有“caiwu”这个部门" in refused.stderr
    assert "已取消用户“zhang”的所在部门" in ready("user", "set-department", "zhang", "").stdout
