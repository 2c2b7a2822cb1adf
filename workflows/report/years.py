"""The years ogi reports on: one rule for the annual report and the table 二 register alike."""

from __future__ import annotations

from engine.errors import OgiError

FIRST_YEAR = 2008  # the first Regulation took effect on 1 May 2008: no annual report before it
LAST_YEAR = 2100


class YearOutOfRange(OgiError):
    pass


def check_report_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise YearOutOfRange(f"year {year} is out of range ({FIRST_YEAR}–{LAST_YEAR}): annual reports exist from "
                             f"{FIRST_YEAR}, when the first Regulation took effect")
