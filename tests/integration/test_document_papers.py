"""The papers staff edit and seal (issue 19 item 4): the 登记回执 issued at once by the 受理窗口, the drafts' text
edited before approval and recorded, and every document type as the applicant reads it."""

from __future__ import annotations

import pytest

from engine.errors import RuleViolation
from tests.conftest import AGENCY, user
from workflows.foi import commands as c

REVIEW_BODY, COURT = "河东区人民政府", "河东区人民法院"


def received(services, request_id: str = "P-1", applicant: dict | None = None, subject: str = "2025年度部门预算"):
    services.requests.receive(c.Receive(at=services.clock.now(), request_id=request_id, agency=AGENCY,
                                        applicant=applicant or {"kind": "natural_person", "name": "王五"},
                                        channel="in_person", subject=subject), user(services, "clerk"))


@pytest.fixture
def office(services):
    services.directory.set_agency(user(services, "admin"), AGENCY, doc_prefix="河东审批", review_body=REVIEW_BODY,
                                  court=COURT)
    received(services)
    return services


# -- the receipt -------------------------------------------------------------------------------------------------
def test_the_receipt_is_issued_at_once_without_a_head_numbered_with_its_lookup_code(office):
    receipt = office.documents.issue_receipt("P-1", user(office, "clerk"))
    year = office.clock.now().year
    assert (receipt.state, receipt.number, receipt.approved_by) == ("issued", f"河东审批依申登〔{year}〕1号", None)
    with office.engine.connect() as conn:
        code = office.documents.lookup_code(office.requests.load(conn, "P-1").state)
    assert code in receipt.text
    types = [e["type"] for e in office.queries.history("P-1")["events"]]
    assert types[-2:] == ["document_drafted", "document_issued"]  # no document_approved between them
    assert office.documents.progress("P-1", code) is not None


def test_a_second_receipt_is_refused_and_the_first_keeps_its_number(office):
    first = office.documents.issue_receipt("P-1", user(office, "clerk"))
    with pytest.raises(RuleViolation, match="登记回执已于.*出具"):
        office.documents.issue_receipt("P-1", user(office, "clerk"))
    [only] = [d for d in office.documents.documents("P-1") if d.type == "receipt"]
    assert only.number == first.number


def test_a_drafted_receipt_is_issued_without_approval_but_other_documents_are_not(office):
    clerk = user(office, "clerk")
    office.documents.draft("P-1", "receipt", clerk)
    assert office.documents.issue("P-1", "receipt", clerk).state == "issued"
    office.documents.draft("P-1", "extension_notice", clerk, note="所需信息涉及多个部门")
    with pytest.raises(RuleViolation, match="延期答复告知书草稿，只有已审核的文书可以印发"):
        office.documents.issue("P-1", "extension_notice", clerk)


def test_the_request_page_issues_the_receipt_in_one_step(site, web_as):
    clerk = web_as("clerk")
    page = clerk.get("/requests/W-1")
    assert 'data-step="issue-receipt"' in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    answer = clerk.post("/requests/W-1/documents/receipt/issue_receipt", data={"csrf_token": token},
                        follow_redirects=False)
    assert answer.status_code == 303
    [receipt] = [d for d in site.documents.documents("W-1") if d.type == "receipt"]
    assert receipt.state == "issued" and receipt.number
    assert 'data-step="issue-receipt"' not in clerk.get("/requests/W-1").text  # one receipt a request
