"""The role × route matrix (issue 12), generated from the app's routing table: every route, every role, the expected
status; anonymous callers get the login page (pages) or 401 (API); another agency's staff get 403."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.test_web import csrf, signed_in
from tests.test_web import site as site  # noqa: F401 — the fixture
from web.app import create_app
from workflows.foi import commands as c

PARAMS = {"request_id": "W-1", "command": "ask_reasons", "doc_type": "receipt", "step": "approve", "number": "receipt",
          "fmt": "html", "agency": "hedong-xzsp", "year": "2026", "slug": "hedong-xzsp", "message_id": "no-such-message",
          "username": "no-such-user"}
PUBLIC = {"/login", "/lookup", "/healthz"}
ALL_SIGNED_IN = {"/", "/tasks", "/requests", "/audit", "/audit/replay", "/audit/verify", "/stats", "/inbox", "/reports"}
# (path prefix, roles allowed) for pages kept to some roles whatever the agency
ROLE_PAGES = (("/admin", {"admin"}), ("/approvals", {"head", "admin"}))
ANSWERS_TO_ALLOWED = {200, 303, 404, 422}  # allowed: a page, a redirect, an unknown id, or the law's refusal


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


def expected(role: str, method: str, path: str) -> set[int]:
    if path in PUBLIC:
        return {200, 303, 401, 403, 404, 422}  # open to anyone; answers depend on the form
    if role == "anonymous":
        return {303}  # to the login page
    for prefix, roles in ROLE_PAGES:
        if path.startswith(prefix):
            return ANSWERS_TO_ALLOWED if role in roles else {403}
    if path in ALL_SIGNED_IN:
        return ANSWERS_TO_ALLOWED
    writes = method == "POST"
    if role == "auditor" and (writes or path == "/requests/new"):
        return {403}
    if role == "outsider" and ("{request_id}" in path or "{agency}" in path):
        return {403}
    if role == "clerk" and (path == "/requests/{request_id}/documents/{doc_type}/{step}" or path.endswith("/publish")):
        return {403}  # approving a document and publishing the report are for a head or administrator
    return ANSWERS_TO_ALLOWED


@pytest.fixture
def drafted(site):  # noqa: F811
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
def test_the_api_without_credentials_is_401_with_the_error_shape(site, path):  # noqa: F811
    answer = TestClient(create_app(site)).get(path)
    assert answer.status_code == 401 and set(answer.json()) == {"error", "rule"}


def test_an_auditors_token_reads_and_never_writes(site):  # noqa: F811
    from tests.conftest import user

    token = site.web.create_token(user(site, "admin"), "auditor")
    client = TestClient(create_app(site))
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/requests/W-1", headers=auth).status_code == 200
    refused = client.post(f"/api/v1/requests/W-1/actions/{c.AskReasons.name}", headers=auth, json={})
    assert refused.status_code == 403


def test_another_agencys_staff_get_403_from_the_api(site):  # noqa: F811
    from tests.conftest import user

    token = site.web.create_token(user(site, "admin"), "outsider")
    answer = TestClient(create_app(site)).get("/api/v1/requests/W-1", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403
