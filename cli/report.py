"""The annual report (年度报告): tables 二/三/四 with checks, drill-down, publication."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cli.common import acting_user, app, fail, moment, reading_user, render, write_atomically
from workflows.foi.vocabulary import OUTCOME_LABELS
from workflows.report.exports import FORMATS, export
from workflows.report.labels import column_label, row_label

REPORT_CHECK_FAILED = 4  # exit status when the report was produced but one of its checks failed


def year_agency(function, agency_required: bool = True):
    help_text = "agency slug; a parent rolls up the agencies below it"
    if not agency_required:
        help_text += " (default: the only top-level agency)"
    function = click.option("--agency", required=agency_required, help=help_text)(function)
    return click.option("--year", type=int, required=True, help="the calendar year reported on")(function)


def _year_optional_agency(function):
    return year_agency(function, agency_required=False)


@click.group()
def report() -> None:
    """The annual report (年度报告): tables 二/三/四, checks, drill-down, publication."""


@report.command("annual")
@_year_optional_agency
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write to this file")
@click.option("--as-of", help="the data as it stood at this date or ISO datetime (record time)")
@click.option("--own-only", is_flag=True, help="only the agency itself, not the agencies below it")
@reading_user
def report_annual(year, agency, fmt, output, as_of, own_only, user) -> None:
    """Tables 二/三/四 with their checks; exit 4 when a check fails, 3 when the projection disagrees with the log."""
    built = app().reports.annual(year, agency, moment(as_of), own_only, viewer=user)
    content = export(built, fmt)
    if output is not None:
        write_atomically(output, content)
        click.echo(f"已写入 {output}（{fmt}，{built.agency} {year} 年{'，汇总' if built.is_rollup else ''}）", err=True)
    elif isinstance(content, bytes):
        if sys.stdout.isatty():
            fail(f"{fmt} 是二进制格式：请用 -o 指定文件（或重定向输出）")
        sys.stdout.buffer.write(content)
    else:
        click.echo(content, nl=False)
    failed = [check for check in built.checks if not check.ok]
    if failed:
        for check in failed:
            click.echo(f"校验不通过：{check.name}：{check.detail}", err=True)
        sys.exit(REPORT_CHECK_FAILED)


@report.command("cell")
@_year_optional_agency
@click.option("--row", required=True, help="row code: new, carried_in, disclosed, … total, carried_out; review, litigation_…")
@click.option("--column", required=True, help="column code: natural_person … other_org, total; maintained … pending, total")
@click.option("--as-of", help="the data as it stood at this date or ISO datetime (record time)")
@click.option("--own-only", is_flag=True, help="only the agency itself, not the agencies below it")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reading_user
def report_cell(year, agency, row, column, as_of, own_only, fmt, user) -> None:
    """List the requests counted in one cell of the report (the drill-down)."""
    listing = app().reports.cell(year, agency, row, column, moment(as_of), own_only, viewer=user)
    items, agency = listing.items(), listing.report.agency
    if fmt == "json":
        click.echo(json.dumps({"agency": agency, "year": year, "table": listing.table, "row": row, "column": column,
                               "count": len(items), "requests": items}, ensure_ascii=False, indent=1))
        return
    click.echo(render("cli/report_cell.txt.j2", year=year, agency=agency, table=listing.table, row_label=row_label(row),
                      column_label=column_label(column), items=items, outcome_labels=OUTCOME_LABELS,
                      result_label=column_label), nl=False)


@report.command("publish")
@year_agency
@click.option("--reason", help="why a corrected report replaces the published one (更正)")
@click.option("--own-only", is_flag=True, help="only the agency itself, not the agencies below it")
@acting_user
def report_publish(year, agency, reason, own_only, user) -> None:
    """Freeze the year's figures with their hash; later changes are then flagged and shown, never silent."""
    published = app().reports.publish(year, agency, user, reason, own_only).publication
    assert published is not None  # publish returns the report as it has just been published
    click.echo(f"已发布 {agency} {year} 年度报告：校验值 {published.figures_hash}")
