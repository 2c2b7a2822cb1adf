"""How often one page view folds the request's log (issue 18): the request page and its deadline explainer share one
load (RequestQueries.view), a refused step adds only its own transaction's, and the agency of a request is read from
its sealed row (the log's first event when the seal does not hold), not by folding the log."""

from __future__ import annotations

import pytest
from sqlalchemy import text

import workflows.streams
from tests.conftest import AGENCY, user
from tests.web_client import csrf, signed_in
from tests.world import PASSWORD
from workflows.foi import commands as c
from workflows.people.accounts import Role


@pytest.fixture
def site(sqlite_services):
    services = sqlite_services
    services.requests.receive(c.Receive(at=services.clock.now(), request_id="F-1", agency=AGENCY, channel="in_person",
                                        subject="2025年度部门预算", applicant={"kind": "natural_person", "name": "王五",
                                                                          "id_number": "110101199001011237"}),
                              user(services, "clerk"))
    return services


@pytest.fixture
def folds(monkeypatch) -> list[int]:
    """One entry per stored stream folded (workflows/streams.py fold_stored), with its event count."""
    counted: list[int] = []
    fold = workflows.streams.fold

    def counting(events):
        events = list(events)
        counted.append(len(events))
        return fold(events)

    monkeypatch.setattr(workflows.streams, "fold", counting)
    return counted


def test_a_request_page_view_folds_the_request_once(site, folds):
    clerk = signed_in(site, "clerk")
    for params in ({}, {"as_of": site.clock.now().isoformat()}):
        folds.clear()
        page = clerk.get("/requests/F-1", params=params)
        assert page.status_code == 200 and "为什么是这一天" in page.text  # the history and its deadline explained
        assert len(folds) == 1, folds
    folds.clear()
    assert signed_in(site, "auditor").get("/requests/F-1").status_code == 200
    assert len(folds) == 1, folds


def test_a_refused_step_folds_once_for_the_step_and_once_for_the_page_it_shows(site, folds):
    clerk = signed_in(site, "clerk")
    token = csrf(clerk.get("/requests/F-1").text)
    for route in ("/requests/F-1/steps/request_correction", "/requests/F-1/documents/reply/issue"):
        folds.clear()
        refused = clerk.post(route, data={"csrf_token": token})  # 303, then the page that shows the refusal
        assert refused.status_code == 200 and refused.history[0].status_code == 303 and "未能办理" in refused.text
        assert len(folds) == 2, (route, folds)  # the step's own transaction, then the page


def test_who_may_read_follows_the_log_when_the_row_of_the_request_is_tampered(site):
    admin = user(site, "admin")
    site.directory.add_agency(admin, "other-agency", "另一机关")
    site.directory.add_user(admin, "outsider", Role.STAFF, PASSWORD, "外机关经办人", ["other-agency"])
    with site.engine.begin() as conn:  # an insider moves the row to another agency: its seal no longer holds
        conn.execute(text("UPDATE requests SET agency = 'other-agency' WHERE request_id = 'F-1'"))
    assert signed_in(site, "outsider").get("/requests/F-1").status_code == 403
    assert signed_in(site, "clerk").get("/requests/F-1").status_code == 200
