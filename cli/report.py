"""The annual report (年度报告): tables 二/三/四 with checks, drill-down, publication; the table 二 register."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cli.common import acting_user, app, fail, handle_errors, moment, render, write_atomically
from workflows.foi.vocabulary import OUTCOME_LABELS
from workflows.report.exports import FORMATS, export
from workflows.report.labels import MEASURE_LABELS, REGISTER_ITEMS, column_label, row_label

REPORT_CHECK_FAILED = 4  # exit status when the report was produced but one of its checks failed


def _year_agency(function, agency_required: bool = True):
    help_text = "agency slug; a parent rolls up the agencies below it"
    if not agency_required:
        help_text += " (default: the only top-level agency)"
    function = click.option("--agency", required=agency_required, help=help_text)(function)
    return click.option("--year", type=int, required=True, help="the calendar year reported on")(function)


def _year_optional_agency(function):
    return _year_agency(function, agency_required=False)


@click.group()
def report() -> None:
    """The annual report (年度报告): tables 二/三/四, checks, drill-down, publication."""


@report.command("annual")
@_year_optional_agency
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write to this file")
@click.option("--as-of", help="the data as it stood at this date or ISO datetime (record time)")
@click.option("--own-only", is_flag=True, help="only the agency itself, not the agencies below it")
@handle_errors
def report_annual(year, agency, fmt, output, as_of, own_only) -> None:
    """Tables 二/三/四 with their checks; exit 4 when a check fails, 3 when the projection disagrees with the log."""
    built = app().reports.annual(year, agency, moment(as_of), own_only)
    content = export(built, fmt)
    if output is not None:
        write_atomically(output, content)
        click.echo(f"wrote {output} ({fmt}, {built.agency} {year}{'，汇总' if built.is_rollup else ''})", err=True)
    elif isinstance(content, bytes):
        if sys.stdout.isatty():
            fail(f"{fmt} is a binary format: give -o FILE (or redirect the output)")
        sys.stdout.buffer.write(content)
    else:
        click.echo(content, nl=False)
    failed = [check for check in built.checks if not check.ok]
    if failed:
        for check in failed:
            click.echo(f"校验不通过 check failed: {check.name}: {check.detail}", err=True)
        sys.exit(REPORT_CHECK_FAILED)


@report.command("cell")
@_year_optional_agency
@click.option("--row", required=True, help="row code: new, carried_in, disclosed, … total, carried_out; review, litigation_…")
@click.option("--column", required=True, help="column code: natural_person … other_org, total; maintained … pending, total")
@click.option("--as-of", help="the data as it stood at this date or ISO datetime (record time)")
@click.option("--own-only", is_flag=True, help="only the agency itself, not the agencies below it")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def report_cell(year, agency, row, column, as_of, own_only, fmt) -> None:
    """List the requests counted in one cell of the report (the drill-down)."""
    listing = app().reports.cell(year, agency, row, column, moment(as_of), own_only)
    items, agency = listing.items(), listing.report.agency
    if fmt == "json":
        click.echo(json.dumps({"agency": agency, "year": year, "table": listing.table, "row": row, "column": column,
                               "count": len(items), "requests": items}, ensure_ascii=False, indent=1))
        return
    click.echo(render("cli/report_cell.txt.j2", year=year, agency=agency, table=listing.table, row_label=row_label(row),
                      column_label=column_label(column), items=items, outcome_labels=OUTCOME_LABELS,
                      result_label=column_label), nl=False)


@report.command("publish")
@_year_agency
@click.option("--reason", help="why a corrected report replaces the published one (更正)")
@click.option("--own-only", is_flag=True, help="only the agency itself, not the agencies below it")
@acting_user
def report_publish(year, agency, reason, own_only, user) -> None:
    """Freeze the year's figures with their hash; later changes are then flagged and shown, never silent."""
    published = app().reports.publish(year, agency, user, reason, own_only)
    click.echo(f"published {agency} {year}: hash {published.publication.figures_hash}")


@click.group()
def register() -> None:
    """Table 二 (主动公开) figures that staff enter per agency and year."""


@register.command("set")
@_year_agency
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
@_year_agency
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def register_show(year, agency, fmt) -> None:
    """Table 二 as entered (a parent sums the agencies below it)."""
    figures, missing = app().reports.register(year, agency)
    if fmt == "json":
        click.echo(json.dumps({"agency": agency, "year": year, "table2": figures, "missing": missing},
                              ensure_ascii=False, indent=1))
        return
    click.echo(render("cli/register.txt.j2", agency=agency, year=year, figures=figures, missing=missing,
                      items=REGISTER_ITEMS, measure_labels=MEASURE_LABELS), nl=False)


@register.command("history")
@_year_agency
@handle_errors
def register_history_command(year, agency) -> None:
    """Every change to the agency's table 二 figures for the year, with who and when."""
    entries = app().reports.register_history(year, agency)
    click.echo(render("cli/register_history.txt.j2", agency=agency, year=year, entries=entries,
                      measure_labels=MEASURE_LABELS), nl=False)
