"""Messages to the applicant (issue 20 item 5), on SQLite and PostgreSQL: the milestones of an online request (受理,
补正, 收费, 延期, 送达, 撤回) by SMS and e-mail through the outbox, once each, in Chinese, until the applicant turns them
off; none for a paper request without consent to 电子送达 or for an imported history; and the portal's verification
code, rendered and mailed to a real SMTP server."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine.projection import Change
from notifications.applicant_notices import ApplicantNotices, write_applicant_message
from notifications.delivery import Deliverer
from notifications.email import SmtpSender
from notifications.webhook import WebhookSender
from tests.builders import event, load, request_line
from tests.visible_text import foreign_words
from tests.world import AGENCY, AGENCY_NAME, user
from workflows.foi import commands as c
from workflows.foi.online import ChooseNotices
from workflows.people.accounts import APPLICANT_ONLINE
from workflows.portal.messages import SIGN_IN_KIND, VERIFY_KIND, ApplicantMessage
from workflows.streams import request_stream
from workflows.tables import outbox_table

PHONE, EMAIL = "13812345678", "wangwu@example.cn"
APPLICANT = {"kind": "natural_person", "name": "王五", "phone": PHONE, "email": EMAIL}
PUBLIC_URL = "https://ogi.example.gov.cn"
STOP_WORDS = "如不需要办理进展通知，可在查询页关闭。"


@pytest.fixture(autouse=True)
def public_url(monkeypatch):
    monkeypatch.setenv("OGI_PUBLIC_URL", PUBLIC_URL + "/")


def step(services, hours: float = 1) -> dt.datetime:
    services.clock.advance_to(services.clock.now() + dt.timedelta(hours=hours))
    return services.clock.now()


def receive(services, request_id: str, channel: str = "online", applicant: dict | None = None,
            electronic_service: bool | None = None, subject: str = "2025年度部门预算",
            confirmed_at: dt.datetime | None = None) -> None:
    services.requests.receive(c.Receive(at=services.clock.now(), request_id=request_id, agency=AGENCY,
                                        applicant=applicant or APPLICANT, channel=channel, subject=subject,
                                        electronic_service=electronic_service, confirmed_at=confirmed_at),
                              user(services, "clerk"))


def messages(services, request_id: str | None = None) -> list:
    o = outbox_table.c
    query = select(outbox_table).where(o.kind.startswith("applicant.") | o.kind.startswith("portal."))
    if request_id:
        query = query.where(o.request_id == request_id)
    with services.engine.connect() as conn:
        return list(conn.execute(query.order_by(o.created_at, o.kind, o.channel)))


def kinds(rows) -> list[tuple[str, str]]:
    return [(r.kind, r.channel) for r in rows]


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


def query_code(services, request_id: str) -> str:
    with services.engine.connect() as conn:
        return services.documents.lookup_code(services.requests.load(conn, request_id).state, conn)


def check_words(row, request_id: str) -> None:
    assert not foreign_words(row.body, (PUBLIC_URL + "/my", request_id, EMAIL)), row.body
    assert not foreign_words(row.subject, (request_id,)), row.subject
    assert row.body.rstrip().endswith(STOP_WORDS)
    assert row.recipient is None and row.request_id == request_id and row.agency == AGENCY
    assert row.address == (PHONE if row.channel == "sms" else EMAIL)
    assert AGENCY_NAME in row.body and "经办人" not in row.body and "李主任" not in row.body  # no staff names
    if row.channel == "sms":
        assert "\n" not in row.body.strip()


def test_each_milestone_of_an_online_request_is_one_sms_and_one_email_in_chinese_art31(services):
    clerk, head = user(services, "clerk"), user(services, "head")
    services.directory.set_agency(user(services, "admin"), AGENCY, review_body="河东区人民政府", court="河东区人民法院")
    receive(services, "W-1")
    assert messages(services) == []  # the receipt itself says nothing: the agency has not confirmed it yet
    services.requests.act("W-1", c.ConfirmReceipt(at=step(services)), clerk)
    confirmed = messages(services, "W-1")
    assert kinds(confirmed) == [("applicant.confirmed", "email"), ("applicant.confirmed", "sms")]
    code = query_code(services, "W-1")
    for row in confirmed:
        check_words(row, "W-1")
        assert f"查询码{code}" in row.body and "已受理（申请编号W-1）" in row.body and "答复期限至" in row.body
        assert "您于2026年11月26日提交" in row.body and PUBLIC_URL + "/my" in row.body
    assert "申请内容：2025年度部门预算" in confirmed[0].body and confirmed[0].subject == f"【{AGENCY_NAME}】申请W-1已受理"

    issue_and_serve(services, "W-1", "correction_notice", note="请写明所需信息的文号。")
    [email, sms] = messages(services, "W-1")[2:]
    assert kinds([email, sms]) == [("applicant.correction", "email"), ("applicant.correction", "sms")]
    assert "需要补正，补正期限至" in sms.body and "请登录查看补正告知书并在线补正" in sms.body
    services.requests.act("W-1", c.SubmitCorrection(at=step(services), content="文号为河审〔2025〕1号"), clerk)

    issue_and_serve(services, "W-1", "fee_notice", fee=("by_volume", 250))
    [email, sms] = messages(services, "W-1")[4:]
    assert kinds([email, sms]) == [("applicant.fee", "email"), ("applicant.fee", "sms")]
    assert "收费通知：信息处理费金额" in sms.body and "元，缴费期限至" in sms.body and "缴费方式见查询页" in sms.body
    services.requests.act("W-1", c.PayFee(at=step(services)), clerk)

    services.requests.act("W-1", lambda now: c.Extend(at=now, working_days=15, reason="需调取档案"), head)
    [email, sms] = messages(services, "W-1")[6:]
    assert "答复期限延长至" in sms.body and "延长理由：需调取档案" in email.body

    issue_and_serve(services, "W-1", "reply", outcome="disclosed", note="请到本机关领取")
    replied = messages(services, "W-1")[8:]
    assert kinds(replied) == [("applicant.replied", "email"), ("applicant.replied", "sms")]
    assert "答复已送达" in replied[1].body and "请登录查看答复书及所附信息" in replied[1].body
    for row in messages(services, "W-1"):
        check_words(row, "W-1")
    assert len({r.dedupe_key for r in messages(services, "W-1")}) == 10


def test_a_replayed_or_retried_append_writes_no_second_message(services):
    receive(services, "W-2")
    services.requests.act("W-2", c.ConfirmReceipt(at=step(services)), user(services, "clerk"))
    assert len(messages(services, "W-2")) == 2
    projector = next(p for p in services.requests.projectors if isinstance(p, ApplicantNotices))
    with services.engine.begin() as conn:
        stored = services.store.read_stream(conn, request_stream("W-2"))
        state = services.requests.load(conn, "W-2").state
        projector.apply(conn, [Change(request_stream("W-2"), state, state, stored, "clerk", services.clock.now())])
    assert len(messages(services, "W-2")) == 2


def test_an_application_received_already_confirmed_is_confirmed_once_art31(services):
    receive(services, "W-6", confirmed_at=services.clock.now(),
            subject="<script>alert(1)</script>关于" + "某某" * 100 + "\n的文件")
    email, sms = messages(services, "W-6")
    assert (email.kind, sms.kind) == ("applicant.confirmed", "applicant.confirmed")
    assert f"查询码{query_code(services, 'W-6')}" in sms.body and "<script>" not in sms.body  # the SMS has no subject
    [line] = [line for line in email.body.splitlines() if line.startswith("申请内容：")]
    assert line.endswith("…") and len(line) < 80  # shortened, on one line; plain text, no markup made of it
    with services.engine.connect() as conn:
        assert services.requests.load(conn, "W-6").state.confirmed_on is not None


def test_turned_off_on_the_applicants_page_no_more_messages_are_written(services):
    clerk = user(services, "clerk")
    receive(services, "W-4")
    services.requests.act("W-4", c.ConfirmReceipt(at=step(services)), clerk)
    services.requests.act("W-4", ChooseNotices(at=step(services), enabled=False), APPLICANT_ONLINE)
    services.requests.act("W-4", c.Withdraw(at=step(services)), APPLICANT_ONLINE)
    assert kinds(messages(services, "W-4")) == [("applicant.confirmed", "email"), ("applicant.confirmed", "sms")]


def test_a_withdrawal_is_confirmed_to_the_applicant(services):
    receive(services, "W-5", applicant={**APPLICANT, "email": None})
    services.requests.act("W-5", c.Withdraw(at=step(services)), user(services, "clerk"))
    [row] = messages(services, "W-5")
    assert (row.kind, row.channel) == ("applicant.withdrawn", "sms")
    assert "已于2026年11月26日撤回，本机关不再办理" in row.body
    check_words(row, "W-5")


def test_a_paper_request_is_messaged_only_with_consent_to_electronic_service(services):
    receive(services, "P-1", channel="in_person")
    receive(services, "P-2", channel="in_person", electronic_service=True)
    for request_id in ("P-1", "P-2"):
        services.requests.act(request_id, c.Withdraw(at=step(services)), user(services, "clerk"))
    assert messages(services, "P-1") == []
    assert kinds(messages(services, "P-2")) == [("applicant.withdrawn", "email"), ("applicant.withdrawn", "sms")]


def test_an_imported_online_history_writes_no_message(services):
    load(services, request_line("IMP-1", "2026-11-02", event("receipt_confirmed", "2026-11-03"),
                                event("extended", "2026-11-10", approved_by="head", working_days=10),
                                event("decided", "2026-11-20", outcome="disclosed"),
                                event("delivered", "2026-11-21", method="electronic"), channel="online", applicant=APPLICANT))
    assert messages(services) == []
    services.requests.act("IMP-1", c.FileReview(at=step(services), case="复议1"), user(services, "clerk"))
    assert messages(services) == []


def test_a_verification_code_is_mailed_with_the_code_in_the_body_only(services, smtp_sink):
    keep, port = smtp_sink
    with services.engine.begin() as conn:
        write_applicant_message(conn, ApplicantMessage("portal|S-1|portal.verify|1", "email", EMAIL, AGENCY,
                                                       VERIFY_KIND, None, {"code": "042917", "minutes": 10}),
                                services.clock.now())
        write_applicant_message(conn, ApplicantMessage("portal|S-1|portal.verify|1", "email", EMAIL, AGENCY,
                                                       VERIFY_KIND, None, {"code": "999999"}), services.clock.now())
        write_applicant_message(conn, ApplicantMessage("portal|S-1|portal.verify|2", "sms", PHONE, AGENCY,
                                                       VERIFY_KIND, None, {"code": "042917"}), services.clock.now())
    email, sms = sorted(messages(services), key=lambda r: r.channel)
    assert "042917" not in email.subject and "042917" in email.body and "999999" not in email.body  # written once
    assert sms.body.strip() == (f"【{AGENCY_NAME}】验证码042917，用于提交政府信息公开申请，10分钟内有效，"
                                "请勿告诉他人。")
    assert not foreign_words(email.body, (EMAIL,)) and not foreign_words(email.subject)
    sender = SmtpSender.from_url(f"smtp://127.0.0.1:{port}", "ogi@hedong.gov.cn")
    assert Deliverer(services.engine, services.clock, sender, None, WebhookSender()).deliver(email.id) == "sent"
    [mail] = keep.mails
    assert mail["To"] == EMAIL and "042917" in mail.get_payload(decode=True).decode("utf-8")
    assert "042917" not in str(mail["Subject"])


def test_a_sign_in_code_names_the_request_it_opens(services):
    with services.engine.begin() as conn:
        write_applicant_message(conn, ApplicantMessage("portal|W-9|portal.sign_in|1", "sms", PHONE, AGENCY,
                                                       SIGN_IN_KIND, "W-9", {"code": "123456", "minutes": 10,
                                                                             "agency_name": "河东区政府"}),
                                services.clock.now())
    [row] = messages(services)
    assert row.body.strip() == "【河东区政府】验证码123456，用于查看申请W-9的办理进展，10分钟内有效，请勿告诉他人。"
    assert row.request_id == "W-9" and row.recipient is None and row.kind == SIGN_IN_KIND


@pytest.mark.parametrize("change, refusal", [
    ({"code": "12<b>3"}, "验证码须为数字"),
    ({"code": ""}, "验证码须为数字"),
    ({"code": "１２３４５６"}, "验证码须为数字"),  # full-width digits are not what the page asks to be typed
    ({"channel": "webhook"}, "只能以短信或电子邮件发送"),
    ({"kind": "reminder.reply.2"}, "不是发给申请人的验证码消息"),
    ({"address": "  "}, "没有接收验证码的手机号码或电子邮箱"),
])
def test_a_malformed_code_message_is_refused_and_nothing_is_written(services, change, refusal):
    values = dict(dedupe_key="portal|S-2|portal.verify|1", channel="sms", address=PHONE, agency=AGENCY,
                  kind=VERIFY_KIND, context={"code": "123456"})
    values.update({k: v for k, v in change.items() if k != "code"})
    if "code" in change:
        values["context"] = {"code": change["code"]}
    with pytest.raises(ValueError, match=refusal), services.engine.begin() as conn:
        write_applicant_message(conn, ApplicantMessage(**values), services.clock.now())
    assert messages(services) == []
