"""Issue 21 through the command line, the web and the API: a live request's papers entered after the fact with
their own dates (`--at`, 办理日期) reach the lateness rules — a late correction notice (Art. 30: 7 working days), a
late fee notice (109号: within the reply period) and the service day that decides whether a reply is on time
(235号) — and the paper states what the step records."""

from __future__ import annotations

import datetime as dt
import json

from engine.calendar import WorkingCalendar, builtin_years
from tests.conftest import AGENCY
from tests.web_client import csrf

CALENDAR = WorkingCalendar(builtin_years())
TODAY = dt.date.today()  # the CLI runs on the real clock
RECEIVED = TODAY - dt.timedelta(days=60)
NEXT_DAY = lambda day: (day + dt.timedelta(days=1)).isoformat()  # noqa: E731  entered the morning after


def working_day(n: int) -> dt.date:
    return CALENDAR.add_working_days(RECEIVED, n)


def registered(ogi, request_id: str = "HD-1") -> None:
    ogi("agency", "set", AGENCY, "--doc-prefix", "河东审批", "--review-body", "河东区人民政府", "--court", "河东区人民法院")
    ogi("request", "new", "--id", request_id, "--agency", AGENCY, "--kind", "natural_person", "--name", "张三",
        "--channel", "in_person", "--received-at", RECEIVED.isoformat(), "--subject", "某文件")


def paper(ogi, request_id: str, doc_type: str, day: dt.date, *draft: str) -> str:
    """Drafted, approved and issued on `day`, entered the next day: the issue line printed."""
    at = day.isoformat()
    ogi("document", "draft", request_id, doc_type, *draft, "--at", at)
    ogi("document", "approve", request_id, doc_type, "--at", at)
    return ogi("document", "issue", request_id, doc_type, "--at", at).stdout


def history(ogi, request_id: str = "HD-1") -> dict:
    return json.loads(ogi("history", request_id, "--format", "json").stdout)


def test_a_correction_notice_entered_later_is_late_after_seven_working_days_art30(ready, tmp_path):
    registered(ready)
    notice_day = working_day(9)
    issued = paper(ready, "HD-1", "correction_notice", notice_day, "--note", "请写明文件的文号", "--period-days", "10")
    assert f"印发日期 {notice_day}" in issued and f"〔{notice_day.year}〕1号" in issued
    ready("document", "serve", "HD-1", "correction_notice", "--method", "post", "--tracking-no", "EMS1190012345",
          "--posted-on", notice_day.isoformat(), "--at", NEXT_DAY(notice_day))
    h = history(ready)
    assert h["state"] == "awaiting_correction" and "late_correction_notice" in h["flags"]
    [asked] = [e for e in h["events"] if e["type"] == "correction_requested"]
    assert asked["payload"]["period_days"] == 10 and asked["occurred_at"].startswith(NEXT_DAY(notice_day))
    listed = json.loads(ready("document", "list", "HD-1", "--format", "json").stdout)[0]
    assert listed["issued_on"] == notice_day.isoformat() and listed["served_on"] == notice_day.isoformat()
    ready("document", "render", "HD-1", listed["number"], "--format", "html", "-o", str(tmp_path / "notice.html"))
    printed = (tmp_path / "notice.html").read_text(encoding="utf-8")
    assert "10个工作日内补正" in printed and "15个工作日" not in printed  # the period the step records
    assert f"{notice_day.year}年{notice_day.month}月{notice_day.day}日" in printed  # the issue date on the paper


def test_a_correction_notice_within_seven_working_days_entered_later_is_on_time_art30(ready):
    registered(ready)
    notice_day = working_day(5)
    paper(ready, "HD-1", "correction_notice", notice_day, "--note", "请写明文件的文号")
    ready("document", "serve", "HD-1", "correction_notice", "--method", "personal", "--signed-on",
          notice_day.isoformat(), "--at", notice_day.isoformat())
    h = history(ready)
    assert h["state"] == "awaiting_correction" and "late_correction_notice" not in h["flags"]


def test_a_step_dated_before_its_paper_is_refused_and_one_dated_after_it_is_taken_art30(ready):
    registered(ready)
    notice_day = working_day(3)
    paper(ready, "HD-1", "correction_notice", notice_day, "--note", "请写明文件的文号", "--period-days", "10")
    refused = ready("request", "act", "HD-1", "request_correction", "--at", notice_day.isoformat(), "--period-days",
                    "15", ok=False)
    assert refused.returncode == 1 and "载明的补正期限为10个工作日" in refused.stderr and "第三十条" in refused.stderr
    ready("request", "act", "HD-1", "request_correction", "--at", NEXT_DAY(notice_day))
    [asked] = [e for e in history(ready)["events"] if e["type"] == "correction_requested"]
    assert asked["payload"]["period_days"] == 10  # the period the issued notice states


def test_a_fee_notice_entered_later_after_the_reply_period_is_late_109(ready):
    registered(ready)
    late_day = working_day(22)  # the reply period is 20 working days (Art. 33)
    paper(ready, "HD-1", "fee_notice", late_day, "--fee-method", "by_volume", "--units", "300")
    ready("document", "serve", "HD-1", "fee_notice", "--method", "personal", "--signed-on", late_day.isoformat(),
          "--at", late_day.isoformat())
    h = history(ready)
    assert h["state"] == "awaiting_payment" and "late_fee_notice" in h["flags"]


def test_a_fee_notice_within_the_reply_period_entered_later_is_on_time_109(ready):
    registered(ready)
    day = working_day(12)
    paper(ready, "HD-1", "fee_notice", day, "--fee-method", "by_volume", "--units", "300")
    ready("document", "serve", "HD-1", "fee_notice", "--method", "post", "--tracking-no", "EMS1190012345",
          "--posted-on", day.isoformat(), "--at", NEXT_DAY(day))
    h = history(ready)
    assert h["state"] == "awaiting_payment" and "late_fee_notice" not in h["flags"]


def test_the_day_handed_to_the_post_decides_the_reply_on_time_though_entered_after_the_period_235(ready):
    registered(ready)
    due = working_day(20)
    paper(ready, "HD-1", "reply", due, "--outcome", "disclosed", "--note", "请到本机关领取")
    ready("request", "act", "HD-1", "deliver", "--method", "post", "--tracking-no", "EMS1190012345",
          "--served-on", due.isoformat(), "--at", NEXT_DAY(due + dt.timedelta(days=3)))
    h = history(ready)
    [delivered] = [e for e in h["events"] if e["type"] == "delivered"]
    assert h["state"] == "served" and "late_reply" not in h["flags"] and delivered["payload"]["served_on"] == due.isoformat()
    [reply] = json.loads(ready("document", "list", "HD-1", "--format", "json").stdout)
    assert reply["state"] == "served" and reply["served_on"] == due.isoformat()  # the document and the request agree


def test_a_reply_handed_to_the_post_after_the_period_is_late_235(ready):
    registered(ready)
    due = working_day(20)
    paper(ready, "HD-1", "reply", due, "--outcome", "disclosed", "--note", "请到本机关领取")
    posted = CALENDAR.add_working_days(due, 1)
    ready("document", "serve", "HD-1", "reply", "--method", "post", "--tracking-no", "EMS1190012345",
          "--posted-on", posted.isoformat(), "--at", NEXT_DAY(posted))
    assert "late_reply" in history(ready)["flags"]


def test_a_paper_cannot_be_dated_in_the_future_or_before_the_request(ready):
    registered(ready)
    future = ready("document", "draft", "HD-1", "correction_notice", "--note", "请写明文号", "--at",
                   NEXT_DAY(TODAY), ok=False)
    assert future.returncode == 1 and "晚于现在" in future.stderr
    before = ready("document", "draft", "HD-1", "correction_notice", "--note", "请写明文号", "--at",
                   (RECEIVED - dt.timedelta(days=1)).isoformat(), ok=False)
    assert before.returncode == 1 and "早于" in before.stderr and "请核对日期" in before.stderr


# -- the web: 办理日期 on the 文书 forms ------------------------------------------------------------------------------
def test_the_documents_forms_take_the_day_it_happened_and_the_notice_is_late_art30(site, web_as):
    clock_day = site.clock.now().date()
    received = dt.datetime.combine(clock_day - dt.timedelta(days=40), dt.time())
    from tests.conftest import user
    from workflows.foi import commands as c
    site.requests.receive(c.Receive(at=received, request_id="W-9", agency=AGENCY, channel="in_person", subject="某文件",
                                    applicant={"kind": "natural_person", "name": "王五"}), user(site, "clerk"))
    notice_day = CALENDAR.add_working_days(received.date(), 9).isoformat()
    clerk, head = web_as("clerk"), web_as("head")
    page = clerk.get("/requests/W-9").text
    assert 'name="at"' in page and "办理日期" in page and f'value="{clock_day.isoformat()}"' in page

    def post(client, path: str, **form) -> None:
        token = csrf(client.get("/requests/W-9").text)
        answer = client.post(f"/requests/W-9/documents/{path}", data={"csrf_token": token, **form},
                             follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].endswith("#documents"), answer.headers

    post(clerk, "_/draft", doc_type="correction_notice", note="请写明文件的文号", period_days="10", at=notice_day)
    post(head, "correction_notice/approve", at=notice_day)
    post(clerk, "correction_notice/issue", at=notice_day)
    post(clerk, "correction_notice/serve", method="personal", signed_on=notice_day, at=notice_day)
    h = site.queries.history("W-9")
    assert h["state"] == "awaiting_correction" and "late_correction_notice" in h["flags"]
    assert [str(d["issued_on"]) for d in h["documents"]] == [notice_day]
    refused = clerk.post("/requests/W-9/documents/correction_notice/return",
                         data={"csrf_token": csrf(clerk.get("/requests/W-9").text), "reason": "拒收", "at": "2026-02-30"},
                         follow_redirects=True)
    assert "办理日期" in refused.text and "不是有效日期" in refused.text  # a wrong date is named, in Chinese


def test_a_wrong_办理日期_on_the_web_is_refused_in_chinese_and_nothing_is_drafted(site, web_as):
    clerk = web_as("clerk")
    tomorrow = (site.clock.now().date() + dt.timedelta(days=1)).isoformat()
    for given, words in ((tomorrow, "晚于现在"), ("２０２６年１０月", "不是有效日期"), ("x" * 5000, "不是有效日期"),
                         ("<script>", "不是有效日期")):
        answer = clerk.post("/requests/W-1/documents/_/draft", follow_redirects=True,
                            data={"csrf_token": csrf(clerk.get("/requests/W-1").text), "doc_type": "correction_notice",
                                  "note": "请写明文号", "at": given})
        assert answer.status_code == 200 and words in answer.text and "<script>" not in answer.text, given
    assert site.queries.history("W-1")["documents"] == []
