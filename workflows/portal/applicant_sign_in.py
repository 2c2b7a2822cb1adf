"""The two factors that open the applicant's page: the 查询码 of the receipt, then a six-digit code sent to the phone
or e-mail of the application (`applicant_codes`).

Every try is a row of `applicant_codes`, so the limits count rows and nothing else: a code sent has its keyed hash;
a wrong 查询码 or a wrong code typed is a row with an empty hash (never usable: it is born used). From one address,
TRIES_PER_HOUR rows an hour; for one request, CODES_PER_HOUR codes an hour. No address is kept, only its keyed hash.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select, update

from engine.errors import RuleViolation, TooManyAttempts
from workflows.foi.state import RequestState
from workflows.portal.keys import keyed, masked_email, masked_phone, new_code, new_token, same
from workflows.tables import applicant_codes_table

CODE_MINUTES = 10
TRIES_PER_HOUR = 10  # per client address: 查询码 lookups and codes typed, right or wrong
CODES_PER_HOUR = 5  # per request: codes sent
WRONG_CODES = 5  # a code is dead after this many wrong tries
CODE_PURPOSE = "sign-in"
ADDRESS_PURPOSE = "client-address"
CHANNELS = {"sms": "phone", "email": "email"}  # the channel → the application's field it is sent to
CODE_ID_MAX = 64

_codes = applicant_codes_table.c


@dataclass(frozen=True)
class Destination:
    channel: str  # sms | email
    address: str  # as the application gave it
    masked: str


def destination(state: RequestState, channel: str) -> Destination:
    """Where the code goes: the channel asked for, else the only contact the application gave."""
    if channel not in CHANNELS:
        raise RuleViolation("请选择验证码的接收方式：手机短信或电子邮件", "Art. 29")
    given = dict(contacts(state))
    chosen = channel if channel in given else next(iter(given), None)
    if chosen is None:
        raise RuleViolation("本申请没有留下手机号码或电子邮箱，无法发送验证码：请与受理机关联系查询办理进展", "Art. 29")
    address = given[chosen]
    return Destination(chosen, address, masked_phone(address) if chosen == "sms" else masked_email(address))


def contacts(state: RequestState) -> list[tuple[str, str]]:
    """(channel, address) the application gave: its phone for SMS, its e-mail address for e-mail."""
    found = [(channel, str(state.applicant.get(field) or "").strip()) for channel, field in CHANNELS.items()]
    return [(channel, address) for channel, address in found if address]


def contact_channels(state: RequestState) -> tuple[str, ...]:
    return tuple(channel for channel, _ in contacts(state))


@dataclass(frozen=True)
class SignInCodes:
    secret: bytes

    def address_key(self, client_address: str) -> str:
        return keyed(self.secret, ADDRESS_PURPOSE, client_address)

    def require_tries_left(self, conn: Connection, address_key: str, now: dt.datetime) -> None:
        tries = conn.execute(select(func.count()).select_from(applicant_codes_table).where(
            _codes.address_key == address_key, _codes.created_at > now - dt.timedelta(hours=1))).scalar_one()
        if tries >= TRIES_PER_HOUR:
            raise TooManyAttempts(f"本网络一小时内已尝试 {TRIES_PER_HOUR} 次，请一小时后再试")

    def record_failure(self, conn: Connection, address_key: str, now: dt.datetime, request_id: str = "") -> None:
        """A wrong 查询码 or code: a row that counts as a try and can never open anything."""
        conn.execute(insert(applicant_codes_table).values(
            id=new_token(), request_id=request_id[:200], code_hash="", channel="", address_key=address_key,
            attempts=0, created_at=now, expires_at=now, used_at=now))

    def issue(self, conn: Connection, request_id: str, to: Destination, address_key: str,
              now: dt.datetime) -> tuple[str, str, dt.datetime]:
        """(code id, code, expiry) of a new code for `request_id`; TooManyAttempts past CODES_PER_HOUR."""
        sent = conn.execute(select(func.count()).select_from(applicant_codes_table).where(
            _codes.request_id == request_id, _codes.code_hash != "",
            _codes.created_at > now - dt.timedelta(hours=1))).scalar_one()
        if sent >= CODES_PER_HOUR:
            raise TooManyAttempts(f"本申请一小时内已发送 {CODES_PER_HOUR} 次验证码，请一小时后再试")
        code_id, code = new_token(), new_code()
        expires_at = now + dt.timedelta(minutes=CODE_MINUTES)
        conn.execute(insert(applicant_codes_table).values(
            id=code_id, request_id=request_id, code_hash=keyed(self.secret, CODE_PURPOSE, code), channel=to.channel,
            address_key=address_key, attempts=0, created_at=now, expires_at=expires_at, used_at=None))
        return code_id, code, expires_at

    def redeem(self, conn: Connection, code_id: str, code: str, address_key: str, now: dt.datetime) -> str | None:
        """The request id a right, live, unused code opens (used up by this call); None otherwise."""
        if not code_id or len(code_id) > CODE_ID_MAX or "\x00" in code_id:
            return None
        row = conn.execute(select(applicant_codes_table).where(_codes.id == code_id).with_for_update()).first()
        if row is None or not row.code_hash or row.used_at is not None or row.expires_at <= now \
                or row.attempts >= WRONG_CODES:
            return None
        typed = "".join(unicodedata.normalize("NFKC", code or "").split())[:20]  # full-width digits, spaces
        if same(self.secret, CODE_PURPOSE, typed, row.code_hash):
            done = conn.execute(update(applicant_codes_table).where(_codes.id == code_id, _codes.used_at.is_(None))
                                .values(used_at=now))
            return str(row.request_id) if done.rowcount == 1 else None
        conn.execute(update(applicant_codes_table).where(_codes.id == code_id)
                     .values(attempts=_codes.attempts + 1))
        self.record_failure(conn, address_key, now, row.request_id)
        return None
