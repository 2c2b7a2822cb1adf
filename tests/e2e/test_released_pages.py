"""提供的信息文件 on the web (issue 20): the agency's staff release files from the request's pages (CSRF, refusals
in words back on the list, post/redirect/get) and download them; an auditor sees the list and never the files nor
the form; the serve form offers 电子送达 only when the applicant consented (235号)."""

from __future__ import annotations

import hashlib
import html
import re

from tests.conftest import AGENCY, user
from tests.web_client import csrf
from workflows.documents.attachments import Upload
from workflows.foi import commands as c

TABLE = "年度,金额\n2025,100\n".encode()


def visible(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_a_clerk_releases_files_and_downloads_them_art40(web_as):
    clerk = web_as("clerk")
    page = clerk.get("/requests/W-1")
    assert page.status_code == 200 and 'id="released"' in page.text and 'data-step="release-files"' in page.text  # the section itself
    section = clerk.get("/requests/W-1/released")
    assert "尚未提供信息文件" in visible(section.text) and 'data-step="release-files"' in section.text
    answer = clerk.post("/requests/W-1/released", data={"csrf_token": csrf(section.text)},
                        files=[("files", ("预算表.csv", TABLE, "text/csv")),
                               ("files", ("<img src=x onerror=alert(1)>.html", b"<script>alert(1)</script>",
                                          "text/html"))], follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/requests/W-1/released#released"
    listing = clerk.get("/requests/W-1/released")
    digest = hashlib.sha256(TABLE).hexdigest()
    assert "预算表.csv" in listing.text and digest[:16] in listing.text
    assert "<img src=x" not in listing.text  # the name is text, not markup
    downloaded = clerk.get(f"/requests/W-1/released/{digest}")
    assert downloaded.status_code == 200 and downloaded.content == TABLE
    assert downloaded.headers["x-content-sha256"] == digest
    assert downloaded.headers["content-disposition"].startswith("attachment;")
    assert downloaded.headers["x-content-type-options"] == "nosniff"
    markup = hashlib.sha256(b"<script>alert(1)</script>").hexdigest()
    served = clerk.get(f"/requests/W-1/released/{markup}")
    assert served.headers["content-type"].startswith("application/octet-stream")  # never opened as a page
    history = clerk.get("/requests/W-1").text
    assert "提供信息文件2个" in visible(history)  # the step is told in the request's record


def test_a_refused_release_comes_back_in_words(web_as):
    clerk = web_as("clerk")
    token = csrf(clerk.get("/requests/W-1/released").text)
    refused = clerk.post("/requests/W-1/released", data={"csrf_token": token},
                         files=[("files", ("空.txt", b"", "text/plain"))], follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/requests/W-1/released#refusal"
    shown = visible(clerk.get("/requests/W-1/released").text)
    assert "未能办理" in shown and "空文件" in shown
    assert clerk.post("/requests/W-1/released", files=[("files", ("a.txt", b"x", "text/plain"))],
                      follow_redirects=False).status_code == 403  # no CSRF token


def test_an_auditor_sees_the_list_without_the_files_or_the_form(site, web_as):
    [released] = site.released.release("W-1", [Upload("说明.txt", b"x")], user(site, "clerk"))
    auditor = web_as("auditor")
    listing = auditor.get("/requests/W-1/released")
    assert listing.status_code == 200 and "说明.txt" in listing.text
    assert 'data-step="release-files"' not in listing.text and f"/released/{released.sha256}" not in listing.text
    assert "仅受理机关的工作人员可以打开" in visible(listing.text)
    assert auditor.get(f"/requests/W-1/released/{released.sha256}").status_code == 403
    token = csrf(listing.text)
    assert auditor.post("/requests/W-1/released", data={"csrf_token": token},
                        files=[("files", ("a.txt", b"y", "text/plain"))], follow_redirects=False).status_code == 403
    outsider = web_as("outsider")
    assert outsider.get(f"/requests/W-1/released/{released.sha256}").status_code == 403
    assert web_as("clerk").get("/requests/W-1/released/..%2F..%2Fetc%2Fpasswd").status_code in (404, 422)


def test_the_serve_form_offers_electronic_service_only_with_consent_235(site, web_as):
    clerk_user, head = user(site, "clerk"), user(site, "head")
    site.requests.receive(c.Receive(at=site.clock.now(), request_id="W-2", agency=AGENCY, channel="in_person",
                                    subject="2025年度部门决算", applicant={"kind": "natural_person", "name": "赵六"},
                                    electronic_service=True), clerk_user)
    for request_id in ("W-1", "W-2"):
        site.documents.draft(request_id, "reply", clerk_user, outcome="disclosed")
        site.documents.approve(request_id, "reply", head)
        site.documents.issue(request_id, "reply", clerk_user)
    clerk = web_as("clerk")
    without = clerk.get("/requests/W-1").text
    serve_form = serve_form_of(without, "W-1")
    assert 'value="electronic"' not in serve_form and 'value="post"' in serve_form
    assert "申请人未同意电子送达" in visible(serve_form)
    with_consent = clerk.get("/requests/W-2").text
    assert '<option value="electronic">电子送达（申请人网上查询页）</option>' in serve_form_of(with_consent, "W-2")
    served = clerk.post("/requests/W-2/documents/reply/serve",
                        data={"csrf_token": csrf(with_consent), "method": "electronic",
                              "at": site.clock.now().date().isoformat()}, follow_redirects=False)
    assert served.status_code == 303
    assert site.queries.history("W-2")["state"] == "served"
    assert "发布至申请人网上查询页" in visible(clerk.get("/requests/W-2").text)


def serve_form_of(page: str, request_id: str) -> str:
    return re.search(rf'action="/requests/{request_id}/documents/reply/serve".*?</form>', page, re.S).group(0)
