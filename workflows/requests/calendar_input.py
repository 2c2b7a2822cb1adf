"""A year's 放假调休 arrangement as an administrator types it (the web's 工作日历 form): dates one by one or as ranges,
full-width or half-width, checked field by field before the year is recorded (RequestService.set_calendar_year).

Pure: text in, `YearArrangement` out, or `InputRefused` naming the field (节假日, 调休上班日, 依据, 年份) and the date.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from engine.calendar import YearArrangement
from engine.errors import OgiError
from workflows.foi.identifiers import InputRefused, text_problem

FIRST_YEAR, LAST_YEAR = 2008, 2100  # as the web's years (web/inputs.py): from the Regulation's first to a lifetime ahead
SOURCE_MAX = 200  # one line: the notice's title or number, e.g. 国办发明电〔2026〕X号
HOLIDAYS, WORKDAYS, SOURCE, YEAR = "节假日", "调休上班日", "依据", "年份"
WEEKDAYS = "一二三四五六日"
EXPECTED = "请写成 2027-01-01，或用“..”“~”“至”写日期段，如 2027-02-05..2027-02-11，多个用逗号、顿号或换行分隔"

_SEPARATORS = re.compile(r"[,，、;；\s]+")
_RANGE = re.compile(r"\s*(?:\.\.|~|～|至|—|–)\s*")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


class CalendarInputRefused(InputRefused):
    """An InputRefused (422, rule "input") whose field is already the label the form shows (节假日, 调休上班日…)."""

    def __init__(self, field: str, problem: str):
        OgiError.__init__(self, f"{field}：{problem}")
        self.field, self.problem = field, problem


def _shown(token: str) -> str:
    return token if len(token) <= 40 else token[:40] + "…"


def _date(token: str, field: str, year: int) -> dt.date:
    match = _DATE.fullmatch(token)
    if not match:
        raise CalendarInputRefused(field, f"“{_shown(token)}”不是日期；{EXPECTED}")
    try:
        day = dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CalendarInputRefused(field, f"“{_shown(token)}”不是有效日期（没有这一天）") from None
    if day.year != year:
        raise CalendarInputRefused(field, f"{day.isoformat()} 不在 {year} 年内；每年的安排分别填写")
    return day


def parse_dates(text: str, field: str, year: int) -> frozenset[dt.date]:
    """The dates of one field: "2027-01-01, 2027-02-05..2027-02-11" (full-width digits and punctuation accepted)."""
    problem = text_problem(text, 20_000)
    if problem:
        raise CalendarInputRefused(field, problem)
    normal = unicodedata.normalize("NFKC", text)
    normal = _RANGE.sub("..", normal)  # "2027-02-05 至 2027-02-11" is one token
    days: set[dt.date] = set()
    for token in filter(None, _SEPARATORS.split(normal.strip())):
        if ".." in token:
            parts = token.split("..")
            if len(parts) != 2 or not all(parts):
                raise CalendarInputRefused(field, f"“{_shown(token)}”不是日期段；{EXPECTED}")
            first, last = (_date(part, field, year) for part in parts)
            if last < first:
                raise CalendarInputRefused(field, f"日期段“{_shown(token)}”的结束日早于开始日")
            days.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
        else:
            days.add(_date(token, field, year))
    return frozenset(days)


def parse_year(text: str) -> int:
    normal = unicodedata.normalize("NFKC", text or "").strip().removesuffix("年")
    if not re.fullmatch(r"\d{4}", normal):
        raise CalendarInputRefused(YEAR, f"“{_shown(text)}”不是年份，请写四位数字，如 2027")
    year = int(normal)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarInputRefused(YEAR, f"年份须在 {FIRST_YEAR} 至 {LAST_YEAR} 之间")
    return year


def _listed(days: Iterable[dt.date]) -> str:
    return "、".join(f"{d.isoformat()}（星期{WEEKDAYS[d.weekday()]}）" for d in sorted(days)[:5])


def year_arrangement(year: int, holidays: str, workdays: str, source: str) -> YearArrangement:
    """The year as typed, or the first thing wrong with it: a make-up working day (调休上班日) is a Saturday or a
    Sunday, worked instead of a holiday; a day cannot be both; the notice it comes from (依据) is named."""
    holiday_days = parse_dates(holidays, HOLIDAYS, year)
    workday_days = parse_dates(workdays, WORKDAYS, year)
    if not holiday_days:
        raise CalendarInputRefused(HOLIDAYS, f"请填写 {year} 年的法定节假日（国务院办公厅放假通知中的放假日期）")
    weekdays = [d for d in workday_days if d.weekday() < 5]
    if weekdays:
        raise CalendarInputRefused(WORKDAYS, f"{_listed(weekdays)}本来就是工作日；调休上班日只能是星期六或星期日")
    both = holiday_days & workday_days
    if both:
        raise CalendarInputRefused(WORKDAYS, f"{_listed(both)}也填在节假日中；同一天不能既放假又上班")
    source = (source or "").strip()  # as typed: 〔〕 and full-width brackets are the notice's own
    problem = text_problem(source, SOURCE_MAX, multiline=False)
    if problem:
        raise CalendarInputRefused(SOURCE, problem)
    if not source:
        raise CalendarInputRefused(SOURCE, "请填写这一安排的依据，即国务院办公厅放假通知的名称或文号")
    return YearArrangement(year, holiday_days, workday_days, source)


def date_ranges(days: Iterable[dt.date]) -> str:
    """The dates as the form shows them again: consecutive days as one range, one range a line."""
    ordered = sorted(days)
    runs: list[tuple[dt.date, dt.date]] = []
    for day in ordered:
        if runs and day - runs[-1][1] == dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return "\n".join(a.isoformat() if a == b else f"{a.isoformat()}..{b.isoformat()}" for a, b in runs)
