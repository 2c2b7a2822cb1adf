"""The working-day calendar (法定节假日与调休): counting periods, and the administrators' years."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from cli.common import acting_user, app, handle_errors, render
from workflows.requests.calendar_input import (
    HOLIDAYS,
    SOURCE,
    WORKDAYS,
    YEAR,
    CalendarInputRefused,
    parse_year,
    year_arrangement,
)


@click.group()
def calendar() -> None:
    """The working-day calendar (法定节假日与调休)."""


@calendar.command("due")
@click.argument("start")
@click.argument("days", type=int)
@click.option("--explain", is_flag=True, help="every day counted or skipped, and why")
@handle_errors
def calendar_due(start, days, explain) -> None:
    """The DAYS-th working day after START (START itself not counted)."""
    try:
        start_day = dt.date.fromisoformat(start)
    except ValueError:
        raise click.BadParameter(f"“{start}”不是有效的日期，请按 YYYY-MM-DD 填写", param_hint="START") from None
    click.echo(render("cli/calendar_explain.txt.j2", p=app().queries.count_period(start_day, days), explain=explain),
               nl=False)


_OPTIONS = {HOLIDAYS: "--holidays", WORKDAYS: "--workdays", SOURCE: "--source", YEAR: "YEAR"}


def _file_values(data_file: Path) -> tuple[str, str, str]:
    """The holidays, make-up working days and source of a JSON file, as the options would give them."""
    try:
        data = json.loads(data_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise CalendarInputRefused("--file", f"{data_file.name} 不是 UTF-8 编码的 JSON 文件") from None
    if not isinstance(data, dict):
        raise CalendarInputRefused("--file", '应为 JSON 对象 {"holidays": [...], "workdays": [...], "source": "..."}')

    def listed(key: str, field: str) -> str:
        values = data.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise CalendarInputRefused(field, f"文件中的 {key} 应为日期文本的列表，如 [\"2027-01-01\"]")
        return ",".join(values)

    source = data.get("source") or ""
    return listed("holidays", HOLIDAYS), listed("workdays", WORKDAYS), source if isinstance(source, str) else ""


@calendar.command("set-year")
@click.argument("year")
@click.option("--holidays", default="", help="holiday dates: 2027-01-01,2027-02-05..2027-02-11")
@click.option("--workdays", default="", help="make-up working days (调休) on weekends")
@click.option("--source", help="the notice the data comes from, e.g. 国办发明电〔2026〕X号")
@click.option("--file", "data_file", type=click.Path(exists=True, path_type=Path),
              help='JSON file {"holidays": [...], "workdays": [...], "source": "..."}')
@acting_user
def calendar_set_year(year, holidays, workdays, source, data_file, user) -> None:
    """Add or correct a year's arrangement; open deadlines it moves are recomputed (as events). The same checks as
    the web's 工作日历 form (workflows/requests/calendar_input.py), with the option named after the field."""
    try:
        if data_file:
            holidays, workdays, file_source = _file_values(data_file)
            source = source or file_source
        arrangement = year_arrangement(parse_year(year), holidays, workdays, source or "")
    except CalendarInputRefused as refused:
        option = _OPTIONS.get(refused.field)
        raise CalendarInputRefused(f"{refused.field}（{option}）" if option else refused.field, refused.problem) from None
    changed = app().requests.set_calendar_year(arrangement, user)
    click.echo(f"已按{arrangement.source}设置 {arrangement.year} 年日历：放假 {len(arrangement.holidays)} 天，调休上班 "
               f"{len(arrangement.workdays)} 天；{len(changed)} 件在办申请的期限已重新计算")
    for request_id in changed:
        click.echo(f"  {request_id}")


@calendar.command("show")
@click.argument("year", type=int)
@handle_errors
def calendar_show(year) -> None:
    cal = app().queries.calendar()
    if not cal.has_year(year):
        click.echo(f"{year} 年：尚无节假日安排，该年的期限按周一至周五计算并标为暂定")
        return
    arrangement = cal.years[year]
    weekday_holidays = sorted(d for d in arrangement.holidays if d.weekday() < 5)
    click.echo(f"{year} 年（{arrangement.source}）")
    click.echo("工作日放假：" + "、".join(d.isoformat() for d in weekday_holidays))
    click.echo("调休上班日：" + "、".join(d.isoformat() for d in sorted(arrangement.workdays)))
