"""The staff's request page of an application made online (issue 20): who to contact and how it is served, and
that it waits for the agency's confirmation (Art. 31(3)) until the clerk confirms it."""

from __future__ import annotations

from tests.world import AGENCY, user
from workflows.foi import commands as c
from workflows.people.accounts import APPLICANT_ONLINE

APPLICANT = {"kind": "commercial", "name": "河东科技有限公司", "organisation_code": "91110108551385082Q",
             "contact_person": "周七", "agent_name": "吴律师", "phone": "13800138000", "email": "zhou@example.cn",
             "address": "河东区人民路1号"}


def test_an_online_request_shows_its_contacts_its_consent_and_that_it_awaits_confirmation_art31(site, web_as):
    site.requests.receive(c.Receive(at=site.clock.now(), request_id="O-1", agency=AGENCY, channel="online",
                                    subject="2025年度部门预算", applicant=dict(APPLICANT), electronic_service=True),
                          APPLICANT_ONLINE)
    page = web_as("clerk").get("/requests/O-1").text
    for shown in ("周七", "吴律师（附授权委托书）", "zhou@example.cn · 河东区人民路1号", "（待确认收到）",
                  "申请人同意电子送达（网上查询页）"):
        assert shown in page, shown
    assert "138****8000" in page and "13800138000" not in page  # a phone is masked even for the agency's staff
    auditor = web_as("auditor").get("/requests/O-1").text
    assert "zhou@example.cn" not in auditor and "周七" not in auditor  # outside the agency: contacts hidden
    site.intake.confirm("O-1", user(site, "clerk"))
    assert "（待确认收到）" not in web_as("clerk").get("/requests/O-1").text


def test_the_queues_correction_link_opens_the_draft_of_a_correction_notice_art30(site, web_as):
    site.requests.receive(c.Receive(at=site.clock.now(), request_id="O-2", agency=AGENCY, channel="online",
                                    subject="预算", applicant={"kind": "natural_person", "name": "王五"}),
                          APPLICANT_ONLINE)
    clerk = web_as("clerk")
    queue = clerk.get("/tasks").text
    assert 'href="/requests/O-2?doc=correction_notice#draft-form">要求补正' in queue
    page = clerk.get("/requests/O-2?doc=correction_notice").text
    draft = page.split('id="draft-form"', 1)[0].rsplit("<details", 1)[1]
    assert draft.startswith(' class="step" open')
    assert '<option value="correction_notice" selected>' in page
    plain = clerk.get("/requests/O-2?doc=%3Cscript%3E").text  # an unknown paper opens nothing and selects nothing
    assert "selected>政府信息公开申请补正告知书" not in plain and "&lt;script" not in plain.split('id="draft-form"')[0][-300:]
