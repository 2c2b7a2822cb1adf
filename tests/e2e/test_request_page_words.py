"""The request page in words (issue 19 items 2 and 7): a request with a rich history (correction, consultation,
extension approved in 审批, fee, decision, service by post) shows no code and no English word; and the two
replays (审计 and the request page's ?as_of=) read a bare date the same way, as the end of that day."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from tests.conftest import AGENCY, user
from workflows.foi import commands as c
from workflows.foi.state import STAGE_LABELS, Stage

RICH = "R-1"
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
FILE_FORMATS = re.compile(r"\b(?:PDF|JPEG|PNG)\b")  # the 附件 section names the files it takes as a clerk knows them
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


class VisibleText(HTMLParser):
    """The text a reader sees inside <main> (of a whole page; all of a fragment), leaving out scripts, styles and
    the element with id `leave_out`."""

    def __init__(self, leave_out: str | None = None, fragment: bool = False):
        super().__init__()
        self.leave_out, self.parts, self.depth = leave_out, [], 0
        self.in_main, self.skipping_at = fragment, None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        self.depth += 1
        if tag == "main":
            self.in_main = True
        if self.skipping_at is None and (tag in ("script", "style") or (
                self.leave_out is not None and dict(attrs).get("id") == self.leave_out)):
            self.skipping_at = self.depth

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.skipping_at == self.depth:
            self.skipping_at = None
        if tag == "main":
            self.in_main = False
        self.depth -= 1

    def handle_data(self, data):
        if self.in_main and self.skipping_at is None and data.strip():
            self.parts.append(data.strip())


def visible(html: str, leave_out: str | None = None, fragment: bool = False) -> str:
    parser = VisibleText(leave_out, fragment)
    parser.feed(html)
    return " ".join(parser.parts)


def state_of(html: str) -> str:
    return re.search(r'id="request-state">([^<]+)<', html).group(1)


@pytest.fixture
def rich(site):
    """R-1: received by plain letter and confirmed, assigned, corrected, consulted, extended (the head's approval in
    审批), charged and paid, decided (予以公开) and served by post; each day at 09:00 (the fee paid at 15:00)."""
    services, clock = site, site.clock
    clerk, head = user(services, "clerk"), user(services, "head")

    def step(command):
        services.requests.act(RICH, lambda now: command(now), clerk)

    def on(day: str, hour: int = 9) -> None:
        clock.advance_to(dt.datetime.fromisoformat(day).replace(hour=hour))

    def paper(doc_type: str, **draft) -> None:
        services.documents.draft(RICH, doc_type, clerk, **draft)
        services.documents.approve(RICH, doc_type, head)
        services.documents.issue(RICH, doc_type, clerk)

    services.requests.receive(c.Receive(at=clock.now(), request_id=RICH, agency=AGENCY, channel="post_plain",
                                        subject="2025年度部门预算", applicant={"kind": "natural_person", "name": "王五"}),
                              clerk)
    on("2026-11-27")
    step(lambda now: c.ConfirmReceipt(at=now))
    step(lambda now: c.AssignDepartment(at=now, department="bangongshi"))
    on("2026-11-30")
    paper("correction_notice", text="请补充所需信息的文件名称或文号。")
    services.documents.serve(RICH, "correction_notice", clerk, "personal", signed_on=clock.now().date())
    on("2026-12-01")
    step(lambda now: c.SubmitCorrection(at=now))
    step(lambda now: c.StartConsultation(at=now, party="third_party"))
    on("2026-12-03")
    step(lambda now: c.EndConsultation(at=now, party="third_party", opinion="consent"))
    on("2026-12-04")
    step(lambda now: c.Extend(at=now, working_days=15, reason="需要调取档案"))
    [asked] = services.approvals.listing(head)
    services.approvals.approve(asked.id, head, "同意")
    on("2026-12-07")
    paper("fee_notice", fee=("by_volume", 50))
    services.documents.serve(RICH, "fee_notice", clerk, "personal", signed_on=clock.now().date())
    on("2026-12-07", 15)
    step(lambda now: c.PayFee(at=now))
    on("2026-12-08")
    paper("reply", outcome="disclosed", note="请于工作日到本机关政务服务大厅领取")
    services.documents.serve(RICH, "reply", clerk, "post", tracking_no="1190012345678")
    on("2026-12-09")
    return services


def test_the_request_page_of_a_rich_history_has_no_code_or_english_word(rich, web_as):
    page = web_as("clerk").get(f"/requests/{RICH}")
    assert page.status_code == 200
    # the 文书 section is another part's (request_documents.html.j2): its words are checked there
    text = visible(page.text, leave_out="documents")
    assert ENGLISH_WORD.findall(FILE_FORMATS.sub(" ", text)) == [], text
    for words in ("河东区行政审批服务局", "平常信函", "予以公开", "办公室", "征求第三方意见", "同意公开", "李主任",
                  "延长答复期限15个工作日，经负责人李主任同意", "按量计收", "答复送达申请人（邮寄送达"):
        assert words in text, words
    for code in ("hedong-xzsp", "post_plain", "consultation:third_party", "text_hash", "bangongshi", "disclosed"):
        assert code not in text
    assert "只计这一情形" not in text  # the outcome badge is the outcome, not the report's counting note


def test_a_fresh_request_offers_the_next_legal_steps_first_and_the_rest_under_other_steps_art30_art33(site, web_as):
    page = web_as("clerk").get("/requests/W-1").text
    steps = visible(page.split('id="steps"', 1)[1].split('id="other-steps"', 1)[0], fragment=True)
    assert "一次性告知补正" in steps and steps.index("一次性告知补正") < steps.index("作出答复"), steps
    assert "《条例》第三十条" in steps and "《条例》第三十三条" in steps
    assert "需要文书：政府信息公开申请补正告知书（ 尚未起草 ）" in steps
    other = visible(page.split('id="other-steps"', 1)[1].split('id="documents"', 1)[0], fragment=True)
    assert "要求申请人说明理由" in other  # Art. 35: not a next step
    # a department is chosen by its name, never typed as its code
    assert '<select id="assign_department-department" name="department">' in page and "政策法规科" in other
    assert "答复更正申请" not in page  # Art. 41: only a request to correct records
    assert ENGLISH_WORD.findall(FILE_FORMATS.sub(" ", visible(page, leave_out="documents"))) == []


def test_audit_replay_and_the_request_page_read_a_bare_date_as_the_end_of_that_day(rich, web_as):
    # on 2026-12-01 the corrected application came in and the consultation began (09:00): at the end of that day the
    # request was consulting; at its start it still awaited the correction
    auditor = web_as("auditor")
    via_audit = auditor.get("/audit/replay", params={"request_id": RICH, "as_of": "2026-12-01"})
    direct = auditor.get(f"/requests/{RICH}", params={"as_of": "2026-12-01"})
    assert via_audit.status_code == direct.status_code == 200
    assert state_of(via_audit.text) == state_of(direct.text) == STAGE_LABELS[Stage.CONSULTING]
    assert "2026年12月1日终了时" in direct.text and "当天办理的步骤都计入" in direct.text
    assert "当天办理的步骤都计入" in auditor.get("/audit").text  # the reading is stated on both pages
    earlier = auditor.get(f"/requests/{RICH}", params={"as_of": "2026-12-01T08:00"})
    assert state_of(earlier.text) == STAGE_LABELS[Stage.AWAITING_CORRECTION]
    assert ENGLISH_WORD.findall(visible(direct.text, leave_out="documents")) == []
