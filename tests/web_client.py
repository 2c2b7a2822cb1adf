"""The web tests' shared world and clients (FastAPI's TestClient): the `site` fixture of tests/conftest.py builds the
world with `site_world`, `web_as(name)` there gives a client signed in as one of its users (roles in tests/world.py:
admin, head, clerk, auditor; `outsider`, staff of another agency)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from bootstrap import App
from tests.world import AGENCY, PASSWORD, user
from web.app import create_app
from workflows.foi import commands as c
from workflows.people.accounts import Role

__all__ = ["csrf", "signed_in", "site_world"]


def site_world(services: App) -> App:
    """The seeded world with a second agency and its staff `outsider`, the agency's document details, and one
    request W-1 received today from 王五."""
    admin = user(services, "admin")
    services.directory.add_agency(admin, "other-agency", "另一机关")
    services.directory.add_user(admin, "outsider", Role.STAFF, PASSWORD, "外机关经办人", ["other-agency"])
    services.directory.set_agency(admin, AGENCY, doc_prefix="河东审批", review_body="河东区人民政府", court="河东区人民法院")
    services.requests.receive(c.Receive(at=services.clock.now(), request_id="W-1", agency=AGENCY, channel="in_person",
                                        subject="2025年度部门预算", applicant={"kind": "natural_person", "name": "王五",
                                                                          "id_number": "110101199001011237"}),
                              user(services, "clerk"))
    return services


def signed_in(services: App, username: str) -> TestClient:
    """A client of the web app on `services`, signed in through /login (CSRF token and all) as `username`."""
    client = TestClient(create_app(services))
    answer = client.post("/login", data={"username": username, "password": PASSWORD,
                                         "csrf_token": csrf(client.get("/login").text)}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def csrf(page_text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_text).group(1)
