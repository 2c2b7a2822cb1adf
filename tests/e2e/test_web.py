"""The staff web UI and the JSON API (issue 12, DESIGN §10) through FastAPI's TestClient on a real SQLite database:
sign-in with CSRF and lockout, the pages, a step refused in the law's words, agency and role checks, the API's
errors, tokens and the applicant's lookup."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import AGENCY, user
from tests.web_client import csrf
from tests.world import PASSWORD
from web.app import create_app


def test_the_session_cookie_is_httponly_and_samesite_and_the_landing_page_is_the_queue(site):
    client = TestClient(create_app(site))
    form = client.get("/login")
    answer = client.post("/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": csrf(form.text)},
                         follow_redirects=False)
    cookie = answer.headers["set-cookie"]
    assert "ogi_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert answer.headers["location"] == "/tasks"
    assert "我的待办" in client.get("/tasks").text


def test_a_login_without_its_csrf_token_is_refused(site):
    client = TestClient(create_app(site))
    answer = client.post("/login", data={"username": "clerk", "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")  # post/redirect/get
    assert "ogi_session" not in answer.cookies and "登录页面已过期" in client.get(answer.headers["location"]).text


def test_a_form_post_without_the_csrf_token_is_refused_and_nothing_is_written(site, web_as):
    client = web_as("clerk")
    before = site.queries.history("W-1")["version"]
    answer = client.post("/requests/W-1/steps/ask_reasons", data={})
    assert answer.status_code == 403
    assert site.queries.history("W-1")["version"] == before


def test_five_wrong_passwords_lock_the_name(site):
    client = TestClient(create_app(site))
    token = csrf(client.get("/login").text)
    for _ in range(5):
        wrong = client.post("/login", data={"username": "clerk", "password": "wrong", "csrf_token": token})
        assert wrong.status_code == 401
    locked = client.post("/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": token})
    assert locked.status_code == 401 and "锁定" in locked.text


def test_anonymous_pages_go_to_the_login_and_the_api_answers_401(site):
    client = TestClient(create_app(site))
    page = client.get("/requests/W-1", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    api = client.get("/api/v1/requests/W-1")
    assert api.status_code == 401 and set(api.json()) == {"error", "rule"}


def test_the_request_page_masks_the_id_number_and_explains_the_deadline(web_as):
    text = web_as("clerk").get("/requests/W-1").text
    assert "110101199001011237" not in text and "王五" in text
    assert "为什么是这一天" in text and "答复期限" in text


def test_a_step_the_law_refuses_is_shown_in_words_with_its_rule(web_as):
    client = web_as("clerk")
    page = client.get("/requests/W-1")
    refused = client.post("/requests/W-1/steps/request_correction", data={"csrf_token": csrf(page.text)},
                          follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/requests/W-1#refusal"  # post/redirect/get
    shown = client.get("/requests/W-1")
    assert "补正告知书" in shown.text and "依据：《条例》第三十条" in shown.text
    assert "未能办理" not in client.get("/requests/W-1").text  # shown once


def test_a_refusal_cookie_from_another_session_is_not_shown(web_as):
    clerk, other = web_as("clerk"), web_as("head")
    clerk.post("/requests/W-1/steps/request_correction", data={"csrf_token": csrf(clerk.get("/requests/W-1").text)},
               follow_redirects=False)
    planted = clerk.cookies.get("ogi_refusal")
    assert planted
    other.cookies.set("ogi_refusal", planted)
    assert "未能办理" not in other.get("/requests/W-1").text  # signed with the clerk's session, not the head's


def test_a_step_taken_on_the_page_is_recorded_with_the_user(site, web_as):
    client = web_as("clerk")
    token = csrf(client.get("/requests/W-1").text)
    done = client.post("/requests/W-1/steps/assign_department", data={"csrf_token": token, "department": "zhengce"},
                       follow_redirects=False)
    assert done.status_code == 303
    last = site.queries.history("W-1")["events"][-1]
    assert (last["type"], last["actor"], last["payload"]["department"]) == ("department_assigned", "clerk", "zhengce")


def test_staff_of_another_agency_are_refused_and_an_auditor_reads_without_any_step(web_as):
    assert web_as("outsider").get("/requests/W-1").status_code == 403
    auditor = web_as("auditor")
    page = auditor.get("/requests/W-1")
    assert page.status_code == 200 and 'data-step=' not in page.text
    assert auditor.post("/requests/W-1/steps/ask_reasons", data={"csrf_token": csrf(page.text)}).status_code == 403


def test_documents_are_drafted_approved_and_issued_from_the_page(site, web_as):
    clerk = web_as("clerk")
    token = csrf(clerk.get("/requests/W-1").text)
    clerk.post("/requests/W-1/documents/_/draft", data={"csrf_token": token, "doc_type": "reply", "outcome": "disclosed"})
    refused = clerk.post("/requests/W-1/documents/reply/approve", data={"csrf_token": token})
    assert refused.status_code == 403  # a clerk does not approve
    head = web_as("head")
    head_token = csrf(head.get("/requests/W-1").text)
    assert head.post("/requests/W-1/documents/reply/approve", data={"csrf_token": head_token},
                     follow_redirects=False).status_code == 303
    clerk.post("/requests/W-1/documents/reply/issue", data={"csrf_token": token})
    history = site.queries.history("W-1")
    assert history["state"] == "decided" and history["documents"][0]["number"].startswith("河东审批依申复")
    number = history["documents"][0]["number"]
    assert "政府信息公开申请答复书" in clerk.get(f"/requests/W-1/documents/{number}.html").text


def test_the_api_with_a_token_registers_acts_and_answers_with_the_rule(site):
    token = site.web.create_token(user(site, "admin"), "clerk")
    client = TestClient(create_app(site))
    auth = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/requests", headers=auth, json={
        "agency": AGENCY, "applicant": {"kind": "natural_person", "name": "赵六"}, "channel": "online", "subject": "某批复"})
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    assert request_id.startswith(f"{AGENCY}-") and created.json()["deadlines"]["reply"]["due"]
    refused = client.post(f"/api/v1/requests/{request_id}/actions/notify_fee", headers=auth,
                          json={"amount_yuan": 100, "method": "per_request"})
    assert refused.status_code == 422 and refused.json()["rule"] == "109号 Art. 3–5"
    assert client.get("/api/v1/requests/W-1", headers=auth).json()["id"] == "W-1"
    assert client.get("/api/v1/tasks", headers=auth).status_code == 200
    assert client.get("/api/v1/requests/nope", headers=auth).status_code == 404
    bad = client.get("/api/v1/tasks", headers={"Authorization": "Bearer wrong"})
    assert bad.status_code == 401
    assert "/requests/{request_id}/actions/{command}" in client.get("/api/v1/openapi.json").json()["paths"]


def test_the_applicant_sees_progress_with_the_query_code_and_nothing_with_a_wrong_one(site):
    code = site.documents.lookup_code(_state(site, "W-1"))
    client = TestClient(create_app(site))
    found = client.post("/lookup", data={"request_id": "W-1", "query_code": code})
    assert found.status_code == 200 and 'id="lookup-state"' in found.text and "W-1" in found.text
    assert "王五" not in found.text
    wrong = client.post("/lookup", data={"request_id": "W-1", "query_code": "00000000"})
    assert wrong.status_code == 404 and "不正确" in wrong.text


def _state(services, request_id):
    with services.engine.connect() as conn:
        return services.requests.load(conn, request_id).state


def test_healthz_answers_when_the_database_does(site):
    answer = TestClient(create_app(site)).get("/healthz")
    assert answer.status_code == 200 and answer.json()["database"] == "ok"


def test_malformed_api_input_is_422_in_the_error_shape_naming_the_field(site):
    token = site.web.create_token(user(site, "admin"), "clerk")
    answer = TestClient(create_app(site)).get("/api/v1/requests?page=first", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 422 and answer.json()["rule"] == "input" and "page" in answer.json()["error"]
