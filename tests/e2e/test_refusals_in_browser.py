"""Issue 19 item 1 in a real browser: a refused step on the request page reads as a clerk reads it, in Chinese, naming
the field and citing the rule (依据：《条例》第三十三条), with no English, code or command hint; the page is kept in
var/screenshots/refusal.png."""

from __future__ import annotations

import re

from tests.conftest import AGENCY, user
from tests.e2e.test_browser import SCREENSHOTS, Desk, browser, site, take_step  # noqa: F401 (fixtures)
from workflows.foi import commands as c


def test_a_refused_extension_reads_in_chinese_with_its_basis_art33(site, browser):  # noqa: F811
    services, base = site
    services.requests.receive(c.Receive(at=services.clock.now(), request_id="HD-R1", agency=AGENCY, channel="in_person",
                                        subject="2025年度部门预算", applicant={"kind": "natural_person", "name": "张三"}),
                              user(services, "clerk"))
    desk = Desk(browser, base)
    try:
        clerk = desk.open("clerk", "/requests/HD-R1")
        take_step(clerk, "extend", working_days="30", reason="需要调取档案")
        refusal = clerk.locator("#refusal")
        assert refusal.is_visible()
        text = refusal.inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        clerk.screenshot(path=str(SCREENSHOTS / "refusal.png"))
        assert "延长的期限" in text and "1 至 20 个工作日" in text and "依据：《条例》第三十三条" in text, text
        assert not re.search(r"[A-Za-z]{2,}", text), f"English or a code in the refusal: {text!r}"
    finally:
        desk.close()
