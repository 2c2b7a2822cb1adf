"""An online application confirmed as received (Art. 31(3), issue 20 item 2) on SQLite and PostgreSQL: the day of the
confirmation is the receipt date the reply period counts from; the 登记回执 is issued with it (stating that day) and,
with the applicant's consent to 电子送达, served on the applicant's page; the same through the API and `ogi request
act`; a second confirmation and a reader's are refused. workflows/documents/intake.py IntakeService.confirm."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import OgiError, PermissionDenied, RuleViolation
from tests.conftest import run_ogi
from tests.web_client import csrf, signed_in
from tests.world import AGENCY, user
from workflows.foi import commands as c
from workflows.foi.tasks import ONLINE_CONFIRMATION_LABEL, TaskType

FILED = dt.datetime(2026, 11, 26, 9, 0)  # a Thursday: the clock fixture's now
TWO_WORKING_DAYS_LATER = dt.datetime(2026, 11, 30, 10, 0)  # the Monday after


def file_online(services, request_id: str = "N-1", consent: bool = True) -> None:
    services.requests.receive(c.Receive(
        at=services.clock.now(), request_id=request_id, agency=AGENCY, channel="online", subject="2025年度部门预算",
        applicant={"kind": "natural_person", "name": "张三", "phone": "13800138000", "email": "zhang@example.cn"},
        electronic_service=consent), user(services, "clerk"))


def receipt_of(services, request_id: str) -> dict | None:
    return next((d for d in services.queries.history(request_id)["documents"] if d["type"] == "receipt"), None)


def test_an_online_application_counts_from_the_day_the_agency_confirms_it_art31(services, calendar):
    file_online(services)
    assert receipt_of(services, "N-1") is None  # no receipt while it waits for the agency
    services.clock.advance_to(TWO_WORKING_DAYS_LATER)
    confirmed = services.intake.confirm("N-1", user(services, "clerk"))
    day = TWO_WORKING_DAYS_LATER.date()
    due = calendar.add_working_days(day, 20)
    assert confirmed.confirmed_on == day and confirmed.problems == ()
    assert confirmed.reply_due == due and confirmed.query_code
    history = services.queries.history("N-1")
    assert history["received_at"].startswith("2026-11-26") and history["confirmed_at"] == day.isoformat()
    assert history["clock_start"] == day.isoformat() and history["deadlines"]["reply"]["due"] == due.isoformat()
    confirmation = next(e for e in history["events"] if e["type"] == "receipt_confirmed")
    assert confirmation["actor"] == "clerk" and confirmation["occurred_at"].startswith(day.isoformat())
    receipt = receipt_of(services, "N-1")
    assert receipt["number"] == confirmed.receipt.number and receipt["issued_on"] == day.isoformat()
    assert "自确认收到之日（2026年11月30日）起20个工作日内予以答复" in confirmed.receipt.text
    assert "第三十一条" in confirmed.receipt.text and confirmed.query_code in confirmed.receipt.text


def test_the_receipt_is_served_on_the_applicants_page_only_with_consent_art31(services):
    file_online(services, "N-1", consent=True)
    file_online(services, "N-2", consent=False)
    services.clock.advance_to(TWO_WORKING_DAYS_LATER)
    with_consent = services.intake.confirm("N-1", user(services, "clerk"))
    without = services.intake.confirm("N-2", user(services, "clerk"))
    assert with_consent.served_online and receipt_of(services, "N-1")["service"]["method"] == "electronic"
    assert with_consent.receipt.served_on == TWO_WORKING_DAYS_LATER.date()  # the record as served
    assert not without.served_online and receipt_of(services, "N-2")["state"] == "issued"  # to be served otherwise


def test_a_second_confirmation_is_refused_in_chinese_and_writes_nothing_art31(services):
    file_online(services)
    services.clock.advance_to(TWO_WORKING_DAYS_LATER)
    services.intake.confirm("N-1", user(services, "clerk"))
    version = services.queries.history("N-1")["version"]
    with pytest.raises(RuleViolation, match="已于 2026-11-30 确认，不能再次确认"):
        services.intake.confirm("N-1", user(services, "clerk"))
    assert services.queries.history("N-1")["version"] == version


def test_a_reader_may_not_confirm(services):
    file_online(services)
    with pytest.raises(PermissionDenied):
        services.intake.confirm("N-1", user(services, "auditor"))
    history = services.queries.history("N-1")
    assert history["confirmed_at"] is None and not history["documents"]


def test_a_receipt_that_cannot_be_issued_leaves_the_confirmation_standing(services, monkeypatch):
    file_online(services)
    services.clock.advance_to(TWO_WORKING_DAYS_LATER)

    def fails(*args, **kwargs):
        raise OgiError("数据库暂时不可用")

    monkeypatch.setattr(services.documents, "issue_receipt", fails)
    confirmed = services.intake.confirm("N-1", user(services, "clerk"))
    assert confirmed.receipt is None and "登记回执未能出具（数据库暂时不可用）" in confirmed.problems[0]
    assert services.queries.history("N-1")["confirmed_at"] == "2026-11-30"


def test_a_letter_registered_with_its_receipt_gets_no_second_one_on_confirmation_art31(services):
    services.directory.set_agency(user(services, "admin"), AGENCY, doc_prefix="河东审批")
    registered = services.intake.register({"agency": AGENCY, "kind": "natural_person", "name": "张三",
                                           "channel": "post_plain", "subject": "2025年度部门预算"},
                                          user(services, "clerk"))
    confirmed = services.intake.confirm(registered.request_id, user(services, "clerk"))
    assert confirmed.receipt is None and confirmed.problems == ()
    receipts = [d for d in services.queries.history(registered.request_id)["documents"] if d["type"] == "receipt"]
    assert [d["number"] for d in receipts] == [registered.receipt.number]


def test_the_task_reads_confirm_the_online_application(services):
    file_online(services)
    tasks = services.tasks.listing(user(services, "clerk"))
    confirm = [t for t in tasks if t.type == TaskType.CONFIRM_RECEIPT.value]
    assert [t.label for t in confirm] == [ONLINE_CONFIRMATION_LABEL]
    assert services.tasks.queue.awaiting_confirmation({"N-1"}) == {"N-1"}
    services.intake.confirm("N-1", user(services, "clerk"))
    assert services.tasks.queue.awaiting_confirmation({"N-1"}) == set()


def test_the_api_confirmation_issues_the_receipt_art31(services):
    file_online(services)
    services.clock.advance_to(TWO_WORKING_DAYS_LATER)
    clerk = signed_in(services, "clerk")
    token = {"X-CSRF-Token": csrf(clerk.get("/requests/N-1").text)}
    unknown = clerk.post("/api/v1/requests/N-1/actions/confirm_receipt", headers=token, json={"colour": "红"})
    assert unknown.status_code == 422 and "没有“colour”一项" in unknown.json()["error"]
    done = clerk.post("/api/v1/requests/N-1/actions/confirm_receipt", headers=token, json={})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["confirmed_at"] == "2026-11-30" and body["problems"] == [] and body["query_code"]
    assert any(d["type"] == "receipt" and d["number"] for d in body["documents"])
    again = clerk.post("/api/v1/requests/N-1/actions/confirm_receipt", headers=token, json={})
    assert again.status_code == 422 and "不能再次确认" in again.json()["error"]


def test_an_auditor_is_refused_through_the_api(services):
    file_online(services)
    auditor = signed_in(services, "auditor")
    token = {"X-CSRF-Token": csrf(auditor.get("/tasks").text)}
    refused = auditor.post("/api/v1/requests/N-1/actions/confirm_receipt", headers=token, json={})
    assert refused.status_code == 403
    assert services.queries.history("N-1")["confirmed_at"] is None


def test_the_cli_confirmation_issues_the_receipt_art31(services, database_url):
    file_online(services)
    done = run_ogi(database_url, "request", "act", "N-1", "confirm_receipt", "--at", "2026-11-30", "--as", "clerk")
    assert "已确认收到申请，收到申请之日为 2026-11-30" in done.stdout and "登记回执" in done.stdout
    history = services.queries.history("N-1")
    assert history["confirmed_at"] == "2026-11-30"
    assert any(d["type"] == "receipt" and d["number"] for d in history["documents"])
    again = run_ogi(database_url, "request", "act", "N-1", "confirm_receipt", "--as", "clerk", ok=False)
    assert again.returncode != 0 and "不能再次确认" in again.stderr
