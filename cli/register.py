"""Table 二 (主动公开): the figures staff enter per agency and year, with their history."""

from __future__ import annotations

import json

import click

from cli.common import acting_user, app, reading_user, render
from cli.report import year_agency
from workflows.report.labels import MEASURE_LABELS, REGISTER_ITEMS


@click.group()
def register() -> None:
    """Table 二 (主动公开) figures that staff enter per agency and year."""


@register.command("set")
@year_agency
@click.option("--item", required=True, type=click.Choice(list(REGISTER_ITEMS)),
              help="rules 规章, normative_documents 行政规范性文件, licensing 行政许可, penalty 行政处罚, "
                   "enforcement 行政强制, fees 行政事业性收费")
@click.option("--issued", help="本年制发件数 (rules, normative_documents)")
@click.option("--repealed", help="本年废止件数 (rules, normative_documents)")
@click.option("--in-force", help="现行有效件数 (rules, normative_documents)")
@click.option("--decisions", help="本年处理决定数量 (licensing, penalty, enforcement)")
@click.option("--amount-wan", help="本年收费金额，万元 (fees)")
@click.option("--note", default="", help="where the figures come from")
@acting_user
def register_set(year, agency, item, issued, repealed, in_force, decisions, amount_wan, note, user) -> None:
    """Enter or correct one item of table 二; every change is kept in its history."""
    given = {"issued": issued, "repealed": repealed, "in_force": in_force, "decisions": decisions, "amount_wan": amount_wan}
    figures = {k: v for k, v in given.items() if v is not None}
    merged = app().reports.set_register_entry(year, agency, item, figures, note, user)
    click.echo(f"{agency} {year} {REGISTER_ITEMS[item][0]}: "
               + "，".join(f"{MEASURE_LABELS[m]} {v}" for m, v in merged.items()))


@register.command("show")
@year_agency
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reading_user
def register_show(year, agency, fmt, user) -> None:
    """Table 二 as entered (a parent sums the agencies below it)."""
    figures, missing = app().reports.register(year, agency, viewer=user)
    if fmt == "json":
        click.echo(json.dumps({"agency": agency, "year": year, "table2": figures, "missing": missing},
                              ensure_ascii=False, indent=1))
        return
    click.echo(render("cli/register.txt.j2", agency=agency, year=year, figures=figures, missing=missing,
                      items=REGISTER_ITEMS, measure_labels=MEASURE_LABELS), nl=False)


@register.command("history")
@year_agency
@reading_user
def register_history_command(year, agency, user) -> None:
    """Every change to the agency's table 二 figures for the year, with who and when."""
    entries = app().reports.register_history(year, agency, viewer=user)
    click.echo(render("cli/register_history.txt.j2", agency=agency, year=year, entries=entries,
                      measure_labels=MEASURE_LABELS), nl=False)
