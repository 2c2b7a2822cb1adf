"""The staff pages in a real browser (Playwright driving Debian's chromium): one request from registration through a
correction notice, a third-party consultation, an extension, a refused step and the served reply, then the auditor's
read-only replay and the applicant's lookup with the 查询码.

The app runs with uvicorn on a free loopback port in a thread of this process, on the `sqlite_services` fixture; the
test moves the shared virtual clock between the steps so days pass. A failing step leaves a screenshot in
var/screenshots/<test name>.png; the request page at the end is kept in var/screenshots/request_page.png.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import uvicorn

from tests.conftest import AGENCY, REPO_ROOT, user
from tests.network import free_port
from tests.world import PASSWORD
from web.app import create_app
from workflows.foi.state import STAGE_LABELS, Stage

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--lang=zh-CN"]
# the browser's own words (a file input's 选择文件, 未选择任何文件) as a Chinese user's phone shows them: chromium-l10n's
# strings, chosen by the process's language (--lang alone is not enough for headless chromium)
CHROMIUM_LANGUAGE = {"LANGUAGE": "zh_CN", "LANG": "C.UTF-8"}  # zh_CN.UTF-8 is no locale here: file names broke
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}
TIMEOUT_MS = 15_000
# an applicant name that would plant an element and an htmx call if a page wrote it unescaped
HOSTILE_NAME = '王五<b id="planted" hx-post="/admin/users" hx-trigger="load">x</b>'


def _chromium_or_skip() -> None:
    if Path(CHROMIUM).exists() and os.access(CHROMIUM, os.X_OK):
        return
    reason = f"no chromium at {CHROMIUM} (apt-get install chromium); the browser test never downloads one"
    if os.environ.get("OGI_REQUIRE_SERVICES") == "1":
        pytest.fail(reason + " (OGI_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture
def site(sqlite_services):
    """The web app on sqlite_services, served on a free loopback port; yields (services, base URL)."""
    services = sqlite_services
    services.directory.set_agency(user(services, "admin"), AGENCY, doc_prefix="河东审批", review_body="河东区人民政府",
                                  court="河东区人民法院")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="ogi-browser-test-web", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            pytest.fail(f"the web app did not answer {base}/healthz within 20 s")
        time.sleep(0.05)
    yield services, base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser():
    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                              env={**os.environ, **CHROMIUM_LANGUAGE})
        try:
            yield chromium
        finally:
            chromium.close()


class Desk:
    """One browser context (cookies of its own) per user, signing in through /login whenever a page asks for it."""

    def __init__(self, browser, base: str):
        self.browser, self.base = browser, base
        self.pages: dict[str, object] = {}

    def page(self, name: str | None):
        if name not in self.pages:
            context = self.browser.new_context(viewport=VIEWPORT, locale="zh-CN")
            context.set_default_timeout(TIMEOUT_MS)
            self.pages[name] = context.new_page()
        return self.pages[name]

    def open(self, name: str, path: str):
        """`path` as `name`; a sign-in page on the way (first visit, or the session ended) is filled in."""
        page = self.page(name)
        page.goto(self.base + path)
        if page.url.split("?")[0].endswith("/login"):
            page.fill("#username", name)
            page.fill("#password", PASSWORD)
            with page.expect_navigation():
                page.click("form[action='/login'] button[type=submit]")
            assert not page.url.split("?")[0].endswith("/login"), f"{name} could not sign in: {page.inner_text('body')}"
            if not page.url.endswith(path):
                page.goto(self.base + path)
        return page

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


def submit(page, selector: str) -> None:
    """Click a submit button and wait for the page the form leads to."""
    with page.expect_navigation():
        page.click(selector)


def take_step(page, command: str, **fields: str) -> None:
    """Open the step's <details>, fill its fields and press its button."""
    button = page.locator(f"button[data-step='{command}']")
    assert button.count() == 1, f"step {command} is not offered on {page.url}"
    other_steps = page.locator("details#other-steps", has=button)  # a rarer step: under 其他操作, folded
    if other_steps.count() and other_steps.get_attribute("open") is None:
        other_steps.locator("> summary").click()
    details = page.locator("details.step", has=button)
    details.locator("summary").click()
    for name, value in fields.items():
        control = details.locator(f"[name='{name}']")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    submit(page, f"button[data-step='{command}']")


def state_badge(page) -> str:
    return page.locator("#request-state").inner_text().strip()


def test_a_request_from_registration_to_the_served_reply_in_the_browser(site, browser, request):
    services, base = site
    desk = Desk(browser, base)
    page = None
    try:
        # 1. the clerk registers the request and lands on its page
        registered_at = services.clock.now()
        page = clerk = desk.open("clerk", "/requests/new")
        clerk.select_option("#agency", AGENCY)
        clerk.select_option("#kind", "natural_person")
        clerk.fill("#name", HOSTILE_NAME)
        clerk.fill("#id_number", "110101199001011237")
        clerk.fill("#phone", "13800000000")
        clerk.select_option("#channel", "in_person")
        clerk.fill("#subject", "2025年度部门预算执行情况")
        submit(clerk, "form[action='/requests/new'] button[type=submit]")
        found = re.search(r"/requests/([^/?#]+)/registered$", clerk.url)  # the receipt, issued at once
        assert found and "查询码" in clerk.inner_text("main"), clerk.url
        request_id = found.group(1)
        clerk.goto(f"{desk.base}/requests/{request_id}")
        assert request_id.startswith(f"{AGENCY}-")
        assert state_badge(clerk) == STAGE_LABELS[Stage.PROCESSING]
        path = f"/requests/{request_id}"
        # the hostile name is shown as text: no element, no htmx call made from it
        assert clerk.locator("#planted").count() == 0
        assert HOSTILE_NAME in clerk.inner_text("body")

        # 2. 补正告知书: the clerk drafts, the head approves, the clerk issues and serves it in person
        services.clock.advance_to(dt.datetime(2026, 11, 26, 10, 0))
        clerk.locator("details.step", has=clerk.locator("#draft-form")).locator("summary").click()
        clerk.select_option("#doc_type", "correction_notice")
        clerk.fill("#draft_note", "请补充所需信息的文件名称或文号。")
        submit(clerk, "button[data-step='draft']")
        assert clerk.locator("#refusal").count() == 0, clerk.inner_text("#refusal")
        assert clerk.locator("#documents").get_by_text("草稿").count() >= 1

        page = head = desk.open("head", path)
        submit(head, "button[data-step='approve-correction_notice']")
        assert head.locator("#refusal").count() == 0

        page = clerk
        clerk.goto(base + path)
        submit(clerk, "button[data-step='issue-correction_notice']")
        serve = clerk.locator("details.step", has=clerk.locator("button[data-step='serve-correction_notice']"))
        serve.locator("summary").click()
        serve.locator("select[name='method']").select_option("personal")
        serve.locator("input[name='signed_on']").fill(services.clock.now().date().isoformat())
        submit(clerk, "button[data-step='serve-correction_notice']")
        assert clerk.locator("#refusal").count() == 0
        assert state_badge(clerk) == STAGE_LABELS[Stage.AWAITING_CORRECTION]
        served_correction_at = services.clock.now()

        # 3. the applicant corrects (Monday)
        services.clock.advance_to(dt.datetime(2026, 11, 30, 9, 30))
        clerk = desk.open("clerk", path)
        # recorded in the 附件 section's 收到补正 form (its day and content), which the 下一步 card points to
        assert clerk.locator("[data-offered='submit_correction'] a[href='#correction_received_on']").count() == 1
        clerk.fill("#correction_content", "补充了所需信息的文号")
        submit(clerk, "button[data-step='receive-correction']")
        assert state_badge(clerk) == STAGE_LABELS[Stage.PROCESSING]
        assert "补充了所需信息的文号" in clerk.inner_text("#timeline")

        # 4. a third-party consultation, started and ended with consent
        services.clock.advance_to(dt.datetime(2026, 12, 1, 10, 0))
        clerk = desk.open("clerk", path)
        take_step(clerk, "start_consultation", party="third_party")
        assert state_badge(clerk) == STAGE_LABELS[Stage.CONSULTING]
        # a step the law refuses: ending a consultation with a party that was not consulted is shown in words with
        # its rule, after a redirect (post/redirect/get: a reload does not send the form again)
        button = clerk.locator("button[data-step='end_consultation']")
        details = clerk.locator("details.step", has=button)
        details.locator("summary").click()
        details.locator("[name='party']").select_option("agency")
        with clerk.expect_navigation() as navigation:
            button.click()
        assert navigation.value.status == 200 and navigation.value.request.method == "GET"
        refusal = clerk.locator("#refusal")
        assert refusal.is_visible()
        assert "依据：《条例》第三十二条、第三十四条" in refusal.inner_text()
        clerk.reload()
        assert clerk.locator("#refusal").count() == 0  # shown once
        services.clock.advance_to(dt.datetime(2026, 12, 3, 15, 0))
        clerk = desk.open("clerk", path)
        take_step(clerk, "end_consultation", party="third_party", opinion="consent")
        assert state_badge(clerk) == STAGE_LABELS[Stage.PROCESSING]

        # 5. the clerk asks for an extension of 20 working days; it waits until the head approves it in 审批 (Art. 33)
        services.clock.advance_to(dt.datetime(2026, 12, 4, 9, 0))
        page = clerk = desk.open("clerk", path)
        due_before = clerk.locator("#deadline").inner_text()
        take_step(clerk, "extend", working_days="20")
        assert clerk.locator("#refusal").count() == 0
        assert clerk.locator("#deadline").inner_text() == due_before  # nothing extended yet
        assert clerk.locator("button[data-step='approve_extension']").count() == 0
        page = head = desk.open("head", "/approvals")
        row = head.locator("tr[data-approval]", has=head.locator(f"a[href^='/requests/{request_id}']"))
        assert row.count() == 1, head.inner_text("body")
        row.locator("form[action$='/approve'] input[name='reason']").fill("同意延长")
        submit(head, f"tr[data-approval='{row.get_attribute('data-approval')}'] form[action$='/approve'] button")
        assert head.locator("#approvals-error").count() == 0
        assert head.locator(f"tr[data-approval] a[href^='/requests/{request_id}']").count() == 0
        page = clerk = desk.open("clerk", path)
        assert clerk.locator("#deadline").inner_text() != due_before  # the head's consent moved the reply's due day
        assert "已同意" in clerk.inner_text("#approvals")
        assert "· 李主任" in clerk.inner_text("#timeline")  # the extension is recorded with the head as its actor

        # 7. the reply: drafted, approved, issued and served in person
        services.clock.advance_to(dt.datetime(2026, 12, 8, 10, 0))
        clerk = desk.open("clerk", path)
        clerk.locator("details.step", has=clerk.locator("#draft-form")).locator("summary").click()
        clerk.select_option("#doc_type", "reply")
        clerk.select_option("#draft_outcome", "disclosed")
        submit(clerk, "button[data-step='draft']")
        assert clerk.locator("#refusal").count() == 0

        page = head = desk.open("head", path)
        submit(head, "button[data-step='approve-reply']")

        page = clerk = desk.open("clerk", path)
        submit(clerk, "button[data-step='issue-reply']")
        assert state_badge(clerk) == STAGE_LABELS[Stage.DECIDED]
        serve = clerk.locator("details.step", has=clerk.locator("button[data-step='serve-reply']"))
        serve.locator("summary").click()
        serve.locator("select[name='method']").select_option("personal")
        serve.locator("input[name='signed_on']").fill(services.clock.now().date().isoformat())
        submit(clerk, "button[data-step='serve-reply']")
        assert clerk.locator("#refusal").count() == 0
        assert state_badge(clerk) == STAGE_LABELS[Stage.SERVED]
        assert clerk.locator("#documents").get_by_text("河东审批").count() >= 2  # both documents have their numbers

        # 8. the auditor replays the request as it stood before the consultation: read only, no step offered
        page = auditor = desk.open("auditor", path)
        assert state_badge(auditor) == STAGE_LABELS[Stage.SERVED]
        assert auditor.locator("[data-step]").count() == 0
        for moment, stage in ((registered_at, Stage.PROCESSING), (served_correction_at, Stage.AWAITING_CORRECTION)):
            auditor = desk.open("auditor", f"{path}?as_of={moment.isoformat(timespec='minutes')}")
            assert auditor.locator("[data-step]").count() == 0
            assert auditor.locator(".notice").get_by_text("回放").is_visible()
            assert state_badge(auditor) == STAGE_LABELS[stage]

        # 9. the applicant's lookup without signing in: the right 查询码 shows the state, a wrong one the error
        with services.engine.connect() as conn:
            code = services.documents.lookup_code(services.requests.load(conn, request_id).state)
        page = applicant = desk.page(None)
        applicant.goto(base + "/lookup")
        applicant.fill("#request_id", request_id)
        applicant.fill("#query_code", code)
        submit(applicant, "form[action='/lookup'] button[type=submit]")
        assert applicant.locator("#lookup-state").inner_text().strip() == STAGE_LABELS[Stage.SERVED]
        assert "王五" not in applicant.content() and HOSTILE_NAME not in applicant.content()
        applicant.fill("#request_id", request_id)
        applicant.fill("#query_code", "00000000" if code != "00000000" else "11111111")
        with applicant.expect_navigation() as navigation:
            applicant.click("form[action='/lookup'] button[type=submit]")
        assert navigation.value.status == 404
        assert applicant.locator("#lookup-state").count() == 0
        assert "不正确" in applicant.locator(".error").inner_text()

        # the request page at the end, kept for people to look at
        page = clerk = desk.open("clerk", path)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        clerk.screenshot(path=str(SCREENSHOTS / "request_page.png"), full_page=True)
    except BaseException:
        if page is not None:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
            except Exception:  # the screenshot must not hide the failure
                pass
        raise
    finally:
        desk.close()

