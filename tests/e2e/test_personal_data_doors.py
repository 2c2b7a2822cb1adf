"""Personal data at every door (issue 17 §5): the applicant's name and contact details go only to staff of the
request's agency (or of an agency above it); everyone else — auditors, and administrators who do not work for the
agency — sees the name masked, in the API's JSON (the applicant's record and every text in the events, a drafted
document's included), in a downloaded document (HTML, DOCX) and in the CLI's render; the case file, the agency's
archive with the events as stored, is exported for its staff only (PIPL Art. 6: no more than the purpose needs)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from docx import Document as Docx
from fastapi.testclient import TestClient

from engine.errors import PermissionDenied
from tests.conftest import AGENCY, user
from tests.web_client import signed_in
from tests.world import PASSWORD
from web.app import create_app
from workflows.documents.rendering import MASKED_NOTE
from workflows.people.accounts import Role
from workflows.people.personal_data import HIDDEN

NAME, MASKED = "王五", "王*"
ADDRESS = "河东区幸福路1号"


@pytest.fixture
def drafted(site):
    """W-1 (applicant 王五) with a reply drafted: its text, in the log, begins with the applicant's name."""
    admin = user(site, "admin")
    site.directory.add_user(admin, "boss", Role.ADMIN, PASSWORD, "本机关管理员", [AGENCY])
    site.documents.draft("W-1", "reply", user(site, "clerk"), outcome="disclosed", note=f"请到{ADDRESS}以外的窗口领取。")
    return site


def _api(services, username: str) -> TestClient:
    token = services.web.create_token(user(services, "admin"), username)
    return TestClient(create_app(services), headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("username", ["auditor", "admin"])
def test_the_api_masks_the_name_everywhere_for_those_not_of_the_agency_pipl6(drafted, username):
    answer = _api(drafted, username).get("/api/v1/requests/W-1")
    assert answer.status_code == 200
    text = json.dumps(answer.json(), ensure_ascii=False)
    assert NAME not in text, "the full name in the API's history (the record or a document's text in the events)"
    assert answer.json()["applicant"]["name"] == MASKED
    [drafted_event] = [e for e in answer.json()["events"] if e["type"] == "document_drafted"]
    assert drafted_event["payload"]["text"].startswith(f"{MASKED}：")
    listed = _api(drafted, username).get("/api/v1/requests").json()
    assert [row["applicant"] for row in listed] == [MASKED]


@pytest.mark.parametrize("username", ["clerk", "boss"])
def test_the_api_shows_the_name_to_staff_and_administrators_of_the_agency(drafted, username):
    history = _api(drafted, username).get("/api/v1/requests/W-1").json()
    assert history["applicant"]["name"] == NAME
    assert history["applicant"]["id_number"] == "1101**********1237"  # masked for everyone
    [drafted_event] = [e for e in history["events"] if e["type"] == "document_drafted"]
    assert drafted_event["payload"]["text"].startswith(f"{NAME}：")


def _docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Docx(io.BytesIO(data)).paragraphs)


@pytest.mark.parametrize("username", ["auditor", "admin"])
def test_a_downloaded_document_is_a_masked_copy_for_those_not_of_the_agency_pipl6(drafted, username):
    client = signed_in(drafted, username)
    html = client.get("/requests/W-1/documents/reply.html")
    assert html.status_code == 200 and NAME not in html.text and f"{MASKED}：" in html.text
    assert MASKED_NOTE in html.text  # it says it is not the original
    docx = client.get("/requests/W-1/documents/reply.docx")
    assert docx.status_code == 200
    words = _docx_text(docx.content)
    assert NAME not in words and words.count(MASKED) >= 1 and MASKED_NOTE in words


def test_a_downloaded_document_is_the_original_for_staff_of_the_agency(drafted):
    client = signed_in(drafted, "clerk")
    html = client.get("/requests/W-1/documents/reply.html").text
    assert f"{NAME}：" in html and MASKED_NOTE not in html
    assert f"{NAME}：" in _docx_text(client.get("/requests/W-1/documents/reply.docx").content)


def test_a_contact_detail_quoted_in_a_text_is_hidden_from_others(site):
    """An address recorded with the applicant and quoted in a document's text is hidden, not only the name."""
    from workflows.foi import commands as c

    site.requests.receive(c.Receive(at=site.clock.now(), request_id="W-2", agency=AGENCY, channel="in_person",
                                    subject="预算", applicant={"kind": "natural_person", "name": "赵六",
                                                             "address": ADDRESS}), user(site, "clerk"))
    site.documents.draft("W-2", "reply", user(site, "clerk"), outcome="disclosed", note=f"已寄往{ADDRESS}。")
    _, copy, _ = site.documents.find("W-2", "reply", viewer=user(site, "auditor"))
    assert ADDRESS not in copy.text and f"已寄往{HIDDEN}。" in copy.text and "赵*" in copy.text
    history = site.queries.history("W-2", viewer=user(site, "auditor"))
    assert ADDRESS not in json.dumps(history, ensure_ascii=False)


@pytest.mark.parametrize("username", ["auditor", "admin"])
def test_the_case_file_is_exported_only_for_staff_of_the_agency_pipl6(drafted, username):
    viewer = user(drafted, username)
    with pytest.raises(PermissionDenied, match="案卷含申请人的个人信息，只有hedong-xzsp或其上级机关的工作人员可以使用"):
        drafted.documents.case_file("W-1", drafted.queries.history("W-1", viewer=viewer), viewer=viewer)


def test_the_case_file_for_staff_holds_the_name(drafted):
    clerk = user(drafted, "clerk")
    data = drafted.documents.case_file("W-1", drafted.queries.history("W-1", viewer=clerk), viewer=clerk)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert NAME in archive.read("history.txt").decode()
        assert NAME in archive.read("events.jsonl").decode()


def test_ogi_request_export_refuses_an_auditor_and_ogi_document_render_masks(ready, tmp_path):
    ready("user", "add", "shenji", "--role", "auditor")
    ready("agency", "set", AGENCY, "--doc-prefix", "河东审批", "--review-body", "河东区人民政府", "--court", "河东区人民法院")
    ready("request", "new", "--id", "HD-7", "--agency", AGENCY, "--kind", "natural_person", "--name", NAME,
          "--channel", "in_person", "--subject", "某文件")
    ready("document", "draft", "HD-7", "reply", "--outcome", "disclosed")
    refused = ready("request", "export", "HD-7", "-o", str(tmp_path / "case.zip"), "--as", "shenji", ok=False)
    assert refused.returncode != 0 and "案卷含申请人的个人信息" in refused.stderr
    assert not (tmp_path / "case.zip").exists()
    ready("document", "render", "HD-7", "reply", "--format", "html", "-o", str(tmp_path / "reply.html"), "--as", "shenji")
    shown = (tmp_path / "reply.html").read_text(encoding="utf-8")
    assert NAME not in shown and f"{MASKED}：" in shown
