"""SMS is held during quiet hours, 22:00 to 08:00 Asia/Shanghai (DESIGN §8).

Naive datetimes are Asia/Shanghai local time, as everywhere in the project (engine.clock); aware ones are
converted. `next_sms_moment` answers in the kind it was asked in: naive for naive, the caller's zone for aware.
"""

from __future__ import annotations

import datetime as dt

from engine.clock import SHANGHAI, to_shanghai_naive

QUIET_FROM = dt.time(22, 0)
QUIET_UNTIL = dt.time(8, 0)


def sms_allowed_at(moment: dt.datetime) -> bool:
    local = to_shanghai_naive(moment).time()
    return QUIET_UNTIL <= local < QUIET_FROM


def next_sms_moment(moment: dt.datetime) -> dt.datetime:
    """`moment` itself outside quiet hours, else the 08:00 (Shanghai) that ends them."""
    local = to_shanghai_naive(moment)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return moment
    day = local.date() + dt.timedelta(days=1) if local.time() >= QUIET_FROM else local.date()
    release = dt.datetime.combine(day, QUIET_UNTIL)
    if moment.tzinfo is None:
        return release
    return release.replace(tzinfo=SHANGHAI).astimezone(moment.tzinfo)
