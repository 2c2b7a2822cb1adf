"""The 审计 page (replay a request as of a moment; verify the whole log on demand) and the 统计 page (a year's intake,
outcomes, on-time rate and the overdue requests, per agency the user may see, with server-drawn SVG charts)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from engine.adapters.eventstore import AuditResult
from web import inputs
from web.auth import services, viewer
from web.replay import READING, replay_moment, replay_parameter
from web.templating import page
from workflows.foi.identifiers import InputRefused
from workflows.people.accounts import User

if TYPE_CHECKING:  # a name only: the statistics come from the service
    from workflows.readmodels.statistics import Bar, Statistics

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]

MOMENT_EXPECTED = "日期（如 2026-12-01）或时刻（如 2026-12-01T09:30）"
_BAD_EVENT = re.compile(r"^event seq (\d+) \(([^)]*)\)")
_STREAM = re.compile(r"\b[a-z]+/\S+")  # a stream name: request/ID, register/AGENCY/YEAR, …


# -- 审计 ----------------------------------------------------------------------------------------------------------
@router.get("/audit")
def audit_page(request: Request, user: Viewer) -> Response:
    return page(request, "audit.html.j2", result=None, values={}, error=None, replay_reading=READING)


@router.get("/audit/replay")
def replay(request: Request, user: Viewer, request_id: str = "", as_of: str = "") -> Response:
    """To the request page as of a moment, read there as here (web/replay.py: a bare date is the end of that day);
    the request page checks who may read it."""
    request_id, as_of = request_id.strip(), as_of.strip()
    error = None
    try:
        moment = replay_moment(as_of)
    except InputRefused:
        moment, error = None, f"时点格式不对：{MOMENT_EXPECTED}"
    if not request_id or moment is None:
        error = "请填写申请编号" if not request_id else (error or f"请填写时点：{MOMENT_EXPECTED}")
        return page(request, "audit.html.j2", status_code=422, result=None, replay_reading=READING,
                    values={"request_id": request_id, "as_of": as_of}, error=error)
    target = f"/requests/{quote(request_id, safe='')}?{urlencode({'as_of': replay_parameter(as_of)})}"
    return RedirectResponse(target, status_code=303)


@router.post("/audit/verify")
def verify(request: Request, user: Viewer) -> Response:
    """Recompute every hash of the log (reads it all: only on this button, never on a GET)."""
    app = services(request)
    started = app.clock.now()
    result = app.audit.verify()
    return page(request, "audit.html.j2", result=_described(result, user, app.directory.visible_agencies(user) is None),
                checked_at=started, values={}, error=None, replay_reading=READING)


def _described(result: AuditResult, user: User, sees_all: bool) -> dict:
    """The verification in words. Only those who read every agency (administrators, auditors) see which stream the
    first bad event belongs to: its name is a request id of whatever agency."""
    described: dict = {"ok": result.ok, "checked": result.events_checked, "head": result.head_hash,
                       "problem": None, "seq": None, "event": None}
    if result.ok:
        return described
    problem = result.problem or ""
    found = _BAD_EVENT.match(problem)
    if found:
        described["seq"] = int(found.group(1))
        described["event"] = found.group(2) if sees_all else None
    if not sees_all:
        rest = problem[found.end():].lstrip(": ") if found else "日志末尾的事件与日志头不符（末尾的事件被删除或添加）"
        problem = _STREAM.sub("（某一事件流）", rest)
    described["problem"] = problem
    return described


# -- 统计 ----------------------------------------------------------------------------------------------------------
@router.get("/stats")
def stats_page(request: Request, user: Viewer, agency: str | None = None, year: inputs.YearQuery = None) -> Response:
    app = services(request)
    names = {row.slug: row.name for row in app.directory.agencies()}  # agencies by name, never by their code
    choices = list(names) if app.directory.visible_agencies(user) is None else sorted(user.agencies)
    today = app.clock.now().date()
    stats = _named(app.statistics.for_viewer(user, agency or None, year or today.year), names)  # checks who reads
    return page(request, "stats.html.j2", s=stats, agency=agency or "", choices=choices, agency_names=names,
                years=list(range(today.year, today.year - 6, -1)))


def _named(stats: Statistics, names: dict[str, str]) -> Statistics:
    """The statistics with each agency's bar labelled by its name (the read model labels them by their code)."""
    def agency_bar(bar: Bar) -> Bar:
        return replace(bar, label=names.get(bar.key, bar.label))

    def department_bar(bar: Bar) -> Bar:
        agency, _, department = bar.label.partition(" · ")
        return replace(bar, label=f"{names.get(agency, agency)} · {department}")

    by_department = stats.overdue_by_department
    return replace(stats, overdue_by_agency=[agency_bar(b) for b in stats.overdue_by_agency],
                   overdue_by_department=None if by_department is None else [department_bar(b) for b in by_department])
