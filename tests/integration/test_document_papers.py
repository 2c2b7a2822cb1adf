"""The papers staff edit and seal (issue 19 item 4): the 登记回执 issued at once by the 受理窗口, the drafts' text
edited before approval and recorded, and every document type as the applicant reads it."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from engine.errors import OgiError, RuleViolation
from tests.conftest import AGENCY, user
from workflows.foi import commands as c
from workflows.foi.documents import chinese_date

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
    assert office.progress.view("P-1", code) is not None


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


# -- what the papers say -----------------------------------------------------------------------------------------
def issued(services, request_id: str, doc_type: str, **draft):
    services.documents.draft(request_id, doc_type, user(services, "clerk"), **draft)
    services.documents.approve(request_id, doc_type, user(services, "head"))
    return services.documents.issue(request_id, doc_type, user(services, "clerk"))


def test_a_person_is_addressed_as_you_and_an_organisation_as_your_unit(office):
    received(office, "P-2", {"kind": "commercial", "name": "河东区某某科技有限公司"})
    person = office.documents.issue_receipt("P-1", user(office, "clerk")).text
    company = office.documents.issue_receipt("P-2", user(office, "clerk")).text
    assert "您" in person and "贵单位" not in person and "您（单位）" not in person
    assert company.startswith("河东区某某科技有限公司：") and "贵单位" in company and "您" not in company


def test_the_correction_notice_names_the_art29_items_missing_and_asks_for_each_art30(office):
    notice = office.documents.draft("P-1", "correction_notice", user(office, "clerk"),
                                    paper={"missing": "identity,description"}).text
    assert "第二十九条第二款第（一）项、第（二）项" in notice and "申请人的身份证明" in notice
    assert "（一）请提供申请人的身份证明（身份证件复印件）" in notice and "（二）请写明所需政府信息的名称、文号" in notice
    assert "申请内容不明确" not in notice
    received(office, "P-2", {"kind": "research", "name": "某某大学"})
    other = office.documents.draft("P-2", "correction_notice", user(office, "clerk"), paper={"missing": "form"}).text
    assert "第二十九条第二款第（三）项" in other and "获取信息的方式、途径" in other and "营业执照" not in other
    for_org = office.documents.draft("P-2", "correction_notice", user(office, "clerk"), paper={"missing": "identity"})
    assert "营业执照" in for_org.text and "贵单位" in for_org.text
    with pytest.raises(RuleViolation, match="一次性写明需要补正的全部事项"):
        office.documents.draft("P-1", "correction_notice", user(office, "clerk"))
    with pytest.raises(OgiError, match="需要补正的事项须为"):
        office.documents.draft("P-1", "correction_notice", user(office, "clerk"), paper={"missing": "<b>x</b>"})


def test_a_partial_reply_states_its_reasons_and_lists_its_attachments_art37(office):
    reply = office.documents.draft("P-1", "reply", user(office, "clerk"), outcome="partial", paper={
        "reasons": "第三部分涉及商业秘密，第三方不同意公开。", "attachments": "部门预算（公开部分）\n三公经费表"}).text
    assert "第三十七条" in reply and "第三部分涉及商业秘密" in reply and "现随本答复书提供（见附件）" in reply
    assert "附件：1.部门预算（公开部分）\n2.三公经费表" in reply
    with pytest.raises(RuleViolation, match="不予公开的部分及其理由"):
        office.documents.draft("P-1", "reply", user(office, "clerk"), outcome="partial")
    with pytest.raises(RuleViolation, match="只有予以公开或部分公开的答复书随附"):
        office.documents.draft("P-1", "reply", user(office, "clerk"), outcome="unable.not_held",
                               paper={"attachments": "某文件"})


def test_a_reply_in_another_form_than_asked_says_why_art40(office):
    office.requests.receive(c.Receive(at=office.clock.now(), request_id="P-3", agency=AGENCY, channel="in_person",
                                      applicant={"kind": "natural_person", "name": "王五"}, subject="预算",
                                      form_requested="paper"), user(office, "clerk"))
    with pytest.raises(RuleViolation, match="未按申请的形式（纸质文本）提供的，须写明理由"):
        office.documents.draft("P-3", "reply", user(office, "clerk"), outcome="disclosed",
                               paper={"form_provided": "electronic", "attachments": "预算"})
    reply = office.documents.draft("P-3", "reply", user(office, "clerk"), outcome="disclosed", paper={
        "form_provided": "electronic", "form_reason": "篇幅较大", "attachments": "预算"})
    assert "因篇幅较大，本机关未能按您申请的纸质文本形式提供" in reply.text and "第四十条" in reply.text
    assert reply.decision == {"form_provided": "electronic", "form_reason": "篇幅较大"}


def test_the_letter_to_another_agency_speaks_of_information_made_jointly_art34(office):
    letter = office.documents.draft("P-1", "consultation_letter", user(office, "clerk"), party="agency",
                                    note="请一并提供贵机关的联系人。", paper={"addressee": "河东区财政局"})
    assert letter.text.startswith("河东区财政局：") and "共同制作" in letter.text and "第三十四条" in letter.text
    assert "涉及贵机关职责" not in letter.text and "视为同意公开" in letter.text
    assert "请一并提供贵机关的联系人。" in letter.text  # the note stays a note, not the addressee
    from workflows.documents.rendering import paper_title
    assert paper_title(letter) == "政府信息公开征求意见函"
    third = office.documents.draft("P-1", "consultation_letter", user(office, "clerk"),
                                   paper={"addressee": "某某公司", "addressee_kind": "organisation"})
    assert "第三十二条" in third.text and "贵单位" in third.text and "您（单位）" not in third.text


def test_every_paper_carries_the_contact_line_of_its_drafter_or_the_one_given(office):
    receipt = office.documents.issue_receipt("P-1", user(office, "clerk"))
    assert receipt.text.rstrip().endswith("（联系人：经办人）")
    notice = office.documents.draft("P-1", "extension_notice", user(office, "clerk"),
                                    paper={"contact_name": "张三", "contact_phone": "0539-8123456"})
    assert notice.text.rstrip().endswith("（联系人：张三；联系电话：0539-8123456）")
    with pytest.raises(OgiError, match="联系电话.*不是电话号码"):
        office.documents.draft("P-1", "extension_notice", user(office, "clerk"), paper={"contact_phone": "<script>"})


# -- editing -------------------------------------------------------------------------------------------------------
def test_a_draft_is_edited_with_the_edit_recorded_and_an_approved_one_is_not(office):
    clerk, head = user(office, "clerk"), user(office, "head")
    drafted = office.documents.draft("P-1", "reply", clerk, outcome="withheld.process_info",
                                     paper={"reasons": "属于内部讨论稿。"})
    edited = office.documents.edit("P-1", "reply", clerk, drafted.text.replace("内部讨论稿", "尚在讨论的内部稿"))
    assert "尚在讨论的内部稿" in edited.text and edited.state == "draft"
    assert (edited.outcome, edited.decision) == ("withheld.process_info", {"reasons": "属于内部讨论稿。"})
    events = office.queries.history("P-1")["events"]
    assert [e["type"] for e in events][-2:] == ["document_drafted", "document_drafted"]  # the edit, in the log
    office.documents.approve("P-1", "reply", head)
    with pytest.raises(RuleViolation, match="只有草稿或退回修改的文书可以修改正文"):
        office.documents.edit("P-1", "reply", clerk, "另一段文字")
    office.documents.draft("P-1", "extension_notice", clerk)
    with pytest.raises(RuleViolation, match="正文不能为空"):
        office.documents.edit("P-1", "extension_notice", clerk, " \x00 ")


def test_a_draft_sent_back_is_edited_and_goes_to_the_head_again(office):
    clerk, head = user(office, "clerk"), user(office, "head")
    office.documents.draft("P-1", "extension_notice", clerk)
    office.documents.send_back("P-1", "extension_notice", head, "延期理由写具体")
    edited = office.documents.edit("P-1", "extension_notice", clerk, "王五：\n\n因所需信息涉及三个部门，……")
    assert edited.state == "draft"
    assert office.documents.approve("P-1", "extension_notice", head).state == "approved"


# -- on paper ----------------------------------------------------------------------------------------------------
def every_paper(services) -> list:
    """One issued document of every type (two letters and three replies), as drafted from the form's fields."""
    clerk = user(services, "clerk")
    services.directory.set_agency(user(services, "admin"), AGENCY, doc_prefix="河东审批", review_body=REVIEW_BODY,
                                  court=COURT)
    received(services, "Q-1", subject="2025年度部门预算及“三公”经费预算执行情况")
    received(services, "Q-2", {"kind": "commercial", "name": "河东区某某科技有限公司"})
    received(services, "Q-3")
    company = {"addressee": "河东区某某建筑工程有限公司", "addressee_kind": "organisation"}
    return [
        services.documents.issue_receipt("Q-1", clerk),
        issued(services, "Q-1", "correction_notice", paper={"missing": "identity,description,form"},
               note="请一并说明所需信息的年度。"),
        issued(services, "Q-1", "extension_notice", note="所需信息涉及多个内设机构，需要检索核实"),
        issued(services, "Q-1", "consultation_letter", paper=company),
        issued(services, "Q-2", "consultation_letter", party="agency", paper={"addressee": "河东区财政局"}),
        issued(services, "Q-1", "consultation_notice"),
        issued(services, "Q-1", "fee_notice", fee=("by_volume", 150)),
        issued(services, "Q-1", "third_party_notice", paper=company, note="该信息涉及公共工程质量安全"),
        issued(services, "Q-1", "reply", outcome="partial", paper={
            "reasons": "其中“供应商报价明细”涉及商业秘密，第三方不同意公开，依照《中华人民共和国政府信息公开条例》"
                       "第十五条的规定不予公开。" * 2,
            "attachments": "2025年度部门预算（公开部分）\n2025年度“三公”经费预算表\n预算执行情况说明"}),
        issued(services, "Q-2", "reply", outcome="withheld.process_info", paper={"reasons": "该信息属于内部讨论稿。"}),
        issued(services, "Q-3", "reply", outcome="unable.not_held"),
        issued(services, "Q-1", "service_record"),
    ]


AGENCY_PAPER = {"name": "河东区行政审批服务局", "prefix": "河东审批"}


def test_no_integrity_data_is_printed_on_the_applicants_papers(sqlite_services):
    from docx import Document as Docx

    from workflows.documents.rendering import to_docx, to_html
    for document in every_paper(sqlite_services):
        assert document.text_hash  # kept in the log and the case file's manifest
        html = to_html(document, AGENCY_PAPER).decode()
        docx = "\n".join(p.text for p in Docx(io.BytesIO(to_docx(document, AGENCY_PAPER))).paragraphs)
        for printed in (html, docx):
            assert "SHA-256" not in printed and document.text_hash not in printed
            assert "您（单位）" not in printed


def test_the_docx_keeps_fixed_28pt_lines_and_the_closing_with_the_last_paragraph(sqlite_services):
    from docx import Document as Docx
    from docx.enum.text import WD_LINE_SPACING

    from workflows.documents.rendering import to_docx
    reply = every_paper(sqlite_services)[8]
    paragraphs = Docx(io.BytesIO(to_docx(reply, AGENCY_PAPER))).paragraphs
    body = [p for p in paragraphs[1:] if p.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY]
    assert len(body) == len(paragraphs) - 1 and {p.paragraph_format.line_spacing.pt for p in body} == {28.0}
    texts = [p.text for p in paragraphs]
    agency = texts.index("河东区行政审批服务局")
    assert texts[agency - 3:agency] == ["", "", ""]  # the 印章's space
    assert texts[agency - 6].startswith("附件：1.") and texts[agency + 2] == "（联系人：经办人）"
    last_text = next(i for i, t in enumerate(texts) if t.startswith("根据《中华人民共和国行政复议法》"))
    assert all(p.paragraph_format.keep_with_next for p in paragraphs[last_text:agency + 1])
    date = paragraphs[agency + 1]
    assert date.paragraph_format.right_indent.pt == 64  # 右空四字 at 三号 (16 pt)


def pdf_pages(pdf: bytes, tmp_path, name: str) -> list[str]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.rstrip("\f\n").split("\f")


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("soffice")), reason="no Chromium or LibreOffice")
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")
def test_every_type_prints_to_pdf_and_the_closing_never_stands_alone_on_a_page(sqlite_services, tmp_path):
    from workflows.documents.rendering import to_pdf
    for document in every_paper(sqlite_services):
        pages = pdf_pages(to_pdf(document, AGENCY_PAPER), tmp_path, document.type)
        last = [line.strip() for line in pages[-1].splitlines() if line.strip()]
        closing = {"河东区行政审批服务局", chinese_date(document.issued_on), "（联系人：经办人）"}
        assert set(last) - closing, f"{document.type}: page {len(pages)} holds only the 落款"
        assert last[-1] in closing or document.type == "service_record"
        assert "SHA-256" not in "".join(pages) and document.number in pages[0].replace(" ", "")
        assert len(pages) <= 2, f"{document.type} runs to {len(pages)} pages"


def test_a_refusals_reasons_given_as_the_note_are_recorded_with_the_decision_art36(office):
    clerk = user(office, "clerk")
    drafted = office.documents.draft("P-1", "reply", clerk, outcome="withheld.process_info", note="属于内部讨论稿。")
    assert drafted.decision == {"reasons": "属于内部讨论稿。"} and drafted.text.count("属于内部讨论稿") == 1
    office.documents.approve("P-1", "reply", user(office, "head"))
    office.documents.issue("P-1", "reply", clerk)
    decided = [e for e in office.queries.history("P-1")["events"] if e["type"] == "decided"]
    assert decided and decided[-1]["payload"]["reasons"] == "属于内部讨论稿。"
