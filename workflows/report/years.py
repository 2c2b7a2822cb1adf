"""The years ogi reports on: one rule for the annual report and the table 二 register alike."""

from __future__ import annotations

from engine.errors import OgiError

FIRST_YEAR = 2008  # the first Regulation took effect on 1 May 2008: no annual report before it
LAST_YEAR = 2100


class YearOutOfRange(OgiError):
    pass


def check_report_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise YearOutOfRange(f"年度 {year} 不在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间：年度报告自《条例》施行的 "
                             f"{FIRST_YEAR} 年起才有")
