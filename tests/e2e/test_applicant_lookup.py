"""The applicant's /lookup (issue 19 item 6): full-width input accepted, only the papers sent to the applicant (never
the 征求意见书 to the third party), the outcome in words, the served reply downloaded as PDF — and only with the
request id and its 查询码, counted toward the rate limit."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from fastapi.testclient import TestClient

from tests.world import user
from web.app import create_app
from web.lookup_input import typed_query_code, typed_request_id
from web.lookup_limit import ATTEMPTS_PER_WINDOW
from workflows.documents import rendering
from workflows.documents.progress import outcome_in_words

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


def sent(site, doc_type: str, **draft) -> None:
    """Drafted by the clerk, approved by the head, issued and handed over in person today."""
    clerk = user(site, "clerk")
    site.documents.draft("W-1", doc_type, clerk, **draft)
    site.documents.approve("W-1", doc_type, user(site, "head"))
    site.documents.issue("W-1", doc_type, clerk)
    site.documents.serve("W-1", doc_type, clerk, "personal", signed_on=site.clock.now().date())


@pytest.fixture
def answered(site):
    """W-1 with its receipt served, a 征求意见书 sent to the third party, and the reply (disclosed) served."""
    sent(site, "receipt")
    sent(site, "consultation_letter", party="third_party", note="请于十五个工作日内提出意见")
    sent(site, "reply", outcome="disclosed", note="请于收到本答复书之日起十个工作日内到本机关政务服务大厅领取")
    return site


@pytest.fixture
def code(site) -> str:
    with site.engine.connect() as conn:
        return site.documents.lookup_code(site.requests.load(conn, "W-1").state)


def prints_pdf() -> bool:
    """workflows/documents/rendering.py prints PDF with Chromium, else LibreOffice."""
    return any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome", "soffice",
                                               "libreoffice"))


def pdf_text(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def pdf_renderer(monkeypatch):
    """The real PDF where this machine prints one; where it cannot, a stand-in that still gets the document the
    lookup chose (so the test sees which one was served)."""
    if prints_pdf():
        return None
    rendered = []

    def to_pdf(document, agency):
        rendered.append(document)
        return b"%PDF-1.4 stand-in for " + document.type.encode()

    monkeypatch.setitem(rendering.RENDERERS, "pdf", to_pdf)
    return rendered


def test_full_width_ids_and_codes_are_read_as_typed_by_an_input_method():
    assert typed_request_id("ＨＤ－２０２６－０００１") == "HD-2026-0001"
    assert typed_request_id(" HD—2026 – 0001　") == "HD-2026-0001"
    assert typed_query_code("ａｂｃｄ　１２３４") == "ABCD1234"
    assert typed_query_code("ab-cd 12 O4") == "ABCD1204"  # a letter O is no hex digit: the 0 was meant


def test_the_outcome_is_told_in_words_without_the_reports_counting_rule():
    assert outcome_in_words("disclosed") == "予以公开"
    assert outcome_in_words("partial") == "部分公开"
    assert outcome_in_words("withheld.state_secret") == "不予公开（属于国家秘密）"


def test_the_lookup_takes_a_full_width_id_and_a_spaced_lower_case_code(answered, code):
    client = TestClient(create_app(answered))
    typed = full_width("w-1")
    spaced = " ".join(full_width(code.lower()[i:i + 4]) for i in (0, 4))
    answer = client.post("/lookup", data={"request_id": typed, "query_code": spaced}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/lookup")  # post/redirect/get
    shown = client.get(answer.headers["location"])
    assert shown.status_code == 200 and 'id="lookup-state"' in shown.text and "申请 W-1" in shown.text


def test_the_applicant_sees_only_the_papers_sent_to_them_and_the_outcome_art36(answered, code):
    client = TestClient(create_app(answered))
    shown = client.post("/lookup", data={"request_id": "W-1", "query_code": code})
    assert shown.status_code == 200
    assert "政府信息公开申请登记回执" in shown.text and "政府信息公开申请答复书" in shown.text
    assert "征求意见书" not in shown.text  # sent to the third party, not to the applicant (Art. 32)
    assert re.search(r'id="lookup-outcome">\s*予以公开\s*<', shown.text)
    assert "王五" not in shown.text and "110101199001011237" not in shown.text


def test_the_served_reply_downloads_as_pdf_for_the_applicant(answered, code, pdf_renderer):
    client = TestClient(create_app(answered))
    shown = client.post("/lookup", data={"request_id": "W-1", "query_code": code}).text
    links = re.findall(r'href="(/lookup/documents/\d+\.pdf)"', shown)
    assert len(links) == 2  # the receipt and the reply; no link to the third party's letter
    reply_link = links[-1]
    download = client.get(reply_link)
    assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
    assert download.content.startswith(b"%PDF") and "attachment" in download.headers["content-disposition"]
    if pdf_renderer is not None:
        assert [d.type for d in pdf_renderer] == ["reply"]
    elif shutil.which("pdftotext"):
        text = re.sub(r"\s+", "", pdf_text(download.content))
        assert "政府信息公开申请答复书" in text and "征求意见" not in text
    third_party_letter = "/lookup/documents/1.pdf"  # the 征求意见书, second of W-1's documents
    assert third_party_letter not in links
    refused = client.get(third_party_letter, follow_redirects=False)
    assert refused.status_code == 303 and not refused.content.startswith(b"%PDF")


def test_a_wrong_code_downloads_nothing_and_counts_toward_the_rate_limit(answered, code, pdf_renderer):
    client = TestClient(create_app(answered))
    wrong = "00000000" if code != "00000000" else "11111111"
    refused = client.post("/lookup", data={"request_id": "W-1", "query_code": wrong})
    assert refused.status_code == 404 and "不正确" in refused.text and "/lookup/documents/" not in refused.text
    for link in ("/lookup/documents/0.pdf", "/lookup/documents/2.pdf"):
        answer = client.get(link, follow_redirects=False)
        assert answer.status_code == 303 and not answer.content.startswith(b"%PDF")
    for _ in range(ATTEMPTS_PER_WINDOW - 1):
        client.post("/lookup", data={"request_id": "W-1", "query_code": wrong})
    now_right = client.post("/lookup", data={"request_id": "W-1", "query_code": code})
    assert now_right.status_code == 429 and "频繁" in now_right.text and 'id="lookup-state"' not in now_right.text
    assert not client.get("/lookup/documents/2.pdf").content.startswith(b"%PDF")


def test_a_forged_lookup_cookie_opens_nothing(answered, code):
    client = TestClient(create_app(answered))
    client.post("/lookup", data={"request_id": "W-1", "query_code": code})
    genuine = client.cookies.get("ogi_lookup")
    mac, data = genuine.split(".", 1)
    client.cookies.set("ogi_lookup", ("0" * len(mac)) + "." + data)
    assert 'id="lookup-state"' not in client.get("/lookup").text
    assert client.get("/lookup/documents/2.pdf", follow_redirects=False).status_code == 303


def test_ending_the_lookup_forgets_the_code(answered, code):
    client = TestClient(create_app(answered))
    client.post("/lookup", data={"request_id": "W-1", "query_code": code})
    ended = client.post("/lookup/forget", follow_redirects=False)
    assert ended.status_code == 303
    client.cookies.clear()
    client.cookies.update({k: v for k, v in ended.cookies.items() if v})
    assert 'id="lookup-state"' not in client.get("/lookup").text


@pytest.mark.parametrize("typed", ["<script>alert(1)</script>", "Ｗ" * 5000, "W-1\u200b", "　", ""])
def test_hostile_lookup_input_gets_a_chinese_answer_never_a_500(site, typed):
    client = TestClient(create_app(site))
    answer = client.post("/lookup", data={"request_id": typed, "query_code": typed})
    assert answer.status_code in (404, 422) and "<script>alert" not in answer.text
    assert re.search(r"[\u4e00-\u9fff]", answer.text)
