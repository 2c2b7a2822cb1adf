"""A payment platform confirms a fee paid (POST /api/v1/payments/callback, workflows/portal/payments.py): signed with
OGI_PAYMENT_SECRET, checked against the 收费通知书's amount, recorded once per transaction id as 支付平台 (109号)."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.builders import noticed_fee
from tests.world import user
from web.app import create_app
from workflows.foi import commands as c
from workflows.portal.payments import signature_of
from workflows.streams import request_stream
from workflows.tables import payment_callbacks_table

SECRET = "pay-secret-for-tests"
URL = "/api/v1/payments/callback"


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day)


def awaiting_payment(services, request_id: str = "P-1", amount: float = 120.0) -> None:
    """Received on 2026-11-20, the 收费通知书 of `amount` yuan served on 2026-11-23 (the clock stands at 11-26)."""
    clerk = user(services, "clerk")
    services.requests.receive(c.Receive(at=at("2026-11-20"), request_id=request_id, agency="hedong-xzsp",
                                        applicant={"kind": "natural_person", "name": "张三"}, channel="in_person",
                                        subject="2025年道路维修合同"), clerk)
    for command in noticed_fee(at("2026-11-23T10:00"), amount):
        who = "head" if isinstance(command, c.ApproveDocument) else "clerk"
        services.requests.act(request_id, command, user(services, who))


def notice(request_id: str = "P-1", transaction_id: str = "T20261125001", amount=120.0,
           paid_at: str = "2026-11-25T10:30:00+08:00") -> bytes:
    return json.dumps({"request_id": request_id, "transaction_id": transaction_id, "amount_yuan": amount,
                       "paid_at": paid_at}).encode()


def post(client: TestClient, body: bytes, secret: str = SECRET):
    return client.post(URL, content=body, headers={"Content-Type": "application/json",
                                                   "X-Ogi-Signature": signature_of(secret.encode(), body)})


def stage_of(services, request_id: str = "P-1") -> str:
    with services.engine.connect() as conn:
        return str(services.requests.load(conn, request_id).state.stage)


def callbacks(services) -> int:
    with services.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(payment_callbacks_table)).scalar_one()


def events(services, request_id: str = "P-1"):
    with services.engine.connect() as conn:
        return services.store.read_stream(conn, request_stream(request_id))


@pytest.fixture
def paying(services, monkeypatch):
    monkeypatch.setenv("OGI_PAYMENT_SECRET", SECRET)
    awaiting_payment(services)
    return services, TestClient(create_app(services))


def test_a_signed_callback_of_the_notified_amount_records_the_payment_as_the_payment_platform_109(paying):
    services, client = paying
    answer = post(client, notice())
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "recorded" and answer.json()["stage"] == "processing"
    assert stage_of(services) == "processing"
    paid = events(services)[-1]
    assert paid.type == "fee_paid" and paid.actor == "payment" and paid.occurred_at == at("2026-11-25T10:30")
    _, told = services.queries.told(services.queries.history("P-1", viewer=user(services, "clerk")))
    assert told[-1].actor == "支付平台" and "缴" in told[-1].text
    assert callbacks(services) == 1


def test_the_same_transaction_again_is_already_recorded_and_writes_nothing_109(paying):
    services, client = paying
    assert post(client, notice()).json()["status"] == "recorded"
    count = len(events(services))
    again = post(client, notice())
    assert again.status_code == 200 and again.json()["status"] == "already_recorded"
    assert len(events(services)) == count and callbacks(services) == 1


def test_two_deliveries_of_one_notice_at_once_record_one_payment_109(paying):
    services, client = paying
    answers: list = []
    start = threading.Barrier(2)

    def deliver() -> None:
        start.wait()
        answers.append(post(client, notice()).json()["status"])

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["already_recorded", "recorded"]
    assert sum(e.type == "fee_paid" for e in events(services)) == 1 and callbacks(services) == 1


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "sha256=zz", "签名".encode()])
def test_a_bad_signature_is_refused_401_and_nothing_is_written(paying, signature: str | bytes | None):
    services, client = paying
    count = len(events(services))
    headers = {"Content-Type": "application/json"} | ({"X-Ogi-Signature": signature} if signature is not None else {})
    answer = client.post(URL, content=notice(), headers=headers)
    assert answer.status_code == 401 and "签名" in answer.json()["error"]
    assert len(events(services)) == count and callbacks(services) == 0 and stage_of(services) == "awaiting_payment"


def test_a_body_signed_with_another_secret_is_refused_401(paying):
    services, client = paying
    assert post(client, notice(), secret="another").status_code == 401
    assert callbacks(services) == 0


def test_a_body_changed_after_signing_is_refused_401(paying):
    services, client = paying
    signed = notice()
    changed = notice(amount=1.0)
    answer = client.post(URL, content=changed, headers={"X-Ogi-Signature": signature_of(SECRET.encode(), signed)})
    assert answer.status_code == 401 and callbacks(services) == 0


def test_without_the_secret_configured_the_callback_answers_503(services, monkeypatch):
    monkeypatch.delenv("OGI_PAYMENT_SECRET", raising=False)
    awaiting_payment(services)
    client = TestClient(create_app(services))
    answer = post(client, notice())
    assert answer.status_code == 503 and answer.json()["error"].startswith("未配置支付回调密钥")
    assert client.post(URL, content=notice()).status_code == 401  # unsigned: no platform's call, secret or not
    assert callbacks(services) == 0


def test_an_amount_other_than_the_fee_notified_is_refused_422_109(paying):
    services, client = paying
    answer = post(client, notice(amount=100))
    assert answer.status_code == 422 and "缴费金额与收费通知不符" in answer.json()["error"]
    assert answer.json()["rule"] == "109号"
    assert callbacks(services) == 0 and stage_of(services) == "awaiting_payment"


@pytest.mark.parametrize(("paid_at", "words"), [
    ("2026-11-27T10:00:00+08:00", "晚于现在"),  # the clock stands at 2026-11-26 09:00
    ("2026-11-22T10:00:00+08:00", "早于收费通知日"),
    ("2026-13-01T10:00:00", "不是有效的日期"),
    ("2026-11-25", "ISO 格式"),
])
def test_a_paid_at_in_the_future_before_the_notice_or_malformed_is_refused_422(paying, paid_at, words):
    services, client = paying
    answer = post(client, notice(paid_at=paid_at))
    assert answer.status_code == 422 and words in answer.json()["error"], answer.text
    assert callbacks(services) == 0 and stage_of(services) == "awaiting_payment"


@pytest.mark.parametrize("body", [
    b"not json", b"[]", json.dumps({"request_id": "P-1"}).encode(),
    notice(amount="120"), notice(amount=True), notice(amount=-5), notice(transaction_id=""),
    notice(transaction_id="交易号"), notice(transaction_id="x" * 101), notice(request_id="P-1\x00"),
])
def test_hostile_callbacks_are_refused_in_chinese_and_write_nothing(paying, body):
    services, client = paying
    answer = post(client, body)
    assert answer.status_code == 422, answer.text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.json()["error"])
    assert answer.json()["rule"] == "input"
    assert callbacks(services) == 0 and stage_of(services) == "awaiting_payment"


def test_a_request_not_awaiting_payment_is_refused_and_an_unknown_one_is_404(paying):
    services, client = paying
    assert post(client, notice()).status_code == 200
    second = post(client, notice(transaction_id="T-OTHER"))
    assert second.status_code == 422 and "不在待缴费阶段" in second.json()["error"]
    assert post(client, notice(request_id="NO-SUCH", transaction_id="T-3")).status_code == 404
    assert callbacks(services) == 1


def test_a_transaction_id_used_for_another_request_is_refused(paying):
    services, client = paying
    awaiting_payment(services, "P-2")
    assert post(client, notice()).status_code == 200
    other = post(client, notice(request_id="P-2"))
    assert other.status_code == 422 and "不能再用于另一申请" in other.json()["error"]
    assert stage_of(services, "P-2") == "awaiting_payment"


def test_staff_still_record_a_payment_by_the_step_pay_fee_109(services):
    awaiting_payment(services)
    state = services.requests.act("P-1", c.PayFee(at=at("2026-11-25T10:00")), user(services, "clerk"))
    assert state.stage == "processing" and events(services)[-1].actor == "clerk"
