"""The paper trail (issue 11, DESIGN §9): every document type drafts from the request's data with StrictUndefined,
is approved by a head or administrator, issued under a gapless number, and served; the reply states its article
and the remedies; a live request's reply cannot be served before it is issued."""

from __future__ import annotations

import hashlib
import threading

import pytest
from docx import Document as Docx
from sqlalchemy import select

from engine.errors import PermissionDenied, RuleViolation
from tests.builders import load, request_line
from tests.conftest import AGENCY, user
from workflows.documents.rendering import to_docx, to_html
from workflows.foi import commands as c
from workflows.foi.documents import DocumentType
from workflows.tables import document_numbers_table

REVIEW_BODY, COURT = "河东区人民政府", "河东区人民法院"


@pytest.fixture
def office(services):
    services.directory.set_agency(user(services, "admin"), AGENCY, doc_prefix="河东审批", review_body=REVIEW_BODY,
                                  court=COURT)
    services.requests.receive(c.Receive(at=services.clock.now(), request_id="D-1", agency=AGENCY,
                                        applicant={"kind": "natural_person", "name": "王五"}, channel="in_person",
                                        subject="2025年度部门预算"), user(services, "clerk"))
    return services


def through(services, request_id: str, doc_type: str, **draft):
    services.documents.draft(request_id, doc_type, user(services, "clerk"), **draft)
    services.documents.approve(request_id, doc_type, user(services, "head"))
    return services.documents.issue(request_id, doc_type, user(services, "clerk"))


def test_the_reply_cites_its_article_and_the_remedies_and_issuing_it_records_the_decision_art36(office):
    issued = through(office, "D-1", "reply", outcome="withheld.process_info", note="该信息属于内部研究讨论稿。")
    assert issued.number == f"河东审批依申复〔{office.clock.now().year}〕1号"
    assert "第十六条" in issued.text and REVIEW_BODY in issued.text and COURT in issued.text
    assert "上级主管部门" not in issued.text and "三个月" not in issued.text
    assert issued.text_hash == hashlib.sha256(issued.text.encode()).hexdigest()
    history = office.queries.history("D-1")
    assert history["state"] == "decided" and history["outcome"] == "withheld.process_info"
    types = [e["type"] for e in history["events"]]
    assert types[-4:] == ["document_drafted", "document_approved", "document_issued", "decided"]
    [shown] = history["documents"]
    assert (shown["number"], shown["state"], shown["approved_by"]) == (issued.number, "issued", "head")
    assert history["imported_from"] is None


def test_a_live_request_is_served_only_its_issued_reply_235(office):
    clerk = user(office, "clerk")
    with pytest.raises(RuleViolation, match="起草答复书 → 负责人审核 → 印发"):  # no decision without the issued reply
        office.requests.act("D-1", c.Decide(at=office.clock.now(), outcome="disclosed"), clerk)
    with pytest.raises(RuleViolation, match="须先作出答复"):
        office.requests.act("D-1", c.Deliver(at=office.clock.now(), method="post"), clerk)
    through(office, "D-1", "reply", outcome="disclosed")
    served = office.documents.serve("D-1", "reply", clerk, "post", tracking_no="EMS1234567890CN",
                                    posted_on=office.clock.now().date())
    assert served.state == "served" and served.service["tracking_no"] == "EMS1234567890CN"
    assert office.queries.history("D-1")["state"] == "served"


def test_an_imported_history_is_served_without_documents(services):
    load(services, request_line("IMP-1", "2026-10-09", {"type": "decided", "at": "2026-10-20", "outcome": "disclosed"},
                                {"type": "delivered", "at": "2026-10-21", "method": "post"}))
    assert services.queries.history("IMP-1")["state"] == "served"


def test_only_a_head_or_administrator_approves_and_nothing_is_issued_unapproved(office):
    office.documents.draft("D-1", "receipt", user(office, "clerk"))
    with pytest.raises(PermissionDenied, match="须由负责人或系统管理员办理"):
        office.documents.approve("D-1", "receipt", user(office, "clerk"))
    office.documents.draft("D-1", "extension_notice", user(office, "clerk"))
    with pytest.raises(RuleViolation, match="只有已审核的文书可以印发"):  # the receipt alone is issued as drafted
        office.documents.issue("D-1", "extension_notice", user(office, "clerk"))
    with pytest.raises(PermissionDenied):
        office.documents.draft("D-1", "receipt", user(office, "auditor"))


@pytest.mark.parametrize("doc_type", [t.value for t in DocumentType if t not in (DocumentType.REPLY,
                                                                                  DocumentType.SERVICE_RECORD)])
def test_every_document_type_drafts_from_the_request_with_strict_undefined(office, doc_type):
    fee = ("by_volume", 150) if doc_type == "fee_notice" else None
    drafted = office.documents.draft("D-1", doc_type, user(office, "clerk"), note="（经办人补充的内容）", fee=fee,
                                     paper={"addressee": "河东区某某公司"})  # a letter to a third party names it
    assert "D-1" in drafted.text or "王五" in drafted.text
    html = to_html(drafted, {"name": "河东区行政审批服务局", "prefix": "河东审批"}).decode()
    assert "尚未印发" in html and "河东区行政审批服务局" in html


def test_the_receipt_carries_a_lookup_code_that_is_not_the_request_id(office):
    receipt = office.documents.draft("D-1", "receipt", user(office, "clerk"))
    with office.engine.connect() as conn:
        code = office.documents.lookup_code(office.requests.load(conn, "D-1").state)
    assert code in receipt.text and len(code) == 8 and code not in "D-1"


def test_the_fee_notice_states_the_bands_and_the_amount_109hao(office):
    notice = office.documents.draft("D-1", "fee_notice", user(office, "clerk"), fee=("by_volume", 150))
    assert "1700元" in notice.text and "31至100页：70 × 10元 = 700元" in notice.text
    assert "101至200页：50 × 20元 = 1000元" in notice.text and "20个工作日" in notice.text
    with pytest.raises(RuleViolation, match="109号"):
        office.documents.draft("D-1", "fee_notice", user(office, "clerk"), fee=("by_volume", 0))


def test_the_service_record_names_the_issued_document(office):
    issued = through(office, "D-1", "reply", outcome="disclosed")
    record = office.documents.draft("D-1", "service_record", user(office, "clerk"), served_type="reply", note="post")
    assert issued.number in record.text and "邮寄送达" in record.text


def test_the_docx_has_the_official_layout(office):
    issued = through(office, "D-1", "reply", outcome="partial", note="第三项涉及个人隐私。")
    doc = Docx(__import__("io").BytesIO(to_docx(issued, {"name": "河东区行政审批服务局", "prefix": "河东审批"})))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "政府信息公开申请答复书" and texts[1] == issued.number
    assert texts[-3] == "河东区行政审批服务局" and texts[-2].endswith("日") and texts[-1].startswith("（联系人")
    assert doc.paragraphs[0].runs[0].font.name == "黑体" and doc.paragraphs[2].runs[0].font.name == "仿宋_GB2312"


@pytest.mark.postgres
def test_numbers_are_gapless_under_two_concurrent_issuers(postgres_services):
    services = postgres_services
    services.directory.set_agency(user(services, "admin"), AGENCY, doc_prefix="河东审批", review_body=REVIEW_BODY,
                                  court=COURT)
    ids = [f"N-{n}" for n in range(12)]
    load(services, *[request_line(i, "2026-11-20") for i in ids])
    for request_id in ids:
        services.documents.draft(request_id, "receipt", user(services, "clerk"))
        services.documents.approve(request_id, "receipt", user(services, "head"))
    numbers: list[str] = []
    start = threading.Barrier(2)

    def issue(share):
        start.wait()
        for request_id in share:
            numbers.append(services.documents.issue(request_id, "receipt", user(services, "clerk")).number)

    threads = [threading.Thread(target=issue, args=(ids[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    year = services.clock.now().year
    assert sorted(numbers, key=lambda n: int(n.split("〕")[1][:-1])) == [
        f"河东审批依申登〔{year}〕{n}号" for n in range(1, 13)]
    with services.engine.connect() as conn:
        assert conn.execute(select(document_numbers_table.c.last)).scalar() == 12


def test_the_case_file_holds_history_events_documents_and_a_manifest_that_checks(office):
    import datetime as dt
    import io
    import json
    import zipfile

    from engine.adapters.eventstore import GENESIS, event_material

    issued = through(office, "D-1", "reply", outcome="disclosed")
    archive = zipfile.ZipFile(io.BytesIO(office.documents.case_file("D-1", office.queries.history(
        "D-1", viewer=user(office, "clerk")))))
    names = set(archive.namelist())
    assert {"README.txt", "history.json", "history.txt", "events.jsonl", "manifest.json",
            f"documents/{issued.number}.docx", f"documents/{issued.number}.txt"} <= names
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest == {n: hashlib.sha256(archive.read(n)).hexdigest() for n in names - {"manifest.json"}}
    assert json.loads(archive.read("history.json"))["applicant"]["name"] == "王五"  # the archive's copy, for staff
    assert "personal data" in archive.read("README.txt").decode()
    # the per-request chain recomputed from the file alone, with the log's key
    keyring, previous = office.store.keyring, GENESIS
    for line in archive.read("events.jsonl").decode().splitlines():
        row = json.loads(line)
        material = event_material(previous, row["stream_id"], row["version"], row["type"],
                                  dt.datetime.fromisoformat(row["occurred_at"]), dt.datetime.fromisoformat(row["recorded_at"]),
                                  row["actor"], row["schema_version"], row["payload"], row["origin"])
        assert keyring.mac(row["key_id"], material) == row["stream_hash"]
        previous = row["stream_hash"]
    assert archive.read(f"documents/{issued.number}.txt").decode() == issued.text


def test_pdf_is_rendered_through_libreoffice_where_it_is_installed(office):
    import shutil

    from workflows.documents.rendering import to_pdf

    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice is not installed: PDF is optional (DESIGN §9 says where it is installed)")
    issued = through(office, "D-1", "reply", outcome="disclosed")
    pdf = to_pdf(issued, {"name": "河东区行政审批服务局", "prefix": "河东审批"})
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


def test_a_per_request_fee_notice_counts_the_applicants_requests_of_the_month_from_the_log_109hao_art4(office):
    same = {"kind": "natural_person", "name": "赵六", "id_number": "371315198001011230"}
    other_spelling = {**same, "name": "趙六"}  # the ID number decides, not the spelling of the name
    load(office, request_line("F-00", "2026-10-30", applicant=same),  # the month before: not counted
         *[request_line(f"F-{n:02d}", "2026-11-02", applicant=same if n % 2 else other_spelling) for n in range(1, 12)],
         request_line("F-99", "2026-11-03", applicant={"kind": "natural_person", "name": "赵六"}))  # no ID: not the same
    with office.engine.connect() as conn:
        assert office.documents.position_in_month(conn, office.requests.load(conn, "F-11").state) == 11
        assert office.documents.position_in_month(conn, office.requests.load(conn, "F-99").state) == 1
    notice = office.documents.draft("F-11", "fee_notice", user(office, "clerk"), fee=("per_request", 0))
    assert "本月提出的第11件申请" in notice.text and "人民币100元" in notice.text
    free = office.documents.draft("F-03", "fee_notice", user(office, "clerk"), fee=("per_request", 0))
    assert "第3件" in free.text and "人民币0元" in free.text


def test_serving_the_correction_notice_requests_the_correction_and_a_signature_today_starts_its_period_art30(office):
    through(office, "D-1", "correction_notice", note="请补充所需信息的名称、文号。")
    served = office.documents.serve("D-1", "correction_notice", user(office, "clerk"), "personal",
                                    signed_on=office.clock.now().date())
    assert served.state == "served" and served.served_on == office.clock.now().date()
    history = office.queries.history("D-1")
    assert history["state"] == "awaiting_correction"
    assert [e["type"] for e in history["events"]][-3:] == ["document_served", "correction_requested", "notice_received"]


def test_serving_the_fee_notice_notifies_the_fee_it_states_109hao(office):
    drafted = office.documents.draft("D-1", "fee_notice", user(office, "clerk"), fee=("by_volume", 120))
    assert drafted.fee == {"method": "by_volume", "units": 120, "amount_yuan": 1100}  # 70 pages × 10 + 20 pages × 20 yuan
    office.documents.approve("D-1", "fee_notice", user(office, "head"))
    office.documents.issue("D-1", "fee_notice", user(office, "clerk"))
    office.documents.serve("D-1", "fee_notice", user(office, "clerk"), "post", tracking_no="EMS0001")
    state = office.queries.history("D-1")
    assert state["state"] == "awaiting_payment"
    assert state["events"][-1]["type"] == "fee_notified"
    assert state["events"][-1]["payload"]["amount_yuan"] == 1100 and state["events"][-1]["payload"]["method"] == "by_volume"


def test_a_returned_reply_is_recorded_and_served_again_235hao(office):
    clerk = user(office, "clerk")
    through(office, "D-1", "reply", outcome="disclosed")
    office.documents.serve("D-1", "reply", clerk, "post", tracking_no="EMS0002")
    assert office.queries.history("D-1")["state"] == "served"
    returned = office.documents.return_letter("D-1", "reply", clerk, "查无此人")
    assert returned.state == "returned"
    assert office.queries.history("D-1")["state"] == "decided"
    again = office.documents.serve("D-1", "reply", clerk, "personal", signed_on=office.clock.now().date())
    assert again.state == "served"
    history = office.queries.history("D-1")
    assert history["state"] == "served"
    assert [e["type"] for e in history["events"]].count("delivered") == 2
