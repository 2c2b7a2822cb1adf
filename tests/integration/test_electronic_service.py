"""电子送达 (issue 20, DESIGN §9): a document is served electronically only when the applicant consented to it on
applying (国办公开办函〔2016〕235号); it is served the moment it is published to the applicant's page (《电子签名法》
第十一条, docs/readings.md), with the evidence of where, when and which text; a notice so served starts the
applicant's period that day. On SQLite and PostgreSQL (`services`)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import PermissionDenied, RuleViolation
from tests.builders import issued_reply
from tests.conftest import AGENCY, user
from workflows.documents.electronic_service import evidence_of
from workflows.foi import commands as c
from workflows.foi.online import electronic_service_consented
from workflows.foi.state import RequestState


def received(services, request_id: str, consent: bool | None) -> None:
    services.requests.receive(c.Receive(at=services.clock.now(), request_id=request_id, agency=AGENCY,
                                        applicant={"kind": "natural_person", "name": "王五"}, channel="in_person",
                                        subject="2025年度部门预算", electronic_service=consent),
                              user(services, "clerk"))


def issued(services, request_id: str, doc_type: str, **draft):
    services.documents.draft(request_id, doc_type, user(services, "clerk"), **draft)
    services.documents.approve(request_id, doc_type, user(services, "head"))
    return services.documents.issue(request_id, doc_type, user(services, "clerk"))


@pytest.fixture
def office(services):
    services.directory.set_agency(user(services, "admin"), AGENCY, doc_prefix="河东审批", review_body="河东区人民政府",
                                  court="河东区人民法院")
    received(services, "E-1", True)
    received(services, "P-1", None)
    return services


def test_electronic_service_without_the_applicants_consent_is_refused_235(office):
    issued(office, "P-1", "reply", outcome="disclosed")
    before = office.queries.history("P-1")
    with pytest.raises(RuleViolation, match="电子送达须经申请人同意") as refused:
        office.documents.serve("P-1", "reply", user(office, "clerk"), "electronic")
    assert refused.value.rule == "235号"
    after = office.queries.history("P-1")
    assert (after["state"], after["version"]) == ("decided", before["version"])  # nothing half-written
    served = office.documents.serve("P-1", "reply", user(office, "clerk"), "post", tracking_no="EMS1234567890CN")
    assert served.state == "served"


def test_the_deliver_door_is_refused_alike_without_consent_235(office):
    issued(office, "P-1", "reply", outcome="disclosed")
    with pytest.raises(RuleViolation, match="电子送达须经申请人同意"):
        office.documents.serve_issued_reply("P-1", user(office, "clerk"), "electronic")


def test_another_agencys_staff_learn_nothing_of_the_consent(office):
    from tests.world import PASSWORD
    from workflows.people.accounts import Role
    admin = user(office, "admin")
    office.directory.add_agency(admin, "lanshan-xzsp", "蓝山区行政审批服务局")
    office.directory.add_user(admin, "outsider", Role.STAFF, PASSWORD, "外机关经办人", ["lanshan-xzsp"])
    issued(office, "P-1", "reply", outcome="disclosed")
    with pytest.raises(PermissionDenied):
        office.documents.serve("P-1", "reply", user(office, "outsider"), "electronic")


def test_with_consent_the_reply_is_served_today_with_its_evidence_235(office):
    reply = issued(office, "E-1", "reply", outcome="disclosed")
    now = office.clock.now()
    served = office.documents.serve("E-1", "reply", user(office, "clerk"), "electronic")
    assert served.state == "served" and served.served_on == now.date()
    history = office.queries.history("E-1")
    assert history["state"] == "served"
    expected = f"于{now.year}年{now.month}月{now.day}日 {now:%H:%M} 发布至申请人网上查询页（申请编号E-1），" \
               f"文书摘要 SHA-256 {reply.text_hash[:16]}…"
    [serve_event] = [e for e in history["events"] if e["type"] == "document_served"]
    [delivered] = [e for e in history["events"] if e["type"] == "delivered"]
    assert serve_event["payload"]["evidence"] == expected and serve_event["payload"]["signed_on"] == now.date().isoformat()
    assert delivered["payload"]["evidence"] == expected and delivered["payload"]["method"] == "electronic"
    assert delivered["payload"]["served_on"] == now.date().isoformat()
    _, narrated = office.queries.told(history)
    assert any("发布至申请人网上查询页" in n.text and "电子送达" in n.text for n in narrated
               if n.type == "document_served"), [n.text for n in narrated]


def test_an_electronic_service_is_never_entered_for_another_day_235(office):
    issued(office, "E-1", "reply", outcome="disclosed")
    yesterday = office.clock.now().date() - dt.timedelta(days=1)
    with pytest.raises(RuleViolation, match="不能记为"):
        office.documents.serve("E-1", "reply", user(office, "clerk"), "electronic", at=yesterday)
    with pytest.raises(RuleViolation, match="不能记为"):
        office.documents.take_step("E-1", "reply", "serve", {"method": "electronic", "posted_on": yesterday.isoformat()},
                                   user(office, "clerk"))
    assert office.queries.history("E-1")["state"] == "decided"


def test_a_correction_notice_served_electronically_starts_the_period_that_day_art30(office):
    issued(office, "E-1", "correction_notice", paper={"missing": "description"})
    today = office.clock.now().date()
    office.documents.serve("E-1", "correction_notice", user(office, "clerk"), "electronic")
    history = office.queries.history("E-1")
    assert history["state"] == "awaiting_correction"
    types = [e["type"] for e in history["events"]]
    assert types[-3:] == ["document_served", "correction_requested", "notice_received"]
    assert history["deadlines"]["correction"]["start"] == today.isoformat()  # runs from the receipt, today


def test_a_step_recorded_directly_is_refused_electronically_without_consent_235(services):
    """The consent is the workflow's guard, not only the document service's: a `deliver` posted to the request
    page's step form (or any door) is refused the same."""
    clerk, head = user(services, "clerk"), user(services, "head")
    services.requests.receive(c.Receive(at=services.clock.now(), request_id="D-1", agency=AGENCY, channel="in_person",
                                        subject="预算", applicant={"kind": "natural_person", "name": "王五"}), clerk)
    for step in issued_reply(services.clock.now(), "disclosed"):
        services.requests.act("D-1", step, head if step.name == "approve_document" else clerk)
    services.requests.act("D-1", c.Decide(at=services.clock.now(), outcome="disclosed"), clerk)
    with pytest.raises(RuleViolation, match="电子送达须经申请人同意"):
        services.requests.act("D-1", c.Deliver(at=services.clock.now(), method="electronic"), clerk)
    with pytest.raises(RuleViolation, match="电子送达须经申请人同意"):
        services.requests.act("D-1", c.ServeDocument(at=services.clock.now(), doc_type="reply", method="electronic"),
                              clerk)


def test_an_imported_history_needs_no_recorded_consent():
    electronic = c.Deliver(at=dt.datetime(2026, 3, 5, 9, 7), method="electronic")
    assert electronic_service_consented(RequestState(), electronic) is not None
    assert electronic_service_consented(RequestState(imported_from="hedong-2023.jsonl"), electronic) is None
    assert electronic_service_consented(RequestState(electronic_service=True), electronic) is None
    moment = dt.datetime(2026, 3, 5, 9, 7)
    assert evidence_of("A-1", moment, "ab" * 32) == ("于2026年3月5日 09:07 发布至申请人网上查询页（申请编号A-1），"
                                                     "文书摘要 SHA-256 abababababababab…")
