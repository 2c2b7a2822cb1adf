"""The 登记 page and the 附件 section as a clerk uses them (issue 19 item 3): the multipart form registers the request
with its scans and issues the receipt at once, the applicant's lookup takes its 查询码, a refused form comes back
with every typed value, hostile input is refused in Chinese (never a 500); the API registers with the receipt too."""

from __future__ import annotations

import hashlib
import re

import pytest
from fastapi.testclient import TestClient

from tests.web_client import csrf
from tests.world import AGENCY
from web.app import create_app
from web.inputs import MAX_BODY_BYTES, MAX_UPLOAD_BODY_BYTES, body_limit

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


def fields(**more) -> dict:
    return {"agency": AGENCY, "kind": "natural_person", "name": "张三", "channel": "in_person",
            "subject": "2025年度部门预算", "received_on": "2026-11-20", "email": "zhangsan@example.cn",
            "phone": "13800138000", "address": "河东区幸福路1号", "form_requested": "paper", "obtain_method": "post",
            **more}


def register(client: TestClient, files=(), **more):
    token = csrf(client.get("/requests/new").text)
    return client.post("/requests/new", data={"csrf_token": token, **fields(**more)}, files=list(files) or None,
                       follow_redirects=False)


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<main>", 1)[-1]))


def test_the_form_offers_the_received_day_the_form_and_way_asked_for_and_the_scans(web_as):
    page = web_as("clerk").get("/requests/new")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    for name in ("received_on", "email", "address", "form_requested", "obtain_method", "scan_application",
                 "scan_identity"):
        assert f'name="{name}"' in page.text
    assert 'value="2026-11-26"' in page.text  # the received day defaults to today (the tests' clock)
    assert "河东区行政审批服务局" in visible(page.text) and ">hedong-xzsp<" not in page.text  # the agency by its name
    assert "纸质文本" in page.text and "自行领取" in page.text


def test_a_registration_with_scans_lands_on_the_receipt_and_its_query_code_opens_the_lookup(site, web_as):
    client = web_as("clerk")
    answer = register(client, [("scan_application", ("申请书.pdf", PDF, "application/pdf")),
                               ("scan_identity", ("身份证.png", PNG, "image/png")),
                               ("scan_other", ("", b"", "application/octet-stream"))])  # an input left empty
    assert answer.status_code == 303 and answer.headers["location"].endswith("/registered")
    request_id = answer.headers["location"].split("/")[2]
    done = client.get(answer.headers["location"])
    text = visible(done.text)
    assert "申请已登记" in text and "河东审批依申登〔2026〕" in text and "打印登记回执" in text
    code = re.search(r'class="query-code">([0-9A-F]{8})<', done.text).group(1)
    assert hashlib.sha256(PDF).hexdigest() in text and "申请书.pdf" in text and "身份证.png" in text
    history = client.get(f"/api/v1/requests/{request_id}").json()
    assert history["received_at"].startswith("2026-11-20")
    printable = client.get(re.search(r'id="print-receipt" href="([^"]+\.html)"', done.text).group(1))
    assert printable.status_code == 200 and code in printable.text and "登记回执" in printable.text

    applicant = TestClient(create_app(site))
    found = applicant.post("/lookup", data={"request_id": request_id, "query_code": code})
    assert found.status_code == 200 and 'id="lookup-state"' in found.text


def test_a_refused_registration_returns_to_the_form_with_every_typed_value_and_asks_for_the_files_again(web_as):
    client = web_as("clerk")
    answer = register(client, [("scan_application", ("申请书.pdf", PDF, "application/pdf"))], email="不是邮箱",
                      subject="请公开《某规划》全文")
    assert answer.status_code == 303 and answer.headers["location"] == "/requests/new#refusal"
    again = client.get("/requests/new")
    text = visible(again.text)
    assert "电子邮箱" in text and "附件须重新选择" in text
    for typed in ("不是邮箱", "请公开《某规划》全文", "河东区幸福路1号", "13800138000", 'value="2026-11-20"'):
        assert typed in again.text.replace("&lt;", "<")
    assert 'value="post" selected' in again.text and 'value="paper" selected' in again.text
    assert 'role="alert"' not in client.get("/requests/new").text  # shown once


@pytest.mark.parametrize("upload, words", [
    (("big.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024), "application/pdf"), "超过每件 10 MB"),
    (("setup.exe", EXE, "application/octet-stream"), "不是 PDF、JPEG 或 PNG 文件"),
    (("发票.pdf", EXE, "application/pdf"), "不是 PDF、JPEG 或 PNG 文件"),
])
def test_a_20_mb_scan_or_an_exe_is_refused_in_chinese_and_nothing_is_registered(site, web_as, upload, words):
    client = web_as("clerk")
    answer = register(client, [("scan_application", upload)])
    assert answer.status_code == 303 and answer.headers["location"] == "/requests/new#refusal"
    text = visible(client.get("/requests/new").text)
    assert words in text and "《条例》第二十九条" in text
    assert [r["request_id"] for r in client.get("/api/v1/requests").json()] == ["W-1"]


@pytest.mark.parametrize("more, words", [
    ({"received_on": "2026-11-27"}, "晚于今天"),
    ({"received_on": "2007-12-31"}, "施行之日"),
    ({"received_on": "2026-13-01"}, "不是有效日期"),
    ({"received_on": "<img src=x>"}, "不是有效日期"),
    ({"obtain_method": "<b>x</b>"}, "获取信息的方式"),
    ({"name": ""}, "申请人姓名或名称"),
])
def test_a_wrong_field_comes_back_on_the_form_in_chinese(web_as, more, words):
    client = web_as("clerk")
    assert register(client, **more).status_code == 303
    page = client.get("/requests/new")
    assert words in visible(page.text) and "<img src=x>" not in page.text and "<b>x</b>" not in page.text


def test_markup_and_full_width_text_are_kept_as_typed_and_shown_escaped(web_as):
    client = web_as("clerk")
    answer = register(client, name="<script>alert(1)</script>张三", received_on="２０２６－１１－２０",
                      address="河东区＜幸福路＞１号")
    assert answer.status_code == 303
    done = client.get(answer.headers["location"])
    request_id = answer.headers["location"].split("/")[2]
    history = client.get(f"/api/v1/requests/{request_id}").json()
    assert history["received_at"].startswith("2026-11-20")
    assert "<script>alert(1)</script>" not in done.text


@pytest.mark.parametrize("more", [{"name": "张\x00三"}, {"address": "x" * 30_000}, {"email": "a@b.cn\x00"}])
def test_nul_or_huge_text_in_the_multipart_form_is_refused_in_chinese_never_a_500(web_as, more):
    answer = register(web_as("clerk"), [("scan_application", ("申请书.pdf", PDF, "application/pdf"))], **more)
    assert answer.status_code == 422
    assert "控制字符" in answer.text or "最长" in answer.text


def test_the_scan_forms_take_a_larger_body_and_the_others_keep_theirs():
    assert body_limit("/requests/new") == MAX_UPLOAD_BODY_BYTES > 20 * 1024 * 1024
    assert body_limit("/requests/HD-1/attachments") == body_limit("/requests/HD-1/correction") == MAX_UPLOAD_BODY_BYTES
    assert body_limit("/requests/HD-1/steps/withdraw") == body_limit("/api/v1/requests") == MAX_BODY_BYTES


def test_a_body_over_the_limit_is_refused_in_chinese(web_as):
    client = web_as("clerk")
    token = csrf(client.get("/requests/new").text)
    answer = client.post("/requests/W-1/steps/withdraw", data={"csrf_token": token, "note": "x" * (MAX_BODY_BYTES + 1)})
    assert answer.status_code == 413 and "过大" in visible(answer.text)
    api = client.post("/api/v1/requests", content=b"{" + b" " * (MAX_BODY_BYTES + 1) + b"}",
                      headers={"content-type": "application/json", "X-CSRF-Token": token})
    assert api.status_code == 413 and "MB" in api.json()["error"]
    assert not re.search(r"[A-Za-z]{3,}", api.json()["error"].replace("MB", ""))


def test_the_agencys_staff_open_a_scan_an_auditor_sees_only_the_list(web_as):
    clerk = web_as("clerk")
    location = register(clerk, [("scan_identity", ("身份证.png", PNG, "image/png"))]).headers["location"]
    request_id = location.split("/")[2]
    section = clerk.get(f"/requests/{request_id}/attachments")
    assert section.status_code == 200 and 'id="attachments"' in section.text
    link = re.search(rf'href="(/requests/{re.escape(request_id)}/attachments/\d+)"', section.text).group(1)
    opened = clerk.get(link)
    assert opened.status_code == 200 and opened.content == PNG and opened.headers["content-type"] == "image/png"
    assert opened.headers["x-content-sha256"] == hashlib.sha256(PNG).hexdigest()

    auditor = web_as("auditor")
    listing = auditor.get(f"/requests/{request_id}/attachments")
    assert listing.status_code == 200 and "身份证.png" in listing.text and link not in listing.text
    assert "仅受理机关的工作人员可以打开" in visible(listing.text)
    assert auditor.get(link).status_code == 403
    assert web_as("clerk").get(f"/requests/{request_id}/attachments/x1").status_code == 422


def test_files_added_later_and_a_refused_one_goes_back_to_the_request_page(web_as):
    client = web_as("clerk")
    token = csrf(client.get("/requests/W-1").text)
    added = client.post("/requests/W-1/attachments", data={"csrf_token": token, "kind": "other"},
                        files=[("files", ("说明.pdf", PDF, "application/pdf"))], follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == "/requests/W-1#attachments"
    assert "说明.pdf" in client.get("/requests/W-1/attachments").text
    refused = client.post("/requests/W-1/attachments", data={"csrf_token": token, "kind": "other"},
                          files=[("files", ("病毒.exe", EXE, "application/octet-stream"))], follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/requests/W-1#refusal"
    assert "不是 PDF、JPEG 或 PNG 文件" in visible(client.get("/requests/W-1").text)


def test_the_api_registers_with_the_receipt_and_its_query_code_201(site, web_as):
    client = web_as("clerk")
    token = csrf(client.get("/requests/new").text)
    created = client.post("/api/v1/requests", headers={"X-CSRF-Token": token}, json={
        "agency": AGENCY, "applicant": {"kind": "natural_person", "name": "赵六", "email": "zhaoliu@example.cn"},
        "channel": "online", "subject": "某批复", "form_requested": "electronic", "obtain_method": "email"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert re.fullmatch(r"[0-9A-F]{8}", body["query_code"])
    assert [d["type"] for d in body["documents"]] == ["receipt"] and body["deadlines"]["reply"]["due"]
    back_dated = client.post("/api/v1/requests", headers={"X-CSRF-Token": token}, json={
        "agency": AGENCY, "applicant": {"kind": "natural_person", "name": "赵六"}, "channel": "online",
        "subject": "某批复", "received_on": "2026-11-02"})
    assert back_dated.status_code == 422 and "登记页面" in back_dated.json()["error"]
