"""`ogi history` (and so `ogi up`, which prints the demo request's history) for a document in every state: a draft,
one sent back, approved, issued, served in person, by post, electronically and by public notice (235号), and a
letter that came back (退件). The template reads optional keys under StrictUndefined; none may be missing."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from cli.requests import history_text
from tests.conftest import AGENCY, user
from workflows.foi import commands as c
from workflows.foi.documents import DocumentRecord
from workflows.readmodels.history import DOCUMENT_STATE_LABELS, _document

DAY = dt.date(2026, 11, 2)
DRAFT = DocumentRecord(type="reply", state="draft", text="张三：\n答复如下。", drafted_on=DAY, outcome="disclosed")
ISSUED = dataclasses.replace(DRAFT, state="issued", approved_by="head", number="河东审批依申复〔2026〕1号",
                             issued_on=DAY, text_hash="0" * 64)
SERVICES = {  # the service record of each method, as workflows/foi/documents.served keeps it (only the keys given)
    "personal": {"method": "personal", "signed_on": "2026-11-03", "service_day": "2026-11-03"},
    "post": {"method": "post", "tracking_no": "EMS1234567890CN", "posted_on": "2026-11-03", "service_day": "2026-11-06"},
    "electronic": {"method": "electronic", "posted_on": "2026-11-03", "service_day": "2026-11-03"},
    "notice": {"method": "notice", "service_day": "2026-12-03"},
}
EVERY_STATE = {
    "draft": DRAFT,
    "sent_back": dataclasses.replace(DRAFT, state="sent_back", review_opinion="请补充法律依据"),
    "approved": dataclasses.replace(DRAFT, state="approved", approved_by="head"),
    "issued": ISSUED,
    **{f"served_{method}": dataclasses.replace(ISSUED, state="served", served_on=dt.date.fromisoformat(s["service_day"]),
                                               service=s) for method, s in SERVICES.items()},
    "returned": dataclasses.replace(ISSUED, state="returned", service=SERVICES["post"], returned_on=DAY,
                                    return_reason="查无此人"),
}


@pytest.fixture
def received(sqlite_services):
    sqlite_services.requests.receive(c.Receive(at=sqlite_services.clock.now(), request_id="H-1", agency=AGENCY,
                                               applicant={"kind": "natural_person", "name": "张三"}, channel="in_person",
                                               subject="2025年度部门预算"), user(sqlite_services, "clerk"))
    return sqlite_services.queries.history("H-1", viewer=user(sqlite_services, "clerk"))


@pytest.mark.parametrize("state", list(EVERY_STATE))
def test_the_history_text_shows_a_document_in_every_state_235(received, state):
    document = EVERY_STATE[state]
    text = history_text({**received, "documents": [_document(document)]})
    assert DOCUMENT_STATE_LABELS[document.state] in text
    if document.service and document.state == "served":
        method_words = {"personal": "直接送达", "post": "邮寄送达", "electronic": "电子送达", "notice": "公告送达"}
        assert f"送达 {document.served_on}（{method_words[document.service['method']]}" in text
    if document.service and document.service.get("tracking_no") and document.state == "served":
        assert "EMS1234567890CN" in text
    if state == "returned":
        assert "退件 2026-11-02（查无此人）" in text and "送达 " not in text


def test_every_document_state_has_its_words():
    """A state added to the documents without its label is shown as its code, never an error; these have words."""
    assert {record.state for record in EVERY_STATE.values()} == set(DOCUMENT_STATE_LABELS)


def test_ogi_history_after_a_reply_served_in_person_and_a_receipt_served_electronically(ready):
    """The defect: `ogi history` stopped with UndefinedError (`tracking_no`) once a document was served in person."""
    ready("user", "add", "lizhuren", "--role", "head", "--agency", AGENCY)
    ready("agency", "set", AGENCY, "--doc-prefix", "河东审批", "--review-body", "河东区人民政府", "--court", "河东区人民法院")
    ready("request", "new", "--id", "HD-9", "--agency", AGENCY, "--kind", "natural_person", "--name", "张三",
          "--channel", "in_person", "--subject", "某文件")
    for doc_type, method in (("receipt", "post"), ("reply", "personal")):
        ready("document", "draft", "HD-9", doc_type, *(["--outcome", "disclosed"] if doc_type == "reply" else []))
        ready("document", "approve", "HD-9", doc_type, "--as", "lizhuren")
        ready("document", "issue", "HD-9", doc_type)
        ready("document", "serve", "HD-9", doc_type, "--method", method,
              *(["--tracking-no", "EMS1234567890CN"] if method == "post" else []))
    shown = ready("history", "HD-9")
    assert "（直接送达）" in shown.stdout and "（邮寄送达" in shown.stdout  # the method in words, not its code
    assert "internal error" not in shown.stderr.lower()
