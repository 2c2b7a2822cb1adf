"""How often one client address and one phone (or e-mail address) may ask for a code on /apply: counted from the
submissions of the last day (their sends: the first code and each one sent again), by keyed hashes only, so no
address or phone is kept for counting (keys.py). Platforms are not counted: their token names them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from engine.errors import TooManyAttempts
from workflows.tables import portal_submissions_table

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
RESEND_SPAN = dt.timedelta(days=1)  # a code may be sent again within this time of the submission, no later


@dataclass(frozen=True)
class Limit:
    who: str  # 同一网络地址 | 同一手机号码或电子邮箱
    window: dt.timedelta
    most: int


ADDRESS_LIMITS = (Limit("同一网络地址", HOUR, 5), Limit("同一网络地址", DAY, 20))
CONTACT_LIMITS = (Limit("同一手机号码或电子邮箱", HOUR, 3), Limit("同一手机号码或电子邮箱", DAY, 10))


def sends_of(fields_json: str) -> list[dt.datetime]:
    """The moments a submission's codes were sent (its stored envelope's `sent`)."""
    return [dt.datetime.fromisoformat(moment) for moment in json.loads(fields_json).get("sent", [])]


def _sends(conn: Connection, column, key: str, now: dt.datetime) -> list[dt.datetime]:
    s = portal_submissions_table.c
    rows = conn.execute(select(s.fields).where(column == key, s.platform.is_(None),
                                               s.created_at > now - DAY - RESEND_SPAN)).scalars()
    return sorted(moment for fields in rows for moment in sends_of(fields) if moment > now - DAY)


def _check(sends: Iterable[dt.datetime], limits: Iterable[Limit], now: dt.datetime) -> None:
    sends = list(sends)
    for limit in limits:
        inside = [moment for moment in sends if moment > now - limit.window]
        if len(inside) >= limit.most:
            again = inside[-limit.most] + limit.window  # when the oldest send that counts leaves the window
            span = "一小时" if limit.window == HOUR else "一天"
            raise TooManyAttempts(f"{limit.who}{span}内最多获取 {limit.most} 次验证码，已达上限，"
                                  f"请于 {again.month}月{again.day}日 {again:%H:%M} 后再试")


def require_within_limits(conn: Connection, address_key: str, contact_key: str, now: dt.datetime) -> None:
    """TooManyAttempts (with when to try again) if one more code would pass a limit of the address or the contact."""
    s = portal_submissions_table.c
    _check(_sends(conn, s.address_key, address_key, now), ADDRESS_LIMITS, now)
    _check(_sends(conn, s.contact_key, contact_key, now), CONTACT_LIMITS, now)

