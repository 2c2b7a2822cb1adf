"""Approvals are acts of the approver (issue 17, DESIGN §9): an extension (Art. 33) and a void asked for by staff wait
in the head's 审批 list and are granted or rejected by a head or administrator of the request's agency, who is the
actor of the events; a draft is approved or sent back with the 审批意见; a live request's decision is the issued
reply's. The service paths here; the CLI and the API at the end."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from engine.errors import NotFound, OgiError, PermissionDenied, RuleViolation
from tests.builders import load, request_line
from tests.conftest import AGENCY, user
from tests.world import PASSWORD
from web.app import create_app
from workflows.foi import commands as c
from workflows.people.accounts import Role
from workflows.streams import request_stream

REQUEST = "AP-1"


@pytest.fixture
def office(services):  # on SQLite and on PostgreSQL
    admin = user(services, "admin")
    services.directory.set_agency(admin, AGENCY, doc_prefix="河东审批", review_body="河东区人民政府",
                                  court="河东区人民法院")
    services.directory.add_agency(admin, "other-agency", "另一机关")
    services.directory.add_user(admin, "other-head", Role.HEAD, PASSWORD, "外机关负责人", ["other-agency"])
    services.directory.add_agency(admin, "city", "市政府办公室")
    services.directory.add_user(admin, "city-head", Role.HEAD, PASSWORD, "市办负责人", ["city"])
    with services.engine.begin() as conn:  # hedong-xzsp is under the city's office
        from workflows.tables import agencies_table

        conn.execute(agencies_table.update().where(agencies_table.c.slug == AGENCY).values(parent="city"))
    receive(services, REQUEST)
    return services


def receive(services, request_id: str) -> None:
    services.requests.receive(c.Receive(at=services.clock.now(), request_id=request_id, agency=AGENCY,
                                        applicant={"kind": "natural_person", "name": "王五"}, channel="in_person",
                                        subject="2025年度部门预算"), user(services, "clerk"))


def events(services, request_id: str = REQUEST):
    with services.engine.connect() as conn:
        return services.store.read_stream(conn, request_stream(request_id))


def state(services, request_id: str = REQUEST):
    with services.engine.connect() as conn:
        return services.requests.load(conn, request_id).state


def reply_due(services, request_id: str = REQUEST):
    return state(services, request_id).deadlines["reply"].due


def ask_extension(services, days: int = 15, request_id: str = REQUEST) -> str:
    services.requests.act(request_id, lambda now: c.Extend(at=now, working_days=days, reason="涉及多个部门，需调取档案"),
                          user(services, "clerk"))
    [pending] = [p for p in services.approvals.listing(user(services, "head")) if p.request_id == request_id]
    return pending.id


# -- extensions (Art. 33: 经政府信息公开工作机构负责人同意) -------------------------------------------------------------

def test_clerk_extension_waits_for_head_art33(office):
    due_before = reply_due(office)
    approval_id = ask_extension(office)
    assert state(office).extension_days == 0 and reply_due(office) == due_before  # nothing extended yet
    [listed] = office.approvals.listing(user(office, "head"))
    assert (listed.id, listed.kind, listed.step, listed.requested_by) == (
        approval_id, "extend", {"working_days": 15, "reason": "涉及多个部门，需调取档案"}, "clerk")
    assert listed.reason == "涉及多个部门，需调取档案" and listed.due == due_before
    office.approvals.approve(approval_id, user(office, "head"), "同意延长")
    after = state(office)
    assert after.extension_days == 15 and after.extension_approved_by == "head" and reply_due(office) > due_before
    assert office.approvals.listing(user(office, "head")) == []


def test_the_approvals_actor_is_the_head_and_the_request_the_clerks_art33(office):
    approval_id = ask_extension(office)
    office.approvals.approve(approval_id, user(office, "head"))
    stream = events(office)
    by_type = {e.type: e for e in stream}
    asked, granted, extended = by_type["approval_requested"], by_type["approval_granted"], by_type["extended"]
    assert asked.actor == "clerk" and asked.payload["kind"] == "extend" and asked.payload["approval_id"] == "a1"
    assert granted.actor == "head" and granted.payload["approval_id"] == "a1"
    assert extended.actor == "head" and extended.payload["approved_by"] == "head"
    assert stream.index(granted) + 1 == stream.index(extended)  # one append: the consent and the step


def test_an_approver_named_by_the_clerk_is_refused_with_the_way_art33(office):
    with pytest.raises(RuleViolation, match="不能代填批准人") as refused:
        office.requests.act(REQUEST, lambda now: c.Extend(at=now, approved_by="head"), user(office, "clerk"))
    assert "Art. 33" in refused.value.rule
    with pytest.raises(RuleViolation, match="不能代填批准人（approved_by “head”）"):  # the head himself names no one
        office.requests.act(REQUEST, lambda now: c.Extend(at=now, approved_by="head"), user(office, "head"))
    assert [e.type for e in events(office)] == ["received"]


def test_a_head_who_extends_records_his_own_approval_art33(office):
    office.requests.act(REQUEST, lambda now: c.Extend(at=now, working_days=10), user(office, "head"))
    extended = events(office)[-1]
    assert (extended.type, extended.actor, extended.payload["approved_by"]) == ("extended", "head", "head")
    assert not any(e.type.startswith("approval_") for e in events(office))


def test_a_head_decides_a_pending_ask_in_the_approvals_not_beside_it_art33(office):
    ask_extension(office)
    with pytest.raises(RuleViolation, match="请在审批中同意或不同意，不能另行办理"):
        office.requests.act(REQUEST, lambda now: c.Extend(at=now, working_days=5), user(office, "head"))
    assert state(office).extension_days == 0


def test_a_head_of_another_agency_is_refused_art33(office):
    approval_id = ask_extension(office)
    outsider = user(office, "other-head")
    assert office.approvals.listing(outsider) == []
    with pytest.raises(PermissionDenied, match="无权审批其他机关的事项"):
        office.approvals.approve(approval_id, outsider)
    with pytest.raises(PermissionDenied):
        office.approvals.reject(approval_id, outsider, "不同意")
    with pytest.raises(PermissionDenied):  # nor by extending himself
        office.requests.act(REQUEST, lambda now: c.Extend(at=now), outsider)
    assert state(office).extension_days == 0


def test_a_head_of_the_agency_above_and_an_administrator_approve_art33(office):
    approval_id = ask_extension(office)
    assert [p.id for p in office.approvals.listing(user(office, "city-head"))] == [approval_id]
    office.approvals.approve(f"{REQUEST}:a1", user(office, "city-head"))
    assert state(office).extension_approved_by == "city-head"
    receive(office, "AP-2")
    office.approvals.approve(ask_extension(office, request_id="AP-2"), user(office, "admin"))
    assert state(office, "AP-2").extension_approved_by == "admin"


def test_an_auditor_and_a_clerk_are_refused_art33(office):
    approval_id = ask_extension(office)
    for name in ("auditor", "clerk"):
        with pytest.raises(PermissionDenied, match="无权审批"):
            office.approvals.listing(user(office, name))
        with pytest.raises(PermissionDenied):
            office.approvals.approve(approval_id, user(office, name))
    assert state(office).extension_days == 0


def test_a_rejected_extension_leaves_the_period_unchanged_art33(office):
    due_before = reply_due(office)
    approval_id = ask_extension(office)
    with pytest.raises(RuleViolation, match="审批意见"):
        office.approvals.reject(approval_id, user(office, "head"), "  ")
    office.approvals.reject(approval_id, user(office, "head"), "材料已齐，按期答复")
    rejected = events(office)[-1]
    assert (rejected.type, rejected.actor, rejected.payload["opinion"]) == ("approval_rejected", "head", "材料已齐，按期答复")
    assert state(office).extension_days == 0 and reply_due(office) == due_before
    assert office.approvals.listing(user(office, "head")) == []
    with pytest.raises(NotFound, match="不在待审批之列"):
        office.approvals.approve(approval_id, user(office, "head"))
    ask_extension(office)  # asked again, it waits again


def test_an_extension_is_asked_for_only_once_at_a_time_and_only_when_the_law_allows_it_art33(office):
    ask_extension(office)
    with pytest.raises(RuleViolation, match="正等待负责人审批，不能重复提请"):
        office.requests.act(REQUEST, lambda now: c.Extend(at=now), user(office, "clerk"))
    with pytest.raises(RuleViolation, match="延长的期限（working_days）应为 1 至 20 个工作日，不能是 30"):
        receive(office, "AP-3")
        office.requests.act("AP-3", lambda now: c.Extend(at=now, working_days=30), user(office, "clerk"))


def test_an_extension_approved_after_the_reply_period_is_late_art33(office):
    approval_id = ask_extension(office)
    office.clock.advance_to(office.clock.now() + dt.timedelta(days=40))  # the head lets the period run out
    office.approvals.approve(approval_id, user(office, "head"))
    assert "late_extension" in state(office).flags  # the consent, not the asking, must fall in the period


def test_ids_are_scoped_and_malformed_ids_are_unknown(office):
    with pytest.raises(NotFound):
        office.approvals.approve("AP-1:a9", user(office, "head"))
    with pytest.raises(NotFound):
        office.approvals.approve("no-colon", user(office, "head"))
    with pytest.raises(NotFound):
        office.approvals.approve("nope:a1", user(office, "head"))


# -- void_step (记录更正) --------------------------------------------------------------------------------------------

def test_void_step_waits_for_head_and_a_rejection_keeps_the_step(office):
    clerk, head = user(office, "clerk"), user(office, "head")
    office.requests.act(REQUEST, lambda now: c.AskReasons(at=now), clerk)
    mistaken = events(office)[-1].version
    office.requests.act(REQUEST, lambda now: c.VoidStep(at=now, version=mistaken, reason="误录"), clerk)
    assert state(office).reasons_requested_on is not None  # not voided yet
    with pytest.raises(RuleViolation, match="不能代填批准人"):
        office.requests.act(REQUEST, lambda now: c.VoidStep(at=now, version=mistaken, reason="误录",
                                                            approved_by="head"), clerk)
    [pending] = office.approvals.listing(head)
    assert pending.kind == "void_step" and pending.step == {"version": mistaken, "reason": "误录"}
    office.approvals.reject(pending.id, head, "并非误录")
    assert state(office).reasons_requested_on is not None
    office.requests.act(REQUEST, lambda now: c.VoidStep(at=now, version=mistaken, reason="确系误录"), clerk)
    [again] = office.approvals.listing(head)
    office.approvals.approve(again.id, head)
    voided = events(office)[-1]
    assert (voided.type, voided.actor, voided.payload["approved_by"]) == ("step_voided", "head", "head")
    assert state(office).reasons_requested_on is None


# -- a document's 审核 ------------------------------------------------------------------------------------------------

def test_a_document_draft_is_returned_with_the_opinion_to_its_drafter(office):
    clerk, head = user(office, "clerk"), user(office, "head")
    office.documents.draft(REQUEST, "reply", clerk, outcome="disclosed")
    [listed] = office.approvals.listing(head)
    assert (listed.id, listed.kind, listed.requested_by, listed.step["doc_type"]) == (
        f"{REQUEST}:d1", "document", "clerk", "reply")
    office.approvals.reject(listed.id, head, "答复依据引用有误，请修改")
    sent_back = events(office)[-1]
    assert (sent_back.type, sent_back.actor, sent_back.payload["opinion"]) == (
        "document_sent_back", "head", "答复依据引用有误，请修改")
    [document] = state(office).documents
    assert document.state == "sent_back" and document.review_opinion == "答复依据引用有误，请修改"
    assert office.approvals.listing(head) == []
    assert [t.type for t in office.tasks.listing(clerk)].count("revise_document") == 1
    with pytest.raises(RuleViolation, match="只有草稿的文书可以审核"):
        office.documents.approve(REQUEST, "reply", head)
    office.documents.draft(REQUEST, "reply", clerk, outcome="disclosed")  # revised
    office.approvals.approve(f"{REQUEST}:d1", head)
    assert state(office).documents[0].state == "approved" and state(office).documents[0].approved_by == "head"
    office.documents.issue(REQUEST, "reply", clerk)
    assert state(office).stage == "decided" and events(office)[-1].type == "decided"


def test_a_head_of_another_agency_does_not_approve_a_document(office):
    office.documents.draft(REQUEST, "receipt", user(office, "clerk"))
    with pytest.raises(PermissionDenied):
        office.documents.approve(REQUEST, "receipt", user(office, "other-head"))
    with pytest.raises(PermissionDenied):
        office.approvals.approve(f"{REQUEST}:d1", user(office, "other-head"))
    assert state(office).documents[0].state == "draft"


# -- the decision (Art. 36): only by issuing the approved reply on a live request ------------------------------------

def test_decide_is_refused_on_a_live_request_with_the_way_art36(office):
    with pytest.raises(RuleViolation, match="起草答复书 → 负责人审核 → 印发"):
        office.requests.act(REQUEST, lambda now: c.Decide(at=now, outcome="disclosed"), user(office, "head"))
    assert state(office).stage == "processing"


def test_decide_is_kept_in_an_imported_history_art36(office):
    load(office, request_line("AP-IMP", "2026-10-09", {"type": "extended", "at": "2026-10-20", "working_days": 10,
                                                        "approved_by": "李主任"},
                              {"type": "decided", "at": "2026-10-28", "outcome": "disclosed"}))
    imported = state(office, "AP-IMP")
    assert imported.stage == "decided" and imported.extension_approved_by == "李主任"


def test_the_step_forms_offer_no_decision_and_no_approver_field_on_a_live_request():
    from workflows.foi.state import Stage
    from workflows.requests.step_forms import steps_for

    live = steps_for(Stage.PROCESSING)
    assert "decide" not in [s.command for s in live]
    assert "decide" in [s.command for s in steps_for(Stage.PROCESSING, imported=True)]
    extend = next(s for s in live if s.command == "extend")
    assert "approved_by" not in [f.name for f in extend.fields]


# -- the doors: CLI and API ------------------------------------------------------------------------------------------

def test_the_cli_asks_lists_and_approves_as_the_head_art33(ready):
    ogi = ready
    ogi("user", "add", "li", "--role", "head", "--agency", AGENCY)
    ogi("user", "add", "zhang", "--role", "staff", "--agency", AGENCY)
    ogi("request", "new", "--id", "C-1", "--agency", AGENCY, "--kind", "natural_person", "--name", "王五",
        "--channel", "in_person", "--subject", "s", "--as", "zhang")
    refused = ogi("request", "act", "C-1", "extend", "--approved-by", "li", "--as", "zhang", ok=False)
    assert refused.returncode != 0 and "不能代填批准人" in refused.stderr
    asked = ogi("request", "act", "C-1", "extend", "--working-days", "10", "--as", "zhang")
    assert "C-1:a1" in asked.stdout
    assert ogi("approval", "list", "--as", "zhang", ok=False).returncode == 77
    [listed] = json.loads(ogi("approval", "list", "--format", "json", "--as", "li").stdout)
    assert listed["id"] == "C-1:a1" and listed["requested_by"] == "zhang"
    assert ogi("approval", "reject", "C-1:a1", "--as", "li", ok=False).returncode != 0  # --reason is required
    ogi("approval", "approve", "C-1:a1", "--as", "li")
    history = json.loads(ogi("history", "C-1", "--format", "json").stdout)
    extended = [e for e in history["events"] if e["type"] == "extended"]
    assert extended and extended[0]["actor"] == "li" and extended[0]["payload"]["approved_by"] == "li"


def _client(services, name: str) -> tuple[TestClient, dict]:
    token = services.web.create_token(user(services, "admin"), name)
    return TestClient(create_app(services)), {"Authorization": f"Bearer {token}"}


def test_the_api_lists_approves_and_rejects_as_the_signed_in_head_art33(office):
    clerk_api, clerk = _client(office, "clerk")
    asked = clerk_api.post(f"/api/v1/requests/{REQUEST}/actions/extend", headers=clerk, json={"working_days": 5})
    assert asked.status_code == 200, asked.text
    named = clerk_api.post(f"/api/v1/requests/{REQUEST}/actions/extend", headers=clerk, json={"approved_by": "head"})
    assert named.status_code == 422 and "不能代填批准人" in named.json()["error"]
    assert clerk_api.get("/api/v1/approvals", headers=clerk).status_code == 403
    api, head = _client(office, "head")
    [listed] = api.get("/api/v1/approvals", headers=head).json()
    assert listed["id"] == f"{REQUEST}:a1" and listed["kind"] == "extend" and listed["requested_by"] == "clerk"
    other_api, other = _client(office, "other-head")
    assert other_api.post(f"/api/v1/approvals/{REQUEST}:a1/approve", headers=other).status_code == 403
    assert api.post(f"/api/v1/approvals/{REQUEST}:a1/reject", headers=head, json={}).status_code == 422
    done = api.post(f"/api/v1/approvals/{REQUEST}:a1/approve", headers=head, json={"reason": "同意"})
    assert done.status_code == 200 and done.json()["decision"] == "granted" and done.json()["approver"] == "head"
    assert state(office).extension_approved_by == "head"
    assert api.post(f"/api/v1/approvals/{REQUEST}:a1/approve", headers=head).status_code == 404
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {"/approvals", "/approvals/{approval_id}/approve", "/approvals/{approval_id}/reject"} <= set(paths)


def test_the_approvals_page_approves_with_the_csrf_token_and_shows_a_refusal(office):
    from tests.web_client import csrf, signed_in

    ask_extension(office)
    head = signed_in(office, "head")
    page = head.get("/approvals")
    assert page.status_code == 200 and f'data-approval="{REQUEST}:a1"' in page.text and "审批意见" in page.text
    token = csrf(page.text)
    assert head.post(f"/approvals/{REQUEST}:a1/approve", data={"reason": "x"}).status_code == 403  # no CSRF token
    refused = head.post(f"/approvals/{REQUEST}:a1/reject", data={"csrf_token": token, "reason": ""})
    # post/redirect/get: the refusal is shown on /approvals after the 303, once
    assert refused.status_code == 200 and refused.history[0].status_code == 303 and "审批意见" in refused.text
    done = head.post(f"/approvals/{REQUEST}:a1/approve", data={"csrf_token": token, "reason": "同意"},
                     follow_redirects=False)
    assert done.status_code == 303 and state(office).extension_approved_by == "head"
    assert signed_in(office, "clerk").get("/approvals").status_code == 403


def test_the_request_page_sends_a_draft_back_with_the_opinion(office):
    from tests.web_client import csrf, signed_in

    office.documents.draft(REQUEST, "reply", user(office, "clerk"), outcome="disclosed")
    head = signed_in(office, "head")
    token = csrf(head.get(f"/requests/{REQUEST}").text)
    sent = head.post(f"/requests/{REQUEST}/documents/reply/send_back",
                     data={"csrf_token": token, "reason": "请补充法律依据"}, follow_redirects=False)
    assert sent.status_code == 303
    [document] = office.queries.history(REQUEST)["documents"]
    assert (document["state"], document["review_opinion"]) == ("sent_back", "请补充法律依据")
    assert "审批意见：请补充法律依据" in signed_in(office, "clerk").get(f"/requests/{REQUEST}").text


def test_the_request_page_shows_what_waits_for_the_head(office):
    from tests.web_client import signed_in

    ask_extension(office)
    page = signed_in(office, "clerk").get(f"/requests/{REQUEST}")
    assert f'data-approval="{REQUEST}:a1"' in page.text and "待负责人审批" in page.text
    assert office.queries.history(REQUEST)["approvals"][0]["status"] == "pending"


def test_the_reply_carries_the_decisions_reasons_and_form_to_its_issue_art36_art40(office):
    clerk, head = user(office, "clerk"), user(office, "head")
    office.documents.draft(REQUEST, "reply", clerk, outcome="partial",
                           decision={"reasons": "第三页含个人信息，已作区分处理", "form_provided": "electronic"})
    office.documents.approve(REQUEST, "reply", head)
    office.documents.issue(REQUEST, "reply", clerk)
    decided = events(office)[-1]
    assert decided.type == "decided" and decided.payload["reasons"] == "第三页含个人信息，已作区分处理"
    assert state(office).form_provided == "electronic" and state(office).decision_reasons.startswith("第三页")
    with pytest.raises(OgiError, match="只有答复书写明答复的理由"):
        office.documents.draft(REQUEST, "receipt", clerk, decision={"reasons": "x"})


def test_a_hostile_reason_and_opinion_are_shown_as_text_on_the_approvals_and_request_pages(office):
    from tests.web_client import csrf, signed_in

    hostile = '<b id="planted" hx-post="/admin/users" hx-trigger="load">x</b>'
    office.requests.act(REQUEST, lambda now: c.Extend(at=now, working_days=5, reason=hostile), user(office, "clerk"))
    head = signed_in(office, "head")
    page = head.get("/approvals")
    assert page.status_code == 200
    assert 'id="planted"' not in page.text and "&lt;b id=&#34;planted&#34;" in page.text
    refused = head.post(f"/approvals/{REQUEST}:a1/reject", data={"csrf_token": csrf(page.text), "reason": hostile})
    assert refused.status_code in (200, 303), refused.text
    shown = signed_in(office, "clerk").get(f"/requests/{REQUEST}").text
    assert 'id="planted"' not in shown and 'hx-post="/admin/users"' not in shown
    assert office.queries.history(REQUEST)["approvals"][0]["status"] == "rejected"
