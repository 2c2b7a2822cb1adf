"""The applicant's own page (issue 20 item 3), on SQLite and PostgreSQL: signed in with the 查询码 and a code sent to
the application's phone or e-mail (once, for ten minutes, within limits per address and per request); the progress
told in Chinese without staff names or the party consulted; the correction answered item by item with materials
(Art. 30: the reply period counts again); withdrawal; downloads of the papers served and the released files."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select

from engine.errors import NotFound, OgiError, RuleViolation, TooManyAttempts
from tests.visible_text import foreign_words
from tests.world import AGENCY, AGENCY_NAME, user
from workflows.documents.attachments import Upload
from workflows.foi import commands as c
from workflows.portal.messages import SIGN_IN_KIND
from workflows.tables import applicant_codes_table, attachments_table

PHONE, EMAIL = "13800138000", "wangwu@example.cn"
APPLICANT = {"kind": "natural_person", "name": "王五", "phone": PHONE, "email": EMAIL}
RID = "HD-2026-0001"
ADDRESS = "203.0.113.7"
PAYMENT_INFO = "请通过河东区非税收入缴款平台缴纳"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STAFF_NAMES = ("经办人", "李主任", "管理员", "clerk", "head")


def step(services, hours: float = 1) -> dt.datetime:
    services.clock.advance_to(services.clock.now() + dt.timedelta(hours=hours))
    return services.clock.now()


def receive(services, request_id: str = RID, applicant: dict | None = None, confirm: bool = True) -> None:
    services.requests.receive(c.Receive(at=services.clock.now(), request_id=request_id, agency=AGENCY,
                                        applicant=applicant or APPLICANT, channel="online",
                                        subject="2025年度部门预算", electronic_service=True), user(services, "clerk"))
    if confirm:
        services.requests.act(request_id, c.ConfirmReceipt(at=step(services)), user(services, "clerk"))


def issue_and_serve(services, request_id: str, doc_type: str, **draft) -> None:
    clerk, head = user(services, "clerk"), user(services, "head")
    step(services)
    services.documents.draft(request_id, doc_type, clerk, **draft)
    step(services)
    services.documents.approve(request_id, doc_type, head)
    step(services)
    services.documents.issue(request_id, doc_type, clerk)
    step(services)
    services.documents.serve(request_id, doc_type, clerk, "personal", signed_on=services.clock.now().date())


def query_code(services, request_id: str = RID) -> str:
    with services.engine.connect() as conn:
        return services.documents.lookup_code(services.requests.load(conn, request_id).state, conn)


def history(services, request_id: str = RID) -> dict:
    return services.queries.history(request_id)


def version(services, request_id: str = RID) -> int:
    return len(history(services, request_id)["events"])


@pytest.fixture
def desk(services):
    """The desk, with the messages it sends kept for the test (and still written to the outbox)."""
    services.directory.set_agency(user(services, "admin"), AGENCY, doc_prefix="河东审批", review_body="河东区人民政府",
                                  court="河东区人民法院", payment_info=PAYMENT_INFO)
    desk = services.applicant_desk
    sent: list = []
    real = desk.send

    def send(conn, message, now):
        sent.append(message)
        real(conn, message, now)

    desk.send = send
    desk.sent = sent
    return desk


def signed_in(services, desk, request_id: str = RID) -> str:
    started = desk.start_sign_in(request_id, query_code(services, request_id), "sms", ADDRESS)
    assert started is not None
    opened = desk.finish_sign_in(started.code_id, desk.sent[-1].context["code"], ADDRESS)
    assert opened == request_id
    return opened


def awaiting_correction(services) -> None:
    receive(services)
    issue_and_serve(services, RID, "correction_notice", paper={"missing": "description"},
                    note="请提供申请人身份证件复印件")


# -- sign-in ---------------------------------------------------------------------------------------------------------
def test_the_query_code_and_a_code_sent_to_the_phone_open_the_page_once(services, desk):
    receive(services)
    started = desk.start_sign_in(RID.lower(), query_code(services).lower(), "sms", ADDRESS)  # as people type it
    assert started is not None and started.channel == "sms" and started.destination == "138****8000"
    assert started.expires_at == services.clock.now() + dt.timedelta(minutes=10)
    [message] = desk.sent
    assert (message.channel, message.address, message.kind, message.request_id) == ("sms", PHONE, SIGN_IN_KIND, RID)
    assert message.dedupe_key == f"portal|{started.code_id}|sign_in|1"
    code = str(message.context["code"])
    assert len(code) == 6 and code.isdigit() and message.context["agency_name"] == AGENCY_NAME
    with services.engine.connect() as conn:  # the code is kept only as its keyed hash
        row = conn.execute(select(applicant_codes_table)).one()
    assert code not in row.code_hash and ADDRESS not in row.address_key
    assert desk.finish_sign_in(started.code_id, code, ADDRESS) == RID
    assert desk.finish_sign_in(started.code_id, code, ADDRESS) is None  # once only


def test_the_code_goes_by_email_when_asked_or_when_the_application_gave_only_an_email(services, desk):
    receive(services)
    by_mail = desk.start_sign_in(RID, query_code(services), "email", ADDRESS)
    assert by_mail is not None and by_mail.channel == "email" and by_mail.destination == "w***@example.cn"
    assert desk.sent[-1].address == EMAIL
    full_width = " ".join(chr(ord(d) + 0xFEE0) for d in str(desk.sent[-1].context["code"]))  # typed on a phone
    assert desk.finish_sign_in(by_mail.code_id, full_width, ADDRESS) == RID
    receive(services, "HD-2026-0002", {"kind": "natural_person", "name": "赵六", "email": EMAIL})
    only_mail = desk.start_sign_in("HD-2026-0002", query_code(services, "HD-2026-0002"), "sms", ADDRESS)
    assert only_mail is not None and only_mail.channel == "email"


def test_a_wrong_id_or_query_code_gets_the_same_none_and_sends_nothing(services, desk):
    receive(services)
    assert desk.start_sign_in("HD-2026-0999", query_code(services), "sms", ADDRESS) is None
    assert desk.start_sign_in(RID, "00000000", "sms", ADDRESS) is None
    assert desk.start_sign_in(RID, "\x00" * 5000, "sms", ADDRESS) is None
    assert desk.start_sign_in("HD-\x00" + "9" * 5000, "<b>查询码</b>", "sms", ADDRESS) is None
    assert desk.sent == []


def test_a_wrong_code_an_expired_code_and_a_code_tried_five_times_open_nothing(services, desk):
    receive(services)
    first = desk.start_sign_in(RID, query_code(services), "sms", ADDRESS)
    assert first is not None
    code = str(desk.sent[-1].context["code"])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert desk.finish_sign_in(first.code_id, wrong, "198.51.100.1") is None
    assert desk.finish_sign_in(first.code_id, code, "198.51.100.2") is None  # dead after five wrong codes
    second = desk.start_sign_in(RID, query_code(services), "sms", ADDRESS)
    assert second is not None
    services.clock.advance_to(services.clock.now() + dt.timedelta(minutes=10, seconds=1))
    assert desk.finish_sign_in(second.code_id, str(desk.sent[-1].context["code"]), ADDRESS) is None  # expired
    assert desk.finish_sign_in("x" * 5000, "123456", ADDRESS) is None
    assert desk.finish_sign_in("\x00", "１２３４５６", ADDRESS) is None


def test_ten_tries_an_hour_from_one_address_then_too_many(services, desk):
    receive(services)
    for _ in range(10):
        assert desk.start_sign_in(RID, "00000000", "sms", ADDRESS) is None
    with pytest.raises(TooManyAttempts, match="一小时内已尝试 10 次"):
        desk.start_sign_in(RID, query_code(services), "sms", ADDRESS)  # even with the right code
    assert desk.start_sign_in(RID, query_code(services), "sms", "198.51.100.9") is not None  # another address
    services.clock.advance_to(services.clock.now() + dt.timedelta(hours=1, minutes=1))
    assert desk.start_sign_in(RID, query_code(services), "sms", ADDRESS) is not None


def test_five_codes_an_hour_for_one_request_then_too_many(services, desk):
    receive(services)
    for n in range(5):
        assert desk.start_sign_in(RID, query_code(services), "sms", f"198.51.100.{n}") is not None
    with pytest.raises(TooManyAttempts, match="已发送 5 次验证码"):
        desk.start_sign_in(RID, query_code(services), "sms", "198.51.100.77")
    assert len(desk.sent) == 5


def test_an_application_without_phone_or_email_is_told_to_ask_the_agency(services, desk):
    receive(services, applicant={"kind": "natural_person", "name": "赵六", "address": "河东区一路1号"})
    with pytest.raises(RuleViolation, match="没有留下手机号码或电子邮箱"):
        desk.start_sign_in(RID, query_code(services), "sms", ADDRESS)
    with pytest.raises(RuleViolation, match="请选择验证码的接收方式"):
        desk.start_sign_in(RID, query_code(services), "fax", ADDRESS)


# -- the page ----------------------------------------------------------------------------------------------------------
def page_words(page) -> str:
    view = page.view
    return "\n".join([view.stage_label, view.outcome or "", page.agency_name, page.subject, *page.story,
                      *page.correction_items, *(d.title for d in view.documents)])


def test_the_page_tells_the_progress_in_chinese_without_staff_or_party_names(services, desk):
    receive(services, confirm=False)
    request_id = signed_in(services, desk)
    waiting = desk.page(request_id)
    assert waiting.awaiting_confirmation and waiting.may_withdraw and waiting.contact_channels == ("sms", "email")
    assert "待受理机关确认收到" in waiting.story[0]
    services.requests.act(RID, c.ConfirmReceipt(at=step(services)), user(services, "clerk"))
    issue_and_serve(services, RID, "correction_notice", paper={"missing": "description"},
                    note="请提供申请人身份证件复印件")
    asked = desk.page(RID)
    assert not asked.awaiting_confirmation and asked.view.stage_label == "待补正"
    assert len(asked.correction_items) == 2 and "特征性描述" in asked.correction_items[0]
    assert "身份证件复印件" in asked.correction_items[1]
    assert asked.correction_due is not None and asked.correction_due > services.clock.now().date()
    desk.submit_correction(RID, ["《河东区2025年度部门预算》", "附后"], [Upload("id.pdf", PDF)])
    services.requests.act(RID, c.StartConsultation(at=step(services), party="third_party", party_name="某某建设有限公司",
                                                   party_address="河东区二路2号"), user(services, "clerk"))
    services.requests.act(RID, c.EndConsultation(at=step(services), opinion="none"), user(services, "clerk"))
    services.requests.act(RID, c.Extend(at=step(services), working_days=20, reason="需要跨年度检索档案"),
                          user(services, "head"))
    issue_and_serve(services, RID, "reply", outcome="disclosed")
    page = desk.page(RID)
    words = page_words(page)
    assert not foreign_words(words, (RID,)), foreign_words(words, (RID,))
    assert not any(name in words for name in STAFF_NAMES) and "某某建设" not in words and "二路" not in words
    story = "\n".join(page.story)
    for told in ("收到您的申请（网上提交）", "确认收到您的申请，收到日期为", "告知您补正申请", "收到您的补正",
                 "征求有关方面意见", "征求意见结束", "答复期限延长20个工作日，至", "理由：需要跨年度检索档案",
                 "答复已送达您"):
        assert told in story, story
    assert "起草" not in story and "审核" not in story and "印发" not in story  # the staff's own steps
    assert page.view.outcome == "予以公开" and not page.may_withdraw and page.correction_items == ()
    assert page.view.stage_label == "已送达" and [d.title for d in page.view.documents][-1] == "政府信息公开申请答复书"


def test_the_fee_notice_shows_the_amount_the_due_day_and_how_to_pay(services, desk):
    receive(services)
    issue_and_serve(services, RID, "fee_notice", fee=("by_volume", 250))
    page = desk.page(RID)
    assert page.view.stage_label == "待缴费" and page.fee_amount_yuan and page.fee_amount_yuan > 0
    assert page.payment_due is not None and page.payment_info == PAYMENT_INFO
    assert any("信息处理费" in line for line in page.story)


# -- the applicant's steps ---------------------------------------------------------------------------------------------
def test_a_correction_online_restarts_the_reply_period_from_today_art30(services, desk):
    awaiting_correction(services)
    today = step(services, 24).date()
    desk.submit_correction(RID, ["《河东区2025年度部门预算》", ""], [Upload("身份证.pdf", PDF, "other")])
    state = history(services)
    assert state["state"] == "processing"
    assert state["deadlines"]["reply"]["start"] == today.isoformat()
    corrected = state["events"][-1]
    assert corrected["type"] == "corrected" and corrected["actor"] == "applicant"
    assert corrected["payload"]["content"] == "第1项：《河东区2025年度部门预算》"
    [scan] = desk.attachments.listing(RID, user(services, "clerk"))
    assert (scan.kind, scan.filename, scan.added_by) == ("correction", "身份证.pdf", "applicant")


def test_an_application_corrected_before_it_was_confirmed_no_longer_awaits_confirmation_art31(services, desk):
    """The agency asked for a correction instead of confirming (Art. 30, 31(3)): once corrected the confirmation can
    no longer be recorded, so the page must not say 待受理机关确认 (it did when it asked only confirmed_on)."""
    receive(services, confirm=False)
    assert desk.page(RID).awaiting_confirmation
    issue_and_serve(services, RID, "correction_notice", paper={"missing": "description"})
    step(services, 24)
    desk.submit_correction(RID, ["《河东区2025年度部门预算》"], [])
    with services.engine.connect() as conn:
        state = services.requests.load(conn, RID).state
    assert state.stage == "processing" and state.confirmed_on is None
    assert not desk.page(RID).awaiting_confirmation


def test_a_correction_is_refused_when_none_is_awaited_art30(services, desk):
    receive(services)
    before = version(services)
    with pytest.raises(RuleViolation, match="没有待补正的事项") as refused:
        desk.submit_correction(RID, ["补充"], [])
    assert refused.value.rule == "Art. 30" and version(services) == before


@pytest.mark.parametrize("answers", [["含\x00字符"], ["响铃\x07"], ["长" * 20_001], ["", "  "], []])
def test_hostile_answers_are_refused_in_chinese_with_nothing_written_art30(services, desk, answers):
    awaiting_correction(services)
    before = version(services)
    with pytest.raises(OgiError) as refused:
        desk.submit_correction(RID, answers, [Upload("a.pdf", PDF)])
    words = getattr(refused.value, "reason", None) or getattr(refused.value, "problem", str(refused.value))
    assert words and not foreign_words(words), words
    assert version(services) == before and history(services)["state"] == "awaiting_correction"
    with services.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(attachments_table)).scalar_one() == 0


def test_a_bad_file_refuses_the_whole_correction(services, desk):
    awaiting_correction(services)
    before = version(services)
    with pytest.raises(RuleViolation, match="不是 PDF、JPEG 或 PNG"):
        desk.submit_correction(RID, ["补充"], [Upload("a.exe", b"MZ\x90\x00")])
    assert version(services) == before and history(services)["state"] == "awaiting_correction"


def test_withdrawal_concludes_the_request_as_other_and_is_refused_once_concluded(services, desk):
    receive(services)
    desk.withdraw(RID, "已通过其他途径获得")
    state = history(services)
    assert (state["state"], state["outcome"]) == ("withdrawn", "other.other")
    assert state["events"][-1]["actor"] == "applicant"
    assert not desk.page(RID).may_withdraw and "您撤回了申请" in desk.page(RID).story[-1]
    with pytest.raises(RuleViolation, match="不能再撤回") as refused:
        desk.withdraw(RID)
    assert refused.value.rule == "withdrawal"


def test_the_applicant_turns_the_notices_off_and_on(services, desk):
    receive(services)
    desk.choose_notices(RID, False)
    assert not desk.page(RID).notices_enabled
    desk.choose_notices(RID, False)  # no change: no event
    assert [e["type"] for e in history(services)["events"]].count("applicant_notices_chosen") == 1
    desk.choose_notices(RID, True)
    assert desk.page(RID).notices_enabled


def test_downloading_a_served_paper_records_the_download_with_its_digest(services, desk):
    receive(services)
    issue_and_serve(services, RID, "reply", outcome="disclosed")
    [reply] = [d for d in desk.page(RID).view.documents if d.title == "政府信息公开申请答复书"]
    name, content = desk.document(RID, reply.position)
    assert content.startswith(b"%PDF") and name.endswith(".pdf") and reply.number and reply.number in name
    last = history(services)["events"][-1]
    assert last["type"] == "applicant_downloaded" and last["actor"] == "applicant"
    assert last["payload"] == {"item": "document", "ref": reply.number,
                               "sha256": hashlib.sha256(content).hexdigest()}
    with pytest.raises(NotFound, match="没有这份文书"):
        desk.document(RID, 999)


def test_a_released_file_is_downloaded_only_once_the_reply_is_served(services, desk):
    receive(services)
    content = b"PK\x03\x04 the budget table"
    try:
        services.released.release(RID, [Upload("预算表.zip", content)], user(services, "clerk"))
    except NotImplementedError:
        pytest.skip("the file store is not implemented yet")
    digest = hashlib.sha256(content).hexdigest()
    assert desk.page(RID).released == ()
    with pytest.raises(NotFound, match="答复送达后"):
        desk.released_file(RID, digest)
    issue_and_serve(services, RID, "reply", outcome="disclosed")
    [item] = desk.page(RID).released
    assert (item.name, item.sha256, item.size) == ("预算表.zip", digest, len(content))
    shown, body = desk.released_file(RID, digest)
    assert body == content and shown == item
    last = history(services)["events"][-1]
    assert last["type"] == "applicant_downloaded" and last["payload"] == {"item": "file", "ref": digest,
                                                                         "sha256": digest}
