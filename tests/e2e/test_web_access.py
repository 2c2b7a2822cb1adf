"""The role × route matrix (issue 12), generated from the app's routing table: every route, every role, the expected
status; anonymous callers get the login page (pages) or 401 (API); another agency's staff get 403."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.web_client import csrf, signed_in
from web.app import create_app
from workflows.foi import commands as c
from workflows.people import access
from workflows.people.access import Action
from workflows.people.accounts import Role

PARAMS = {"request_id": "W-1", "command": "ask_reasons", "doc_type": "receipt", "step": "approve", "number": "receipt",
          "fmt": "html", "agency": "hedong-xzsp", "year": "2026", "slug": "hedong-xzsp", "message_id": "no-such-message",
          "username": "no-such-user", "approval_id": "W-1:no-such-approval", "position": "0",
          "attachment_id": "1", "sha256": "0" * 64}
PUBLIC = {"/login", "/lookup", "/healthz", "/lookup/forget", "/lookup/documents/{position}.pdf",
          # the online door (issue 20): the applicant's own pages, opened by a code, never by a staff session
          "/apply", "/apply/code", "/apply/resend", "/apply/done", "/my", "/my/code", "/my/logout", "/my/request",
          "/my/correction", "/my/withdraw", "/my/notices", "/my/documents/{position}.pdf", "/my/files/{sha256}"}
ANSWERS_TO_ALLOWED = {200, 201, 303, 404, 422}  # allowed: a page, a redirect, an unknown id, or the law's refusal
# the signed-in users of the matrix: (role, works for the agency of W-1 and of the report)
ROLES = {"admin": (Role.ADMIN, False), "head": (Role.HEAD, True), "clerk": (Role.STAFF, True),
         "auditor": (Role.AUDITOR, False), "outsider": (Role.STAFF, False)}

# The action each route takes in the policy table (workflows/people/access.py POLICY), and whether it names the agency (the
# request's or the report's). None: any signed-in user, the page showing only what they may read. Expected answers
# come from the table, as the CLI matrix's (tests/integration/test_cli_access.py).
ROUTE_ACTIONS: dict[tuple[str, str], tuple[Action, bool] | None] = {
    **{("GET", path): None for path in ("/", "/tasks", "/requests", "/audit", "/audit/replay", "/stats", "/inbox",
                                        "/reports")},
    ("POST", "/audit/verify"): None,
    ("GET", "/requests/new"): (Action.WRITE_REQUEST, False),
    ("POST", "/requests/new"): (Action.WRITE_REQUEST, False),  # the empty form names no agency: 422
    ("GET", "/requests/{request_id}"): (Action.READ_REQUEST, True),
    ("POST", "/requests/{request_id}/steps/{command}"): (Action.WRITE_REQUEST, True),
    ("POST", "/requests/{request_id}/documents/{doc_type}/{step}"): (Action.APPROVE_DOCUMENT, True),  # step: approve
    ("GET", "/requests/{request_id}/documents/{number}.{fmt}"): (Action.READ_DOCUMENT, True),
    ("GET", "/requests/{request_id}/registered"): (Action.READ_DOCUMENT, True),  # the receipt and the 附件
    ("GET", "/requests/{request_id}/documents/{doc_type}/edit"): (Action.READ_DOCUMENT, True),  # saving writes
    ("GET", "/requests/{request_id}/attachments"): (Action.READ_DOCUMENT, True),
    ("GET", "/requests/{request_id}/attachments/{attachment_id}"): (Action.EXPORT_CASE_FILE, True),  # personal data
    ("POST", "/requests/{request_id}/attachments"): (Action.WRITE_REQUEST, True),
    ("POST", "/requests/{request_id}/correction"): (Action.WRITE_REQUEST, True),
    ("GET", "/reports/{agency}/{year:int}"): (Action.READ_REPORT, True),
    ("GET", "/reports/{agency}/{year:int}.{fmt}"): (Action.READ_REPORT, True),
    ("GET", "/reports/{agency}/{year:int}/cell"): (Action.READ_REPORT, True),
    ("POST", "/reports/{agency}/{year:int}/publish"): (Action.PUBLISH_REPORT, True),
    ("POST", "/reports/{agency}/{year:int}/register"): (Action.WRITE_REGISTER, True),
    ("GET", "/approvals"): (Action.READ_APPROVALS, False),
    ("POST", "/tasks/claim"): (Action.ASSIGN_TASK, False),  # the empty form names no task, so no agency
    ("POST", "/tasks/assign"): (Action.ASSIGN_TASK, False),
    ("POST", "/tasks/confirm"): (Action.WRITE_REQUEST, False),  # the empty form names no request
    ("GET", "/requests/{request_id}/released"): (Action.READ_DOCUMENT, True),
    ("GET", "/requests/{request_id}/released/{sha256}"): (Action.EXPORT_CASE_FILE, True),  # the agency's staff
    ("POST", "/requests/{request_id}/released"): (Action.WRITE_DOCUMENT, True),
}
# families of routes that take one action whatever the rest of the path (method or None for both)
ROUTE_PREFIXES: tuple[tuple[str, str | None, Action], ...] = (
    ("/admin", None, Action.ADMINISTER), ("/approvals/", "POST", Action.DECIDE_APPROVAL))
API_ACTIONS: dict[tuple[str, str], tuple[Action, bool] | None] = {
    ("GET", "/requests"): None, ("GET", "/tasks"): None,
    ("POST", "/requests"): (Action.WRITE_REQUEST, False),
    ("GET", "/requests/{request_id}"): (Action.READ_REQUEST, True),
    ("POST", "/requests/{request_id}/actions/{command}"): (Action.WRITE_REQUEST, True),
    ("POST", "/requests/{request_id}/documents/{doc_type}/{step}"): (Action.APPROVE_DOCUMENT, True),  # step: approve
    ("GET", "/approvals"): (Action.READ_APPROVALS, False),
    ("POST", "/approvals/{approval_id}/approve"): (Action.DECIDE_APPROVAL, False),
    ("POST", "/approvals/{approval_id}/reject"): (Action.DECIDE_APPROVAL, False),
    ("GET", "/reports/{agency}/{year}"): (Action.READ_REPORT, True),
}


def _flattened(routes) -> list:
    out = []
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI wraps an included router
        out.extend(_flattened(included.routes) if included is not None else [route])
    return out


def page_routes(app) -> list[tuple[str, str]]:
    routes = []
    for route in _flattened(app.routes):
        if isinstance(route, APIRoute):
            for method in sorted(route.methods - {"HEAD"}):
                routes.append((method, route.path))
    return routes


def concrete(path: str) -> str:
    params = {**PARAMS, "fmt": "json"} if path.startswith("/reports/") else PARAMS
    url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: params[m.group(1)], path)
    return url + "?row=disclosed&column=natural_person" if url.endswith("/cell") else url


def route_action(method: str, path: str, table=ROUTE_ACTIONS) -> tuple[Action, bool] | None:
    if (method, path) in table:
        return table[(method, path)]
    for prefix, on, action in ROUTE_PREFIXES if table is ROUTE_ACTIONS else ():
        if path.startswith(prefix) and on in (None, method):
            return action, False
    raise AssertionError(f"{method} {path}: say which action of workflows/people/access.py it takes (ROUTE_ACTIONS)")


# the API's doors for machines that are not users (issue 20): a 政务服务网's platform token, a payment platform's
# signature; a user's token or none is refused (403 / 401), an unsigned callback 401, and 503 without its secret
OWN_CREDENTIALS = {"/applications", "/applications/{request_id}", "/payments/callback"}


def expected(role: str, method: str, path: str, table=ROUTE_ACTIONS) -> set[int]:
    if table is API_ACTIONS and path in OWN_CREDENTIALS:
        return {401, 403, 503} if path == "/payments/callback" else ({401} if role == "anonymous" else {403})
    if path in PUBLIC:
        return {200, 303, 401, 403, 404, 422}  # open to anyone; answers depend on the form
    if role == "anonymous":
        return {303} if table is ROUTE_ACTIONS else {401}  # pages send to the login page
    taken = route_action(method, path, table)
    if taken is None:
        return ANSWERS_TO_ALLOWED
    action, names_agency = taken
    user_role, works_there = ROLES[role]
    allowed = access.allows(user_role, action, own_agency=works_there or not names_agency)
    return ANSWERS_TO_ALLOWED if allowed else {403}


@pytest.fixture
def drafted(site):
    site.documents.draft("W-1", "receipt", __import__("tests.conftest", fromlist=["user"]).user(site, "clerk"))
    return site


@pytest.mark.parametrize("role", ["anonymous", "admin", "head", "clerk", "auditor", "outsider"])
def test_every_route_answers_every_role_as_its_rights_say(drafted, role):
    app = create_app(drafted)
    client = TestClient(app) if role == "anonymous" else signed_in(drafted, role)
    token = csrf(client.get("/login" if role == "anonymous" else "/tasks").text)
    checked = 0
    for method, path in page_routes(app):
        if path in ("/logout", "/login"):
            continue  # signing out would end the session the rest of the matrix uses; /login is tested on its own
        url = concrete(path)
        if method == "GET":
            answer = client.get(url, follow_redirects=False)
        else:
            answer = client.post(url, data={"csrf_token": token}, follow_redirects=False)
        allowed = expected(role, method, path)
        assert answer.status_code in allowed, f"{role} {method} {path}: {answer.status_code}"
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("path", ["/api/v1/requests", "/api/v1/requests/W-1", "/api/v1/tasks",
                                  "/api/v1/reports/hedong-xzsp/2026"])
def test_the_api_without_credentials_is_401_with_the_error_shape(site, path):
    answer = TestClient(create_app(site)).get(path)
    assert answer.status_code == 401 and set(answer.json()) == {"error", "rule"}


def test_an_auditors_token_reads_and_never_writes(site):
    from tests.conftest import user

    token = site.web.create_token(user(site, "admin"), "auditor")
    client = TestClient(create_app(site))
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/requests/W-1", headers=auth).status_code == 200
    refused = client.post(f"/api/v1/requests/W-1/actions/{c.AskReasons.name}", headers=auth, json={})
    assert refused.status_code == 403


def test_another_agencys_staff_get_403_from_the_api(site):
    from tests.conftest import user

    token = site.web.create_token(user(site, "admin"), "outsider")
    answer = TestClient(create_app(site)).get("/api/v1/requests/W-1", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403


@pytest.mark.parametrize("role", ["anonymous", "admin", "head", "clerk", "auditor", "outsider"])
def test_every_api_operation_answers_every_role_as_the_policy_table_says(drafted, role):
    from tests.conftest import user

    api = next(route.app for route in create_app(drafted).routes if getattr(route, "path", "") == "/api/v1")
    client = TestClient(create_app(drafted))
    auth = {} if role == "anonymous" else {"Authorization": f"Bearer {drafted.web.create_token(user(drafted, 'admin'), role)}"}
    for method, path in page_routes(api):  # an operation missing from API_ACTIONS fails in route_action
        url = "/api/v1" + concrete(path)
        body = {"reason": "审批意见"} if "/approvals/" in path else {}  # a valid body: the answer is about access
        answer = client.get(url, headers=auth) if method == "GET" else client.post(url, headers=auth, json=body)
        allowed = expected(role, method, path, API_ACTIONS)
        assert answer.status_code in allowed, f"{role} {method} {path}: {answer.status_code} {answer.text[:200]}"
