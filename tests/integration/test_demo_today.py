"""`ogi demo load` (issue 19 item 8): its 待办 is the open work of today — no task left over from the imported 2023
year, a few tasks due in the coming days — the 2023 report is the published one still, and the one demo password
the README gives signs every demo account in."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from engine.adapters.database import make_engine
from tests.conftest import REPO_ROOT, run_ogi, user
from tests.web_client import csrf
from web.app import create_app
from workflows.people.accounts import check_password
from workflows.requests.demo import DEMO_PASSWORD, EXAMPLE_CANDIDATES, load_demo, received_for_due
from workflows.tables import users_table

EXAMPLE = REPO_ROOT / "examples" / "hedong-2023.jsonl"
OVERDUE_AT_MOST = dt.timedelta(days=30)  # the demo's own overdue work is recent; a past year's would be years old


@pytest.fixture
def demo(sqlite_services, monkeypatch):
    monkeypatch.delenv("OGI_DEMO_PASSWORD", raising=False)
    load_demo(sqlite_services.directory, sqlite_services.requests, sqlite_services.queries, EXAMPLE)
    return sqlite_services


def test_the_demos_todo_list_is_todays_work_not_a_past_years(demo):
    today = demo.clock.now().date()
    tasks = demo.tasks.listing(user(demo, "zhang"))
    assert tasks and not [t for t in tasks if "-2023-" in t.request_id]  # the 2023 files are closed
    overdue = [t for t in tasks if t.overdue]
    assert overdue and all(today - t.due <= OVERDUE_AT_MOST for t in overdue)  # recent, not 2023
    calendar = demo.queries.calendar()
    soon = {t.request_id for t in tasks if t.due and today <= t.due <= calendar.add_working_days(today, 3)}
    assert len(soon) >= 2, [(t.request_id, t.due) for t in tasks]  # work due in the coming days
    assert tasks[0].overdue  # overdue first, as ever
    head_tasks = demo.tasks.listing(user(demo, "li"))
    assert not [t for t in head_tasks if "-2023-" in t.request_id]


def test_the_2023_replies_are_served_on_their_decision_day_so_the_report_is_the_published_one(demo):
    report = demo.reports.annual(2023, "hedong-xzsp").as_json()
    report.pop("checks")
    assert report == json.loads((REPO_ROOT / "examples" / "hedong-2023.report.json").read_text(encoding="utf-8"))
    admin = user(demo, "admin")
    for line in map(json.loads, EXAMPLE.read_text(encoding="utf-8").splitlines()):
        events = demo.queries.history(line["id"], viewer=admin)["events"]
        decided = [e for e in events if e["type"] == "decided"]
        delivered = [e for e in events if e["type"] == "delivered"]
        assert decided and delivered, line["id"]
        assert delivered[0]["occurred_at"][:10] == decided[0]["occurred_at"][:10]


def test_a_request_due_in_n_working_days_is_received_so_many_working_days_before(demo):
    calendar = demo.queries.calendar()
    today = dt.date(2026, 12, 3)  # a Thursday
    for left in (1, 3, 6):
        received = received_for_due(today, left, calendar)
        assert calendar.add_working_days(received, 20) == calendar.add_working_days(today, left)


def _signs_in(services, username: str, password: str) -> bool:
    client = TestClient(create_app(services))
    answer = client.post("/login", data={"username": username, "password": password,
                                         "csrf_token": csrf(client.get("/login").text)}, follow_redirects=False)
    return answer.status_code == 303 and client.get("/tasks").status_code == 200


def test_the_readmes_demo_password_signs_the_demo_staff_in(demo):
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    promised = re.search(r"password `([^`]+)`", readme)
    assert promised and promised.group(1) == DEMO_PASSWORD
    for username in ("zhang", "li", "wang"):  # this world's admin existed before the demo: it keeps its password
        assert _signs_in(demo, username, DEMO_PASSWORD), username
    assert not _signs_in(demo, "zhang", "wrong-password")


def test_ogi_demo_load_alone_says_which_password_and_honours_ogi_demo_password(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    example = next(p for p in EXAMPLE_CANDIDATES if p.exists())
    loaded = run_ogi(url, "demo", "load", "--example", str(example),
                     env={"OGI_DEMO_PASSWORD": "another-demo-pw", "OGI_ADMIN_PASSWORD": None,
                          "OGI_NEW_USER_PASSWORD": None})
    assert "已添加演示账号：admin、zhang、li、wang；密码均为 another-demo-pw" in loaded.stdout
    again = run_ogi(url, "demo", "load", "--example", str(example))
    assert "已有账号保留原密码" in again.stdout and "another-demo-pw" not in again.stdout
    plain = run_ogi(f"sqlite:///{tmp_path / 'plain.db'}", "demo", "load", "--example", str(example),
                    env={"OGI_DEMO_PASSWORD": None, "OGI_ADMIN_PASSWORD": None, "OGI_NEW_USER_PASSWORD": None})
    assert f"已添加演示账号：admin、zhang、li、wang；密码均为 {DEMO_PASSWORD}" in plain.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    with engine.connect() as conn:
        hashes = dict(conn.execute(select(users_table.c.username, users_table.c.password_hash)).all())
    engine.dispose()
    assert set(hashes) == {"admin", "zhang", "li", "wang"}
    assert all(check_password(DEMO_PASSWORD, stored) for stored in hashes.values())
