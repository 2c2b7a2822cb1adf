"""The 受理窗口 (issue 19 item 3) on SQLite and PostgreSQL: a request registered with a back-dated received day, its
获取方式/提供形式 and e-mail, its scans stored with their SHA-256 and in the case file's manifest, its 登记回执 issued
at once with a 查询码 the applicant's lookup accepts; a correction received with its day and content; a third party
consulted by name and address. workflows/documents/intake.py, attachments.py, requests/registration.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest

from engine.errors import OgiError, PermissionDenied, RuleViolation
from tests.world import AGENCY, user
from workflows.documents.attachments import Upload
from workflows.foi import commands as c
from workflows.foi.identifiers import InputRefused

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


def form(**fields) -> dict:
    return {"agency": AGENCY, "kind": "natural_person", "name": "张三", "channel": "in_person",
            "subject": "2025年度部门预算", **fields}


@pytest.fixture
def window(services):
    services.directory.set_agency(user(services, "admin"), AGENCY, doc_prefix="河东审批", review_body="河东区人民政府",
                                  court="河东区人民法院")
    return services


def request_count(services) -> int:
    return len(services.queries.queue_of(user(services, "admin"), None))


def test_a_back_dated_registration_counts_the_reply_period_from_the_day_received_art31_art33(window, calendar):
    received = dt.date(2026, 11, 2)
    registered = window.intake.register(form(received_on=received.isoformat()), user(window, "clerk"))
    today = window.intake.register(form(), user(window, "clerk"))
    history = window.queries.history(registered.request_id)
    assert history["received_at"].startswith("2026-11-02")
    assert history["deadlines"]["reply"]["due"] == calendar.add_working_days(received, 20).isoformat()
    assert window.queries.history(today.request_id)["deadlines"]["reply"]["due"] == calendar.add_working_days(
        window.clock.now().date(), 20).isoformat()


@pytest.mark.parametrize("given, words", [
    ("2026-11-27", "晚于今天"),  # the clock's today is 2026-11-26
    ("2007-12-31", "早于《政府信息公开条例》施行之日"),
    ("2026-02-30", "不是有效日期"),
    ("26-11-02", "不是有效日期"),
    ("<b>2026-11-02</b>", "不是有效日期"),
    ("2026-11-02\x00", "控制字符"),
    ("9" * 5000, "最长"),
])
def test_a_received_day_in_the_future_before_2008_or_not_a_date_is_refused_in_chinese_art31(window, given, words):
    with pytest.raises(OgiError) as refused:
        window.intake.register(form(received_on=given), user(window, "clerk"))
    assert words in str(refused.value)
    assert request_count(window) == 0


def test_a_received_day_in_full_width_digits_is_read_as_typed_art31(window):
    registered = window.intake.register(form(received_on="２０２６－１１－０２"), user(window, "clerk"))
    assert window.queries.history(registered.request_id)["received_at"].startswith("2026-11-02")


def test_the_form_and_way_asked_for_and_the_contacts_are_recorded_art29_art40(window):
    registered = window.intake.register(form(form_requested="electronic", obtain_method="email",
                                             email="ｚｈａｎｇｓａｎ@example.cn", phone="13800138000",
                                             address="河东区幸福路1号"), user(window, "clerk"))
    payload = window.queries.history(registered.request_id)["events"][0]["payload"]
    assert payload.get("form_requested") == "electronic" and payload.get("obtain_method") == "email"
    with window.engine.connect() as conn:
        state = window.requests.load(conn, registered.request_id).state
    assert state.form_requested == "electronic"
    assert state.applicant["email"] == "zhangsan@example.cn" and state.applicant["address"] == "河东区幸福路1号"


@pytest.mark.parametrize("fields, words", [
    ({"obtain_method": "carrier_pigeon"}, "获取信息的方式"),
    ({"email": "not-an-address"}, "电子邮箱"),
    ({"email": "<script>@x.cn"}, "电子邮箱"),
    ({"name": ""}, "申请人姓名或名称"),
    ({"subject": "  "}, "所需信息的内容描述"),
    ({"address": "幸福路\x00号"}, "控制字符"),
    ({"name": "张" * 5000}, "最长"),
    ({"obtain_method": "邮" * 30_000}, "最长"),
    ({"email": "a" * 30_000 + "@example.cn"}, "最长"),
    ({"form_requested": "<script>x</script>"}, "提供形式"),
])
def test_a_wrong_intake_field_is_refused_naming_it_in_chinese_art29(window, fields, words):
    with pytest.raises(OgiError) as refused:
        window.intake.register(form(**fields), user(window, "clerk"))
    assert words in str(refused.value)
    assert request_count(window) == 0


def test_the_receipt_is_issued_at_registration_with_a_query_code_the_lookup_accepts(window):
    registered = window.intake.register(form(), user(window, "clerk"))
    assert registered.problems == ()
    receipt = registered.receipt
    assert receipt is not None and receipt.state == "issued" and receipt.number.startswith("河东审批依申登〔2026〕")
    assert receipt.approved_by is None  # the window's own act: no head's approval (docs/readings.md)
    assert registered.query_code and registered.query_code in receipt.text
    assert window.progress.view(registered.request_id, registered.query_code) is not None
    assert window.progress.view(registered.request_id, "00000000") is None


def test_scans_are_stored_with_their_sha256_and_listed_in_the_case_file_manifest(window):
    clerk = user(window, "clerk")
    scans = [Upload("申请书.pdf", PDF, "application"), Upload("C:\\扫描\\身份证.png", PNG, "identity"),
             Upload("身份证背面", JPEG, "identity")]
    registered = window.intake.register(form(), clerk, scans)
    listed = window.intake.attachments.listing(registered.request_id, clerk)
    assert [(a.kind, a.filename, a.media_type) for a in listed] == [
        ("application", "申请书.pdf", "application/pdf"), ("identity", "身份证.png", "image/png"),
        ("identity", "身份证背面.jpg", "image/jpeg")]
    assert [a.sha256 for a in listed] == [hashlib.sha256(s.content).hexdigest() for s in scans]
    found, content = window.intake.attachments.read(registered.request_id, listed[1].id, clerk)
    assert content == PNG and found.size == len(PNG)

    history = window.queries.history(registered.request_id, viewer=clerk)
    archive = zipfile.ZipFile(io.BytesIO(window.documents.case_file(registered.request_id, history, viewer=clerk)))
    manifest = json.loads(archive.read("manifest.json"))
    stored = json.loads(archive.read("attachments.json"))
    assert [entry["sha256"] for entry in stored] == [a.sha256 for a in listed]
    for entry in stored:
        assert manifest[entry["file"]] == entry["sha256"] == hashlib.sha256(archive.read(entry["file"])).hexdigest()


@pytest.mark.parametrize("upload, words", [
    (Upload("大扫描件.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024)), "超过每件 10 MB"),
    (Upload("setup.exe", EXE), "不是 PDF、JPEG 或 PNG 文件"),
    (Upload("伪装.pdf", EXE), "不是 PDF、JPEG 或 PNG 文件"),  # the bytes decide, not the name
    (Upload("空.pdf", b""), "空文件"),
    (Upload("a\x00b.pdf", PDF), "控制字符"),
    (Upload("申请书.pdf", PDF, "passport"), "附件类别"),
])
def test_a_scan_that_is_too_large_or_not_pdf_jpeg_png_refuses_the_registration_in_chinese_art29(window, upload, words):
    with pytest.raises(OgiError) as refused:
        window.intake.register(form(), user(window, "clerk"), [upload])
    assert words in str(refused.value)
    assert isinstance(refused.value, (RuleViolation, InputRefused))
    assert request_count(window) == 0  # refused before a request id was taken


def test_only_the_agencys_staff_open_a_scan_others_see_the_list(window):
    registered = window.intake.register(form(), user(window, "clerk"), [Upload("身份证.png", PNG, "identity")])
    shelf = window.intake.attachments.shelf(registered.request_id, user(window, "auditor"))
    assert len(shelf.attachments) == 1 and not shelf.may_open and not shelf.may_add
    with pytest.raises(PermissionDenied) as refused:
        window.intake.attachments.read(registered.request_id, shelf.attachments[0].id, user(window, "auditor"))
    assert "个人信息" in str(refused.value)
    with pytest.raises(PermissionDenied):
        window.intake.attachments.add(registered.request_id, [Upload("x.pdf", PDF)], user(window, "auditor"))


def _awaiting_correction(services) -> str:
    clerk, head = user(services, "clerk"), user(services, "head")
    request_id = services.intake.register(form(), clerk).request_id
    services.documents.draft(request_id, "correction_notice", clerk, note="请写明所需信息的文号。")
    services.documents.approve(request_id, "correction_notice", head)
    services.documents.issue(request_id, "correction_notice", clerk)
    services.documents.serve(request_id, "correction_notice", clerk, "personal")
    assert services.queries.history(request_id)["state"] == "awaiting_correction"
    return request_id


def test_a_correction_is_recorded_with_the_day_received_and_what_was_corrected_art30(window, calendar):
    request_id = _awaiting_correction(window)
    window.clock.advance_to(dt.datetime(2026, 12, 3, 10, 0))
    materials = window.intake.receive_correction(request_id, "2026-12-01", "补充了文件的文号：河政发〔2025〕3号",
                                                 user(window, "clerk"), [Upload("补正.pdf", PDF)])
    history = window.queries.history(request_id)
    corrected = [e for e in history["events"] if e["type"] == "corrected"][-1]
    assert corrected["occurred_at"].startswith("2026-12-01") and corrected["recorded_at"].startswith("2026-12-03")
    with window.engine.connect() as conn:
        events = window.store.read_stream(conn, f"request/{request_id}")
    assert [e.payload.get("content") for e in events if e.type == "corrected"] == ["补充了文件的文号：河政发〔2025〕3号"]
    assert history["deadlines"]["reply"]["due"] == calendar.add_working_days(dt.date(2026, 12, 1), 20).isoformat()
    assert [(m.kind, m.filename) for m in materials] == [("correction", "补正.pdf")]


@pytest.mark.parametrize("day, content, words", [
    ("2026-12-01", "", "请填写补正的内容"),
    ("2026-12-09", "补充了文号", "晚于今天"),
    ("２０２６年１２月１日", "补充了文号", "不是有效日期"),
    ("2026-12-01", "补充\x00文号", "控制字符"),
    ("2026-12-01", "补" * 30_000, "最长"),
    ("2026-11-01", "补充了文号", "不能早于收到申请之日"),
])
def test_a_correction_without_content_or_with_a_wrong_day_is_refused_in_chinese_art30(window, day, content, words):
    request_id = _awaiting_correction(window)
    window.clock.advance_to(dt.datetime(2026, 12, 3, 10, 0))
    with pytest.raises(OgiError) as refused:
        window.intake.receive_correction(request_id, day, content, user(window, "clerk"))
    assert words in str(refused.value)
    assert window.queries.history(request_id)["state"] == "awaiting_correction"


def test_a_third_party_is_consulted_by_name_and_address_art32(window):
    request_id = window.intake.register(form(), user(window, "clerk")).request_id
    window.requests.act(request_id, lambda now: c.StartConsultation(
        at=now, party="third_party", party_name="河东建设有限公司", party_address="河东区工业路8号"), user(window, "clerk"))
    assert window.intake.consulted_party(request_id) == {
        "party": "third_party", "party_name": "河东建设有限公司", "party_address": "河东区工业路8号"}


def test_older_consultations_and_corrections_read_as_before_without_the_new_fields():
    at = dt.datetime(2026, 11, 26, 9)
    assert c.StartConsultation(at=at).payload() == {"party": "third_party"}
    assert c.SubmitCorrection(at=at).payload() == {}
    assert "obtain_method" not in c.Receive(at=at).payload()
    assert c.required_fields(c.SubmitCorrection) == () and c.required_fields(c.StartConsultation) == ("party",)

