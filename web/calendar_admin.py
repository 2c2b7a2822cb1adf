"""系统管理 › 工作日历: the administrator sees a year's 节假日 and 调休上班日, adds a year or corrects one. Saving
records the year as `ogi calendar set-year` does (RequestService.set_calendar_year): the open requests whose
deadlines it moves are recomputed, each with a recorded event; concluded requests keep what was counted then."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from engine.calendar import WorkingCalendar
from engine.errors import OgiError
from web import inputs
from web.auth import services, viewer
from web.errors import error_body, status_of
from web.flash import redirect_refused, take_refusal
from web.templating import page
from workflows.people.accounts import User
from workflows.requests.calendar_input import WEEKDAYS, date_ranges, parse_year, year_arrangement

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]


def _days(days: frozenset[dt.date]) -> list[dict]:
    return [dict(date=d.isoformat(), weekday=f"星期{WEEKDAYS[d.weekday()]}", weekend=d.weekday() >= 5)
            for d in sorted(days)]


def calendar_years(calendar: WorkingCalendar, this_year: int) -> list[dict]:
    """Every year from the first with data to next year; a year without an official arrangement is provisional
    (counted Monday–Friday)."""
    known = sorted(calendar.years)
    first, last = min([*known, this_year]), max([*known, this_year + 1])
    out = []
    for year in range(first, last + 1):
        arrangement = calendar.years.get(year)
        out.append(dict(year=year, provisional=arrangement is None, source=arrangement.source if arrangement else "",
                        holidays=len(arrangement.holidays) if arrangement else 0,
                        workdays=len(arrangement.workdays) if arrangement else 0))
    return out


@router.get("/admin/calendar")
def choose_year(request: Request, user: Viewer, year: str = "") -> Response:
    """The 添加或修改年份 form on /admin: to that year's page, or back with the refusal."""
    user.require_admin("change the working-day calendar")
    try:
        chosen = parse_year(year)
    except OgiError as refused:
        return redirect_refused(request, "/admin#calendar", error_body(refused), {"year": year}, failed="calendar")
    return RedirectResponse(f"/admin/calendar/{chosen}", status_code=303)


@router.get("/admin/calendar/{year}")
def year_page(request: Request, year: inputs.Year, user: Viewer, saved: int | None = None) -> Response:
    user.require_admin("change the working-day calendar")
    app = services(request)
    arrangement = app.queries.calendar().years.get(year)
    refused = take_refusal(request)
    values = refused.values if refused else {
        "holidays": date_ranges(arrangement.holidays) if arrangement else "",
        "workdays": date_ranges(arrangement.workdays) if arrangement else "",
        "source": arrangement.source if arrangement else ""}
    notice = None
    if saved is not None and refused is None and arrangement is not None:
        notice = (f"{year}年工作日历已保存：节假日 {len(arrangement.holidays)} 天，调休上班日 {len(arrangement.workdays)} 天；"
                  + (f"{saved} 件未结申请的期限已按新安排重新计算，并记入其办理记录。" if saved else "没有未结申请的期限因此改变。"))
    return page(request, "calendar_year.html.j2", year=year, arrangement=arrangement,
                holidays=_days(arrangement.holidays) if arrangement else [],
                workdays=_days(arrangement.workdays) if arrangement else [], values=values,
                error=refused.error if refused else None, values_dropped=bool(refused and refused.values_dropped),
                notice=notice, this_year=app.clock.now().year)


@router.post("/admin/calendar/{year}")
async def save_year(request: Request, year: inputs.Year, user: Viewer) -> Response:
    user.require_admin("change the working-day calendar")
    app = services(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        arrangement = year_arrangement(year, form.get("holidays", ""), form.get("workdays", ""), form.get("source", ""))
        changed = app.requests.set_calendar_year(arrangement, user)
    except OgiError as refused:
        if status_of(refused) != 422:
            raise
        return redirect_refused(request, f"/admin/calendar/{year}#year-form", error_body(refused), form,
                                failed="calendar")
    return RedirectResponse(f"/admin/calendar/{year}?saved={len(changed)}", status_code=303)
