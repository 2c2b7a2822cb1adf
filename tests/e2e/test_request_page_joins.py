"""The request page joined with its parts (issue 19, items 2-4): the 附件 list on the page itself, read-only in a
replay."""

from __future__ import annotations

import hashlib

from tests.builders import noticed_correction
from tests.conftest import user
from workflows.documents.attachments import Upload
from workflows.foi import commands as c

SCAN = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_the_request_page_lists_the_attachments_with_their_sha256_and_the_upload_form(site, web_as):
    site.intake.attachments.add("W-1", [Upload("申请书.pdf", SCAN)], user(site, "clerk"))
    page = web_as("clerk").get("/requests/W-1").text
    section = page.split('id="attachments"', 1)[1].split("</section>", 1)[0]
    assert "申请书.pdf" in section and hashlib.sha256(SCAN).hexdigest() in section
    assert 'action="/requests/W-1/attachments"' in section  # files are added from the page itself
    assert "查看、上传附件或登记补正" not in page  # the link that stood for the section until it was shown here


def test_a_replay_of_the_request_page_lists_the_attachments_without_forms(site, web_as):
    site.intake.attachments.add("W-1", [Upload("申请书.pdf", SCAN)], user(site, "clerk"))
    today = site.clock.now().date().isoformat()
    page = web_as("clerk").get("/requests/W-1", params={"as_of": today}).text
    section = page.split('id="attachments"', 1)[1].split("</section>", 1)[0]
    assert "申请书.pdf" in section
    assert "<form" not in section  # a replay is read-only


def test_an_auditor_sees_the_list_but_cannot_add_or_open_a_file(site, web_as):
    site.intake.attachments.add("W-1", [Upload("申请书.pdf", SCAN)], user(site, "clerk"))
    page = web_as("auditor").get("/requests/W-1")
    assert page.status_code == 200
    section = page.text.split('id="attachments"', 1)[1].split("</section>", 1)[0]
    assert "申请书.pdf" in section and "<form" not in section and "/attachments/1" not in section


def _awaiting_correction(site) -> None:
    now = site.clock.now()
    for command in noticed_correction(now):
        who = "head" if isinstance(command, c.ApproveDocument) else "clerk"
        site.requests.act("W-1", command, user(site, who))


def test_a_correction_received_is_recorded_in_the_attachments_section_with_its_day_art30(site, web_as):
    _awaiting_correction(site)
    page = web_as("clerk").get("/requests/W-1").text
    steps = page.split('id="steps"', 1)[1]
    # the generic step (no date) is not offered as a form: its card points to the 收到补正 form, which has the day
    assert 'action="/requests/W-1/steps/submit_correction"' not in page
    card = steps.split('data-offered="submit_correction"', 1)[1].split("</div>", 1)[0]
    assert 'href="#correction_received_on"' in card and "《条例》第三十条" in card
    assert 'id="correction_received_on" name="received_on"' in page


def test_the_generic_correction_step_is_still_taken_by_the_service_and_api_art30(site):
    _awaiting_correction(site)
    state = site.requests.act("W-1", c.SubmitCorrection(at=site.clock.now(), content="补充了文号"), user(site, "clerk"))
    assert state.stage.value == "processing"


def test_the_header_names_the_work_in_chinese_on_every_page(web_as):
    page = web_as("clerk").get("/tasks").text
    assert '<a class="brand" href="/tasks">政府信息公开申请办理</a>' in page and "ogi 依申请公开" not in page
