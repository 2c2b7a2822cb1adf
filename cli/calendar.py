"""The working-day calendar (法定节假日与调休): counting periods, and the administrators' years."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from cli.common import acting_user, app, handle_errors, render
from engine.calendar import YearArrangement


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


def _dates(values: str, what: str) -> frozenset[dt.date]:
    out: set[dt.date] = set()
    for part in filter(None, (v.strip() for v in values.replace("\n", ",").split(","))):
        try:
            if ".." in part:
                first, last = (dt.date.fromisoformat(x) for x in part.split(".."))
                out.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
            else:
                out.add(dt.date.fromisoformat(part))
        except ValueError:
            raise click.BadParameter(f"“{part}”不是有效的日期（YYYY-MM-DD）或日期范围（A..B）", param_hint=what) from None
    return frozenset(out)


@calendar.command("set-year")
@click.argument("year", type=int)
@click.option("--holidays", default="", help="holiday dates: 2027-01-01,2027-02-05..2027-02-11")
@click.option("--workdays", default="", help="make-up working days (调休) on weekends")
@click.option("--source", help="the notice the data comes from, e.g. 国办发明电〔2026〕X号")
@click.option("--file", "data_file", type=click.Path(exists=True, path_type=Path),
              help='JSON file {"holidays": [...], "workdays": [...], "source": "..."}')
@acting_user
def calendar_set_year(year, holidays, workdays, source, data_file, user) -> None:
    """Add or correct a year's arrangement; open deadlines it moves are recomputed (as events)."""
    if data_file:
        data = json.loads(data_file.read_text(encoding="utf-8"))
        holidays, workdays = ",".join(data.get("holidays", [])), ",".join(data.get("workdays", []))
        source = source or data.get("source")
    if not source:
        raise click.UsageError("须给出 --source：节假日安排所依据的通知")
    arrangement = YearArrangement(year, _dates(holidays, "--holidays"), _dates(workdays, "--workdays"), source)
    changed = app().requests.set_calendar_year(arrangement, user)
    click.echo(f"已按{source}设置 {year} 年日历：放假 {len(arrangement.holidays)} 天，调休上班 "
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
