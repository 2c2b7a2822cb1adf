"""Applications made online (workflows/portal/submissions.py): submitted, the code sent through the outbox, verified,
filed as a request `online` awaiting the agency's confirmation (Art. 31(3)); the limits, the refusals, the platforms'
idempotent filings."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import func, select

from engine.errors import OgiError, PermissionDenied, RuleViolation, TooManyAttempts
from tests.world import AGENCY, user
from workflows.documents.attachments import Upload, attachments_of
from workflows.foi.identifiers import InputRefused, id_check_digit
from workflows.portal.messages import VERIFY_KIND
from workflows.portal.submissions import MAX_CODE_ATTEMPTS, PlatformToken
from workflows.tables import outbox_table, portal_submissions_table, portal_uploads_table, requests_table

ID_NUMBER = "11010519491231002" + id_check_digit("11010519491231002")
PDF = b"%PDF-1.4 identity scan"
PLATFORM = PlatformToken("hedong-zwfw", "河东区政务服务网", frozenset({AGENCY}))


@pytest.fixture
def online(services):
    services.directory.set_agency(user(services), AGENCY, accepts_online=True, payment_info="请到受理窗口缴纳")
    return services


def fields(**changes: str) -> dict[str, str]:
    given = {"agency": AGENCY, "applicant_kind": "natural_person", "applicant_name": "张三", "id_type": "resident_id",
             "id_number": ID_NUMBER, "phone": "13800138000", "email": "zhang@example.cn",
             "subject": "2026年河东区建设项目环评审批清单", "electronic_service": "yes", "agent_name": "王律师"}
    given.update(changes)
    return {k: v for k, v in given.items() if v is not None}


UPLOADS = [Upload("身份证.pdf", PDF, "identity"), Upload("授权委托书.pdf", PDF, "authorisation")]


def code_of(services, submission_id: str, number: int = 1) -> str:
    with services.engine.connect() as conn:
        body = conn.execute(select(outbox_table.c.body).where(
            outbox_table.c.dedupe_key == f"portal|{submission_id}|verify|{number}")).scalar_one()
    return re.search(r"(?<!\d)\d{6}(?!\d)", body).group(0)


def count(services, table) -> int:
    with services.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_submit_code_verify_files_an_online_request_awaiting_confirmation_art31(online):
    held = online.portal.submit(fields(notices="no"), UPLOADS, "203.0.113.7")
    assert held.channel == "sms" and held.destination == "138****8000" and held.agency_name == "河东区行政审批服务局"
    with online.engine.connect() as conn:
        message = conn.execute(select(outbox_table).where(outbox_table.c.kind == VERIFY_KIND)).one()
        stored = conn.execute(select(portal_submissions_table)).one()
    assert message.address == "13800138000" and message.channel == "sms"
    assert "203.0.113.7" not in str(tuple(stored)) and stored.code_hash and code_of(online, held.submission_id) not in (
        stored.code_hash, stored.fields)
    assert online.portal.pending(held.submission_id) == held

    filed = online.portal.verify(held.submission_id, code_of(online, held.submission_id), "203.0.113.7")
    assert filed.created and filed.agency == AGENCY and re.fullmatch(r"[0-9A-Z]{8}", filed.query_code)
    with online.engine.connect() as conn:
        state = online.requests.load(conn, filed.request_id).state
        row = conn.execute(select(requests_table).where(requests_table.c.request_id == filed.request_id)).one()
        moved = attachments_of(conn, filed.request_id)
        actors = {e.actor for e in online.store.read_stream(conn, f"request/{filed.request_id}")}
    assert state.channel == "online" and state.stage == "processing" and state.confirmed_on is None
    assert state.electronic_service is True and state.applicant_notices is False
    assert state.applicant["id_number"] == ID_NUMBER and state.applicant["agent_name"] == "王律师"
    assert state.applicant["id_type"] == "resident_id" and row.channel == "online"
    assert [(a.kind, a.filename, a.added_by) for a in moved] == [("identity", "身份证.pdf", "applicant"),
                                                                 ("authorisation", "授权委托书.pdf", "applicant")]
    assert actors == {"applicant"}
    assert count(online, portal_uploads_table) == 0 and online.portal.pending(held.submission_id) is None


def test_verifying_twice_files_once(online):
    held = online.portal.submit(fields(), UPLOADS, "203.0.113.7")
    code = code_of(online, held.submission_id)
    first = online.portal.verify(held.submission_id, code, "203.0.113.7")
    again = online.portal.verify(held.submission_id, code, "203.0.113.7")
    assert again.request_id == first.request_id and again.query_code == first.query_code and not again.created
    assert count(online, requests_table) == 1


def test_five_wrong_codes_kill_the_submission(online):
    held = online.portal.submit(fields(), UPLOADS, "203.0.113.7")
    code = code_of(online, held.submission_id)
    for left in range(MAX_CODE_ATTEMPTS - 1, 0, -1):
        with pytest.raises(InputRefused, match=f"还可以再试 {left} 次"):
            online.portal.verify(held.submission_id, wrong(code), "203.0.113.7")
    with pytest.raises(InputRefused, match="已失效"):
        online.portal.verify(held.submission_id, wrong(code), "203.0.113.7")
    with pytest.raises(RuleViolation, match="重新填写并提交申请"):
        online.portal.verify(held.submission_id, code, "203.0.113.7")
    assert count(online, requests_table) == 0 and online.portal.pending(held.submission_id) is None


def test_an_expired_code_says_so_and_a_resent_one_files(online, clock):
    held = online.portal.submit(fields(), UPLOADS, "203.0.113.7")
    code = code_of(online, held.submission_id)
    clock.advance_to(clock.now() + dt.timedelta(minutes=16))
    assert online.portal.pending(held.submission_id) is None
    with pytest.raises(InputRefused, match="已过期"):
        online.portal.verify(held.submission_id, code, "203.0.113.7")
    online.portal.resend(held.submission_id, "203.0.113.7")
    with pytest.raises(InputRefused, match="不正确"):
        online.portal.verify(held.submission_id, code, "203.0.113.7")  # the old code is no longer good
    filed = online.portal.verify(held.submission_id, code_of(online, held.submission_id, 2), "203.0.113.7")
    assert filed.created and count(online, requests_table) == 1


def test_three_resends_at_most_each_counted_against_the_phones_limit(online, clock):
    held = online.portal.submit(fields(), UPLOADS, "203.0.113.7")
    online.portal.resend(held.submission_id, "198.51.100.1")
    online.portal.resend(held.submission_id, "198.51.100.2")
    with pytest.raises(TooManyAttempts, match="一小时内最多获取 3 次"):  # the phone's fourth code within the hour
        online.portal.resend(held.submission_id, "198.51.100.3")
    clock.advance_to(clock.now() + dt.timedelta(minutes=61))
    assert online.portal.resend(held.submission_id, "198.51.100.3").destination == "138****8000"
    with pytest.raises(TooManyAttempts, match="最多重新发送 3 次"):
        online.portal.resend(held.submission_id, "198.51.100.4")
    filed = online.portal.verify(held.submission_id, code_of(online, held.submission_id, 4), "x")
    with pytest.raises(RuleViolation, match="已经提交成功"):
        online.portal.resend(held.submission_id, "x")
    assert filed.created


def test_one_address_may_submit_five_an_hour(online, clock):
    for number in range(5):
        online.portal.submit(fields(phone=f"1390000{number:04d}", email=None), UPLOADS, "203.0.113.7")
    with pytest.raises(TooManyAttempts, match="同一网络地址一小时内最多获取 5 次验证码.*后再试"):
        online.portal.submit(fields(phone="13911112222", email=None), UPLOADS, "203.0.113.7")
    assert count(online, portal_submissions_table) == 5
    clock.advance_to(clock.now() + dt.timedelta(minutes=61))
    online.portal.submit(fields(phone="13911112222", email=None), UPLOADS, "203.0.113.7")
    assert count(online, portal_submissions_table) == 6


def test_one_phone_may_ask_three_codes_an_hour_from_any_address(online, clock):
    for number in range(3):
        online.portal.submit(fields(), UPLOADS, f"203.0.113.{number}")
    with pytest.raises(TooManyAttempts, match="同一手机号码或电子邮箱一小时内最多获取 3 次"):
        online.portal.submit(fields(), UPLOADS, "203.0.113.99")
    clock.advance_to(clock.now() + dt.timedelta(minutes=61))
    online.portal.submit(fields(phone="138 0013 8000"), UPLOADS, "203.0.113.99")  # the same phone, spaced
    assert count(online, portal_submissions_table) == 4


@pytest.mark.parametrize("changes, said", [
    ({"applicant_name": "张\x00三"}, "控制字符"), ({"subject": "清单\x1b"}, "控制字符"),
    ({"subject": "字" * 20_001}, "最长"), ({"id_number": ID_NUMBER[:17] + ("1" if ID_NUMBER[17] != "1" else "2")},
                                         "校验码"),
    ({"applicant_kind": "commercial", "organisation_code": "91330100799655058C", "contact_person": "李四"}, "校验码"),
    ({"agency": "no-such-agency"}, "暂不受理网上申请"), ({"address": "路\ud800"}, "代理字符"),
])
def test_hostile_input_is_refused_in_chinese_with_nothing_written(online, changes, said):
    with pytest.raises(OgiError, match=said):
        online.portal.submit(fields(**changes), UPLOADS, "203.0.113.7")
    assert count(online, portal_submissions_table) == 0 and count(online, outbox_table) == 0


def test_markup_and_full_width_digits_are_taken_as_text(online):
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in ID_NUMBER)
    held = online.portal.submit(fields(applicant_name="<script>alert(1)</script>", id_number=wide), UPLOADS, "x")
    filed = online.portal.verify(held.submission_id, code_of(online, held.submission_id), "x")
    with online.engine.connect() as conn:
        applicant = online.requests.load(conn, filed.request_id).state.applicant
    assert applicant["name"] == "<script>alert(1)</script>" and applicant["id_number"] == ID_NUMBER


def test_an_agency_that_takes_no_online_applications_is_refused_naming_no_other(services):
    with pytest.raises(RuleViolation, match="暂不受理网上申请") as refused:
        services.portal.submit(fields(), UPLOADS, "203.0.113.7")
    assert AGENCY not in str(refused.value) and services.portal.online_agencies() == []
    services.directory.set_agency(user(services), AGENCY, accepts_online=True)
    assert services.portal.online_agencies() == [(AGENCY, "河东区行政审批服务局")]


def test_an_unknown_submission_id_is_not_found_even_when_hostile(online):
    assert online.portal.pending("x\x00y") is None
    with pytest.raises(OgiError, match="没有找到这份网上申请"):
        online.portal.verify("../../etc\x00", "123456", "x")


def test_the_same_idempotency_key_files_one_request(online):
    first = online.portal.file_for_platform(PLATFORM, "order-2026-0001", fields(), UPLOADS)
    again = online.portal.file_for_platform(PLATFORM, "order-2026-0001", fields(), UPLOADS)
    assert first.created and not again.created and again.request_id == first.request_id
    assert count(online, requests_table) == 1 and count(online, outbox_table) == 0
    with online.engine.connect() as conn:
        actors = {e.actor for e in online.store.read_stream(conn, f"request/{first.request_id}")}
        assert online.requests.load(conn, first.request_id).state.channel == "online"
    assert actors == {"platform:hedong-zwfw"}


@pytest.mark.parametrize("key", ["", "键", "a\x00b", "k" * 201])
def test_a_bad_idempotency_key_is_refused(online, key):
    with pytest.raises(InputRefused, match="幂等键"):
        online.portal.file_for_platform(PLATFORM, key, fields(), UPLOADS)
    assert count(online, portal_submissions_table) == 0


def test_a_platform_files_only_with_its_own_agencies(online):
    elsewhere = PlatformToken("other", "其他平台", frozenset({"another-agency"}))
    with pytest.raises(PermissionDenied):
        online.portal.file_for_platform(elsewhere, "k-1", fields(), UPLOADS)
    assert count(online, requests_table) == 0


def test_two_filings_with_one_key_at_once_make_one_request(online):
    results, errors = [], []
    barrier = threading.Barrier(2)

    def file() -> None:
        barrier.wait()
        try:
            results.append(online.portal.file_for_platform(PLATFORM, "same-key", fields(), UPLOADS))
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)

    threads = [threading.Thread(target=file) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors and len(results) == 2
    assert len({r.request_id for r in results}) == 1 and sorted(r.created for r in results) == [False, True]
    assert count(online, requests_table) == 1


def test_ogi_agency_set_turns_the_online_door_on_and_says_how_fees_are_paid(ready):
    assert "网上申请：不受理" in ready("agency", "list").stdout
    ready("agency", "set", AGENCY, "--online", "on", "--payment-info", "请到受理窗口现场缴纳（工作日 9:00—17:00）")
    assert f"{AGENCY}\t河东区行政审批服务局\t\t网上申请：受理" in ready("agency", "list").stdout
    refused = ready("agency", "set", AGENCY, "--payment-info", "窗口\x07缴纳", ok=False)
    assert "控制字符" in refused.stderr
    ready("agency", "set", AGENCY, "--online", "off")
    assert "网上申请：不受理" in ready("agency", "list").stdout



def test_the_demo_agency_takes_online_applications(tmp_path):
    from tests.conftest import run_ogi
    from workflows.requests.demo import EXAMPLE_CANDIDATES

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    run_ogi(url, "demo", "load", "--example", str(next(p for p in EXAMPLE_CANDIDATES if p.exists())))
    assert f"{AGENCY}\t河东区行政审批服务局\t\t网上申请：受理" in run_ogi(url, "agency", "list").stdout


@pytest.mark.parametrize("text", ["窗口\x00缴纳", "字" * 501])
def test_a_payment_info_with_control_characters_or_too_long_is_refused(services, text):
    with pytest.raises(OgiError, match="缴费说明须为文字"):
        services.directory.set_agency(user(services), AGENCY, payment_info=text)
