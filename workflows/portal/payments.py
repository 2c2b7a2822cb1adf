"""A payment platform confirms a fee paid (POST /api/v1/payments/callback): the fee of the 收费通知书 is recorded as
paid (PayFee, 109号) by the actor `payment` (支付平台), once per transaction id, however often the platform retries.

The body is signed: `X-Ogi-Signature: sha256=<hex HMAC-SHA256 of the raw body>` under OGI_PAYMENT_SECRET (read at
each call, so a new secret needs no restart). Nothing is parsed before the signature is checked, in constant time.
The payment_callbacks row and the step are written in one transaction; the row's primary key (the transaction id)
decides between two deliveries of one notice arriving at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from engine.clock import Clock
from engine.errors import OgiError, RuleViolation
from workflows.foi import commands as c
from workflows.foi.identifiers import InputRefused
from workflows.foi.state import Stage
from workflows.people.accounts import PAYMENT_PLATFORM
from workflows.requests.importer import parse_moment
from workflows.requests.input_limits import check_field
from workflows.requests.service import RequestService
from workflows.tables import payment_callbacks_table

SECRET_VARIABLE = "OGI_PAYMENT_SECRET"
SIGNATURE_PREFIX = "sha256="
TRANSACTION_ID = re.compile(r"[\x21-\x7e]{1,100}")  # printable ASCII, the column's length
FEE_RULE = "109号"


class PaymentsNotConfigured(OgiError):
    """OGI_PAYMENT_SECRET is not set: no callback can be checked (503)."""


class BadSignature(OgiError):
    """The body is not signed with the payment secret (401): nothing is read or written."""


@dataclass(frozen=True)
class PaymentRecorded:
    request_id: str
    transaction_id: str
    stage: str
    created: bool  # False: this transaction id was recorded before (a retry): nothing new was written


def secret_from_environment() -> bytes | None:
    value = os.environ.get(SECRET_VARIABLE, "")
    return value.encode() if value else None


def signature_of(secret: bytes, body: bytes) -> str:
    """The header value a payment platform sends: sha256=<hex>."""
    return SIGNATURE_PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class _Notice:
    request_id: str
    transaction_id: str
    amount_yuan: float
    paid_at: dt.datetime


def _notice(body: bytes) -> _Notice:
    try:
        parsed: Any = json.loads(body)
    except (ValueError, RecursionError):
        raise InputRefused("回调内容", "不是有效的 JSON") from None
    if not isinstance(parsed, dict):
        raise InputRefused("回调内容", "应为 JSON 对象：request_id、transaction_id、amount_yuan、paid_at")
    request_id, transaction_id = parsed.get("request_id"), parsed.get("transaction_id")
    amount, paid_at = parsed.get("amount_yuan"), parsed.get("paid_at")
    if not isinstance(request_id, str) or not request_id:
        raise InputRefused("request_id", "必须填写")
    check_field("request_id", request_id)
    if not isinstance(transaction_id, str) or not TRANSACTION_ID.fullmatch(transaction_id):
        raise InputRefused("交易号（transaction_id）", "应为 1 至 100 个可打印的英文字母、数字或符号")
    if isinstance(amount, bool) or not isinstance(amount, int | float) or not 0 < amount < 1e9:
        raise InputRefused("缴费金额（amount_yuan）", "应为大于零的数字（元）")
    if not isinstance(paid_at, str) or len(paid_at) <= 10:
        raise InputRefused("缴费时间（paid_at）", "应为 ISO 格式的日期时间，如 2026-12-01T10:30:00+08:00")
    try:
        moment = parse_moment(paid_at)
    except ValueError as error:
        raise InputRefused("缴费时间（paid_at）", str(error)) from None
    return _Notice(request_id, transaction_id, float(amount), moment)


@dataclass
class PaymentCallbacks:
    engine: Engine
    clock: Clock
    requests: RequestService

    def record(self, body: bytes, signature: str | None) -> PaymentRecorded:
        """Check the signature, then the notice against the fee notified, and record the payment once."""
        if not signature:  # an unsigned call is no payment platform's, whether or not a secret is configured
            raise BadSignature("缴费回调缺少签名（X-Ogi-Signature），未记录任何内容")
        secret = secret_from_environment()
        if secret is None:
            raise PaymentsNotConfigured(f"未配置支付回调密钥（{SECRET_VARIABLE}），不能受理缴费回调")
        if not hmac.compare_digest(signature_of(secret, body).encode(),
                                                    signature.strip().encode("utf-8", "replace")):
            raise BadSignature("缴费回调的签名（X-Ogi-Signature）不正确，未记录任何内容")
        notice = _notice(body)
        try:
            with self.engine.begin() as conn:
                earlier = self._recorded(conn, notice)
                if earlier is not None:
                    return earlier
                # the row first: a second delivery at once waits on its key and then fails, writing nothing
                conn.execute(insert(payment_callbacks_table).values(
                    transaction_id=notice.transaction_id, request_id=notice.request_id,
                    amount_yuan=notice.amount_yuan, paid_at=notice.paid_at, received_at=self.clock.now()))
                state = self.requests.load(conn, notice.request_id).state
                self._check(state, notice)
                after = self.requests.act_in(conn, notice.request_id, c.PayFee(at=notice.paid_at), PAYMENT_PLATFORM)
                return PaymentRecorded(notice.request_id, notice.transaction_id, str(after.stage), True)
        except IntegrityError:  # the other delivery of this notice won
            with self.engine.connect() as conn:
                earlier = self._recorded(conn, notice)
            if earlier is None:
                raise
            return earlier

    def _recorded(self, conn: Connection, notice: _Notice) -> PaymentRecorded | None:
        t = payment_callbacks_table.c
        row = conn.execute(select(payment_callbacks_table).where(t.transaction_id == notice.transaction_id)).first()
        if row is None:
            return None
        if row.request_id != notice.request_id:
            raise InputRefused("交易号（transaction_id）", f"“{notice.transaction_id}”已记录为申请“{row.request_id}”的缴费，"
                                 "不能再用于另一申请")
        stage = str(self.requests.load(conn, row.request_id).state.stage)
        return PaymentRecorded(row.request_id, row.transaction_id, stage, False)

    def _check(self, state, notice: _Notice) -> None:
        if state.stage != Stage.AWAITING_PAYMENT or state.fee_amount_yuan is None:
            raise RuleViolation("该申请当前不在待缴费阶段，不能记录缴费", FEE_RULE)
        if abs(state.fee_amount_yuan - notice.amount_yuan) >= 0.005:
            raise RuleViolation(f"缴费金额与收费通知不符：通知收取 {state.fee_amount_yuan:.2f} 元，"
                                f"回调为 {notice.amount_yuan:.2f} 元", FEE_RULE)
        if notice.paid_at > self.clock.now():
            raise RuleViolation(f"缴费时间 {notice.paid_at:%Y-%m-%d %H:%M} 晚于现在，请核对", "chronology")
        if state.fee_notified_on and notice.paid_at.date() < state.fee_notified_on:
            raise RuleViolation(f"缴费时间 {notice.paid_at:%Y-%m-%d} 早于收费通知日 {state.fee_notified_on:%Y-%m-%d}，请核对",
                                "chronology")
