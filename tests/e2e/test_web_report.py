"""The annual report page of the staff web UI (/reports): tables 二/三/四 in the official layout, the drill-down from a
figure to its requests, the downloads, publication by a 负责人 and the table 二 register, with the role and agency
checks. Through FastAPI's TestClient on SQLite, with the fixture of tests/e2e/test_web.py (W-1 received 2026-11-26)."""

from __future__ import annotations

import html
import re

import pytest

from tests.builders import decided, load, request_line
from tests.conftest import AGENCY
from tests.web_client import csrf, signed_in
from workflows.report.facts import TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_ROWS

YEAR = 2026
PAGE = f"/reports/{AGENCY}/{YEAR}"


@pytest.fixture
def reported(site):
    load(site, request_line("R-1", "2026-03-02", decided("2026-03-10")),
         request_line("R-2", "2026-04-01", decided("2026-04-20", outcome="unable.not_held"), kind="commercial"))
    return site


def _hrefs(text: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', text)]


def test_the_report_page_shows_the_three_tables_with_their_labels_and_checks(reported):
    page = signed_in(reported, "clerk").get(PAGE)
    assert page.status_code == 200
    text = page.text
    for heading in ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
                    "一、本年新收政府信息公开申请数量", "（一）予以公开", "行政复议", "未经复议直接起诉", "结果维持",
                    "第二十条第（一）项", "申请人情况", "商业企业"):
        assert heading in text, heading
    assert "勾稽关系" in text and "✓ 通过" in text and "✗" not in text
    # a clerk writes table 二 but does not publish
    assert 'action="/reports/hedong-xzsp/2026/register"' in text
    assert 'action="/reports/hedong-xzsp/2026/publish"' not in text
    for fmt in ("json", "text", "csv", "html", "xlsx", "docx"):
        assert f"{PAGE}.{fmt}" in text


def test_every_figure_links_to_its_requests_and_the_drill_down_lists_them(reported):
    client = signed_in(reported, "clerk")
    links = [h for h in _hrefs(client.get(PAGE).text) if "/cell?" in h]
    assert len(links) == len(TABLE3_ROWS) * len(TABLE3_COLUMNS) + len(TABLE4_ROWS) * len(TABLE4_COLUMNS)  # every figure of tables 三 and 四
    disclosed = f"{PAGE}/cell?row=disclosed&column=natural_person"
    assert disclosed in links
    listing = client.get(disclosed)
    assert listing.status_code == 200
    assert 'href="/requests/R-1"' in listing.text and "R-2" not in listing.text and "2026-03-10" in listing.text
    total = client.get(f"{PAGE}/cell?row=new&column=total").text
    assert all(f'href="/requests/{rid}"' in total for rid in ("R-1", "R-2", "W-1"))
    empty = client.get(f"{PAGE}/cell?row=review&column=maintained")
    assert empty.status_code == 200 and "没有计入的申请" in empty.text
    assert client.get(f"{PAGE}/cell?row=nonsense&column=total").status_code == 422


def test_a_year_without_data_shows_zeros(web_as):
    text = web_as("clerk").get(f"/reports/{AGENCY}/2020").text
    assert "?row=new&amp;column=total" in text
    figures = re.findall(r'/cell\?row=[^"]+"[^>]*>(\d+)</a>', text)
    assert figures and set(figures) == {"0"}


def test_the_downloads_have_their_media_types(reported):
    client = signed_in(reported, "clerk")
    xlsx = client.get(f"{PAGE}.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.headers["content-disposition"].startswith("attachment") and xlsx.content[:2] == b"PK"
    docx = client.get(f"{PAGE}.docx")
    assert docx.headers["content-disposition"].startswith("attachment") and "wordprocessingml" in docx.headers["content-type"]
    as_json = client.get(f"{PAGE}.json")
    assert as_json.headers["content-type"].startswith("application/json")
    assert as_json.json()["table3"]["disclosed"][0] == 1
    assert client.get(f"{PAGE}.text").headers["content-type"].startswith("text/plain")
    assert client.get(f"{PAGE}.csv").headers["content-type"].startswith("text/csv")
    assert client.get(f"{PAGE}.pdf").status_code == 422


def test_an_auditor_reads_the_report_but_may_not_publish_or_register(reported):
    auditor = signed_in(reported, "auditor")
    page = auditor.get(PAGE)
    assert page.status_code == 200 and "三、收到和处理政府信息公开申请情况" in page.text
    assert "/publish" not in page.text and "/register" not in page.text
    token = csrf(page.text)
    assert auditor.post(f"{PAGE}/publish", data={"csrf_token": token, "reason": ""}).status_code == 403
    assert auditor.post(f"{PAGE}/register", data={"csrf_token": token, "item": "rules", "issued": "1"}).status_code == 403
    assert auditor.get(f"{PAGE}/cell?row=disclosed&column=natural_person").status_code == 200
    assert reported.reports.annual(YEAR, AGENCY).publication is None


def test_staff_of_another_agency_are_refused(reported):
    outsider = signed_in(reported, "outsider")
    assert outsider.get(PAGE).status_code == 403
    assert outsider.get(f"{PAGE}.xlsx").status_code == 403
    assert outsider.get(f"{PAGE}/cell?row=disclosed&column=natural_person").status_code == 403
    token = csrf(outsider.get("/reports").text)
    assert outsider.post(f"{PAGE}/publish", data={"csrf_token": token}).status_code == 403
    assert AGENCY not in outsider.get("/reports").text


def test_a_head_publishes_and_a_correction_needs_a_reason(reported):
    head = signed_in(reported, "head")
    page = head.get(PAGE)
    assert 'action="/reports/hedong-xzsp/2026/publish"' in page.text
    token = csrf(page.text)
    done = head.post(f"{PAGE}/publish", data={"csrf_token": token, "reason": ""}, follow_redirects=False)
    assert done.status_code == 303
    published = reported.reports.annual(YEAR, AGENCY)
    assert published.publication is not None and published.publication.published_by == "head"
    assert published.publication.figures_hash in head.get(PAGE).text
    again = head.post(f"{PAGE}/publish", data={"csrf_token": token, "reason": ""})
    assert again.status_code == 422 and "发布更正后的报告须说明理由" in again.text


def test_a_clerk_does_not_publish(reported):
    clerk = signed_in(reported, "clerk")
    token = csrf(clerk.get(PAGE).text)
    assert clerk.post(f"{PAGE}/publish", data={"csrf_token": token}).status_code == 403


def test_the_register_form_enters_table_two(reported):
    clerk = signed_in(reported, "clerk")
    token = csrf(clerk.get(PAGE).text)
    saved = clerk.post(f"{PAGE}/register", data={"csrf_token": token, "item": "rules", "issued": "3", "repealed": "",
                                                 "in_force": "12", "note": "法制科台账"}, follow_redirects=False)
    assert saved.status_code == 303
    figures, missing = reported.reports.register(YEAR, AGENCY)
    assert figures["rules"] == {"issued": "3", "repealed": "0", "in_force": "12"} and "rules" not in missing
    assert reported.reports.register_history(YEAR, AGENCY)[-1]["actor"] == "clerk"
    wrong = clerk.post(f"{PAGE}/register", data={"csrf_token": token, "item": "fees", "amount_wan": "-1"})
    assert wrong.status_code == 422 and "“-1”应为 0 或正数" in wrong.text
    assert clerk.post(f"{PAGE}/register", data={"item": "rules", "issued": "4"}).status_code == 403  # no csrf token


def test_the_chooser_lists_the_readable_agencies_and_goes_to_the_report(reported):
    clerk = signed_in(reported, "clerk")
    chooser = clerk.get("/reports")
    assert chooser.status_code == 200 and f"/reports/{AGENCY}/{YEAR}" in chooser.text and "other-agency" not in chooser.text
    go = clerk.get(f"/reports?agency={AGENCY}&year={YEAR}", follow_redirects=False)
    assert go.status_code == 303 and go.headers["location"] == PAGE
