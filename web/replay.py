"""The one reading of a replay's moment (`as_of`), for the request page's 回放 and the 审计 replay alike.

A bare date means the END of that day: "as it stood on 12月1日" is what a careful auditor asks, so every step
recorded that day is in (the last instant of the day, 23:59:59.999999). A time is that moment, Beijing time.
"""

from __future__ import annotations

import datetime as dt

from web import inputs
from workflows.foi.documents import chinese_date

READING = "只填日期时，按该日结束时（当日24时）的记录与状态回放，当天办理的步骤都计入"


def is_bare_date(text: str | None) -> bool:
    return len((text or "").strip()) == 10


def replay_moment(text: str | None) -> dt.datetime | None:
    """The moment a replay shows for `text` (None when blank); a wrong one is refused naming as_of (InputRefused)."""
    moment = inputs.moment(text)
    if moment is not None and is_bare_date(text):
        return dt.datetime.combine(moment.date(), dt.time.max)
    return moment


def moment_words(text: str | None) -> str:
    """The replayed moment as the page says it: 2026年12月1日终了时, or 2026年12月1日 09:30."""
    moment = replay_moment(text)
    if moment is None:
        return ""
    if is_bare_date(text):
        return f"{chinese_date(moment.date())}终了时"
    return f"{chinese_date(moment.date())} {moment:%H:%M}"


def replay_parameter(text: str) -> str:
    """`as_of` for the request page's URL: a bare date stays a date (the page reads it as above), a time is
    written in full."""
    moment = replay_moment(text)
    if moment is None or is_bare_date(text):
        return text.strip()
    return moment.isoformat()
