"""`ogi`: the command line. It only translates arguments into calls on `workflows` and prints the answers."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import secrets
import sys
from pathlib import Path

import click
from sqlalchemy import select

from cli.render import render
from engine.calendar import YearArrangement, count_period
from engine.database import make_engine, migrate
from engine.errors import NotFound, OgiError
from workflows.accounts import (
    ADMIN_USERNAME, Role, add_agency, add_user, agency_members, get_user, list_agencies,
)
from workflows.foi import commands as c
from workflows.foi.deadlines import explain as explain_deadline
from workflows.foi.state import STAGE_LABELS
from workflows.foi.vocabulary import OUTCOME_LABELS, ApplicantKind, Channel
from workflows.history import history
from workflows.importer import import_file, parse_moment
from workflows.queue import queue_rows
from workflows.report.annual import cases_in
from workflows.report.build import annual_report, cell_requests, publish_report
from workflows.report.exports import FORMATS, export
from workflows.report.labels import MEASURE_LABELS, REGISTER_ITEMS, column_label, row_label
from workflows.report.register import register_figures, register_history, register_with_blanks, set_entry
from workflows.service import Services
from workflows.tables import users_table


def fail(message: str, code: int = 1) -> None:
    click.echo(f"错误 error: {message}", err=True)
    sys.exit(code)


def handle_errors(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except OgiError as error:
            fail(str(error), getattr(error, "exit_code", 1))
        except UnicodeEncodeError as error:  # bytes that are not UTF-8 in an argument or file name
            bad = error.object[error.start:error.end].encode("utf-8", "surrogateescape")
            fail(f"input is not valid UTF-8 text (bytes {bad!r}); nothing was written")
    return wrapper


def services() -> Services:
    return Services.from_environment()


def acting_user(function):
    """Adds `--as USER` (default: the administrator made by `ogi init`); an unknown user is refused."""
    @click.option("--as", "as_user", default=lambda: os.environ.get("OGI_USER", ADMIN_USERNAME), show_default="admin",
                  help="the user who makes this change (recorded in the log)")
    @functools.wraps(function)
    def wrapper(*args, as_user: str, **kwargs):
        svc = services()
        with svc.engine.connect() as conn:
            user = get_user(conn, as_user)
        return function(*args, svc=svc, user=user, **kwargs)
    return wrapper


def moment(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return parse_moment(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """ogi — 政府信息公开依申请办理 (open government information requests on application)."""


# -- set-up -------------------------------------------------------------------------------------
@main.command()
@handle_errors
def init() -> None:
    """Create or migrate the database and the first administrator (no questions asked)."""
    engine = make_engine()
    migrate(engine)
    with engine.begin() as conn:
        if conn.execute(select(users_table.c.username).where(users_table.c.username == ADMIN_USERNAME)).first():
            click.echo(f"database {engine.url} is up to date; administrator '{ADMIN_USERNAME}' exists")
            return
        password = os.environ.get("OGI_ADMIN_PASSWORD")
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        add_user(conn, ADMIN_USERNAME, Role.ADMIN, password, "系统管理员", Services(engine).clock.now())
    click.echo(f"database {engine.url} created; administrator '{ADMIN_USERNAME}' added")
    if generated:
        click.echo(f"administrator password (shown once): {password}")


@main.group()
def user() -> None:
    """Users and their roles."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "display_name", help="display name")
@acting_user
@handle_errors
def user_add(username, role, display_name, svc, user) -> None:
    user.require_admin("add users")
    password = os.environ.get("OGI_NEW_USER_PASSWORD") or secrets.token_urlsafe(12)
    with svc.engine.begin() as conn:
        add_user(conn, username, Role(role), password, display_name, svc.clock.now())
    click.echo(f"user '{username}' ({role}) added; password (shown once): {password}")


@main.group()
def agency() -> None:
    """Agencies (机关). Nothing creates one silently."""


@agency.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="official name, e.g. 河东区行政审批服务局")
@click.option("--parent", help="slug of the agency above it (for roll-up reports)")
@click.option("--correction-days", type=int, default=15, show_default=True,
              help="default applicant's correction period in a correction notice (working days)")
@acting_user
@handle_errors
def agency_add(slug, name, parent, correction_days, svc, user) -> None:
    with svc.engine.begin() as conn:
        add_agency(conn, slug, name, parent, user, svc.clock.now(), correction_days)
    click.echo(f"agency '{slug}' ({name}) added")


@agency.command("list")
@handle_errors
def agency_list() -> None:
    with services().engine.connect() as conn:
        for row in list_agencies(conn):
            click.echo(f"{row.slug}\t{row.name}\t{row.parent or ''}")


# -- import and history -------------------------------------------------------------------------
@main.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@acting_user
@handle_errors
def import_command(file: Path, svc, user) -> None:
    """Import requests with their whole history (JSON Lines, DESIGN §6); all or nothing."""
    def progress(phase: str, done: int, total: int) -> None:
        if total >= 1000:
            label = "校验重放 replaying" if phase == "replay" else "写入 writing"
            click.echo(f"\r{label}: {done}/{total}", nl=done == total, err=True)

    count = import_file(svc, file, user, progress)
    click.echo(f"imported {count} requests from {file}")


@main.command("history")
@click.argument("request_id")
@click.option("--as-of", help="replay as the request stood at this date or ISO datetime (business time)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def history_command(request_id, as_of, fmt) -> None:
    """Replay one request: every event with actor and time, and its state and deadlines."""
    svc = services()
    with svc.engine.connect() as conn:
        data = history(svc, conn, request_id, moment(as_of) if as_of else None)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(history_text(data), nl=False)


def history_text(data: dict) -> str:
    events = [{**event, "summary": _summary(event["payload"])} for event in data["events"]]
    return render("cli/history.txt.j2", h={**data, "events": events})


def _summary(payload: dict) -> str:
    keys = ("outcome", "party", "opinion", "amount_yuan", "method", "working_days", "approved_by", "period_days",
            "case", "result", "period", "due", "reason", "flags")
    return " ".join(f"{k}={payload[k]}" for k in keys if payload.get(k) not in (None, "", []))


# -- requests -----------------------------------------------------------------------------------
@main.group()
def request() -> None:
    """Register requests and record each statutory step."""


@request.command("new")
@click.option("--id", "request_id", required=True)
@click.option("--agency", required=True)
@click.option("--kind", type=click.Choice([k.value for k in ApplicantKind]), required=True, help="applicant kind")
@click.option("--name", required=True, help="applicant's name")
@click.option("--id-number")
@click.option("--phone")
@click.option("--email")
@click.option("--channel", type=click.Choice([ch.value for ch in Channel]), required=True)
@click.option("--received-at", help="date or datetime the application arrived (default: now)")
@click.option("--confirmed-at", help="Art. 31 confirmation (post_plain, online, fax, email)")
@click.option("--subject", required=True, help="the information asked for")
@acting_user
@handle_errors
def request_new(request_id, agency, kind, name, id_number, phone, email, channel, received_at, confirmed_at, subject, svc, user):
    """Register a new request (收到申请, Art. 31)."""
    applicant = {k: v for k, v in dict(kind=kind, name=name, id_number=id_number, phone=phone, email=email).items() if v}
    state = svc.receive(c.Receive(
        at=moment(received_at) or svc.clock.now(), request_id=request_id, agency=agency, applicant=applicant,
        channel=channel, subject=subject, confirmed_at=moment(confirmed_at),
    ), user)
    reply = state.deadlines.get("reply")
    click.echo(f"request {request_id} registered; reply due {reply.due}{'（暂定 provisional）' if reply.provisional else ''}")


@request.command("act")
@click.argument("request_id")
@click.argument("command", type=click.Choice(sorted(c.STAFF_COMMANDS)))
@click.option("--at", help="when it happened (date or ISO datetime; default: now)")
@click.option("--period-days", type=int, help="request_correction: applicant's period (default: the agency's)")
@click.option("--party", type=click.Choice(["third_party", "agency"]), help="start/end_consultation")
@click.option("--opinion", type=click.Choice(["consent", "object", "none"]), help="end_consultation")
@click.option("--amount", "amount_yuan", type=float, help="notify_fee: amount in yuan")
@click.option("--method", help="notify_fee: per_request|by_volume; deliver: in_person|post|electronic")
@click.option("--working-days", type=int, help="extend: 1–20 working days")
@click.option("--approved-by", help="extend: the person in charge (a user with role head)")
@click.option("--outcome", help="decide: one of the 21 outcome codes")
@click.option("--case", help="review/litigation case number")
@click.option("--result", type=click.Choice(["maintained", "corrected", "other"]), help="close_review/close_litigation")
@click.option("--after-review", is_flag=True, help="file_litigation: suit after an administrative review")
@acting_user
@handle_errors
def request_act(request_id, command, at, svc, user, **options):
    """Record one step on a request, e.g. `ogi request act HD-1 decide --outcome disclosed`."""
    cls = c.STAFF_COMMANDS[command]
    fields = {k: v for k, v in options.items() if v is not None and k in cls.__dataclass_fields__}
    if cls is c.FileLitigation:
        fields["after_review"] = bool(options["after_review"])
    state = svc.act(request_id, cls(at=moment(at) or svc.clock.now(), **fields), user)
    reply = state.deadlines.get("reply")
    due = f"; reply due {reply.due or '中止中 suspended'}" if reply and state.is_open else ""
    click.echo(f"{request_id}: {command} recorded; now {state.stage.value} ({STAGE_LABELS[state.stage]}){due}")


@request.command("list")
@click.option("--agency")
@click.option("--all", "show_all", is_flag=True, help="concluded requests too")
@handle_errors
def request_list(agency, show_all) -> None:
    """The queue: open requests, the nearest deadline first."""
    svc = services()
    click.echo(queue_text(svc, agency, show_all), nl=False)


def queue_text(svc: Services, agency: str | None = None, show_all: bool = False) -> str:
    with svc.engine.connect() as conn:
        return render("cli/queue.txt.j2", rows=queue_rows(conn, agency, show_all))


@request.command("deadline")
@click.argument("request_id")
@click.option("--name", default="reply", show_default=True, help="reply|correction|correction_notice|consultation|payment")
@click.option("--explain", is_flag=True, help="list every day counted or skipped and why")
@handle_errors
def request_deadline(request_id, name, explain) -> None:
    """A request's deadline, explained: the start, each counted day, suspensions, holidays skipped."""
    svc = services()
    with svc.engine.connect() as conn:
        state, _ = svc.load(conn, request_id)
        period = explain_deadline(state, name, svc.calendar(conn), svc.clock.now().date())
    if period is None:
        raise NotFound(f"request {request_id} has no running '{name}' period")
    if state.suspensions:
        for s in state.suspensions:
            click.echo(f"中止 suspended: {s.start} – {s.end or '至今 ongoing'} ({s.reason})")
    click.echo(render("cli/calendar_explain.txt.j2", p=period, explain=explain), nl=False)


# -- calendar -----------------------------------------------------------------------------------
@main.group()
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
        raise click.BadParameter(f"'{start}' is not a date YYYY-MM-DD", param_hint="START") from None
    svc = services()
    with svc.engine.connect() as conn:
        period = count_period(svc.calendar(conn), start_day, days)
    click.echo(render("cli/calendar_explain.txt.j2", p=period, explain=explain), nl=False)


def _dates(values: str, year: int, what: str) -> frozenset[dt.date]:
    out = set()
    for part in filter(None, (v.strip() for v in values.replace("\n", ",").split(","))):
        try:
            if ".." in part:
                first, last = (dt.date.fromisoformat(x) for x in part.split(".."))
                out.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
            else:
                out.add(dt.date.fromisoformat(part))
        except ValueError:
            raise click.BadParameter(f"'{part}' is not a date YYYY-MM-DD or range A..B", param_hint=what) from None
    return frozenset(out)


@calendar.command("set-year")
@click.argument("year", type=int)
@click.option("--holidays", default="", help="holiday dates: 2027-01-01,2027-02-05..2027-02-11")
@click.option("--workdays", default="", help="make-up working days (调休) on weekends")
@click.option("--source", help="the notice the data comes from, e.g. 国办发明电〔2026〕X号")
@click.option("--file", "data_file", type=click.Path(exists=True, path_type=Path),
              help='JSON file {"holidays": [...], "workdays": [...], "source": "..."}')
@acting_user
@handle_errors
def calendar_set_year(year, holidays, workdays, source, data_file, svc, user) -> None:
    """Add or correct a year's arrangement; open deadlines it moves are recomputed (as events)."""
    if data_file:
        data = json.loads(data_file.read_text(encoding="utf-8"))
        holidays, workdays = ",".join(data.get("holidays", [])), ",".join(data.get("workdays", []))
        source = source or data.get("source")
    if not source:
        raise click.UsageError("--source is required: name the notice the arrangement comes from")
    arrangement = YearArrangement(year, _dates(holidays, year, "--holidays"), _dates(workdays, year, "--workdays"), source)
    changed = svc.set_calendar_year(arrangement, user)
    click.echo(f"calendar {year} set from {source}: {len(arrangement.holidays)} holidays, "
               f"{len(arrangement.workdays)} make-up working days; deadlines recomputed on {len(changed)} open requests")
    for request_id in changed:
        click.echo(f"  {request_id}")


@calendar.command("show")
@click.argument("year", type=int)
@handle_errors
def calendar_show(year) -> None:
    svc = services()
    with svc.engine.connect() as conn:
        cal = svc.calendar(conn)
    if not cal.has_year(year):
        click.echo(f"{year}: no arrangement data; deadlines in {year} are counted Monday–Friday and marked provisional")
        return
    arrangement = cal.years[year]
    weekday_holidays = sorted(d for d in arrangement.holidays if d.weekday() < 5)
    click.echo(f"{year} ({arrangement.source})")
    click.echo("holidays on weekdays: " + ", ".join(d.isoformat() for d in weekday_holidays))
    click.echo("make-up working days: " + ", ".join(d.isoformat() for d in sorted(arrangement.workdays)))


# -- projections, audit, timers ------------------------------------------------------------------
# -- annual report -----------------------------------------------------------------------------
REPORT_CHECK_FAILED = 4  # exit status when the report was produced but one of its checks failed


def _year_agency(function, agency_required: bool = True):
    help_text = "agency slug; a parent rolls up the agencies below it"
    if not agency_required:
        help_text += " (default: the only top-level agency)"
    function = click.option("--agency", required=agency_required, help=help_text)(function)
    return click.option("--year", type=int, required=True, help="the calendar year reported on")(function)


def _year_optional_agency(function):
    return _year_agency(function, agency_required=False)


def _reported_agency(svc: Services, agency: str | None) -> str:
    """DESIGN §5 makes --agency optional: without it, the one agency at the top of the tree."""
    if agency:
        return agency
    with svc.engine.connect() as conn:
        roots = [row.slug for row in list_agencies(conn) if not row.parent]
    if len(roots) == 1:
        return roots[0]
    if not roots:
        raise OgiError("there is no agency yet: add one with `ogi agency add SLUG --name NAME`")
    raise OgiError(f"several top-level agencies ({', '.join(roots)}): choose one with --agency")


@main.group()
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
    svc = services()
    agency = _reported_agency(svc, agency)
    built = annual_report(svc, year, agency, moment(as_of), own_only)
    content = export(built, fmt)
    if output is not None:
        write_atomically(output, content)
        click.echo(f"wrote {output} ({fmt}, {agency} {year}{'，汇总' if built.is_rollup else ''})", err=True)
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


def write_atomically(path: Path, content: str | bytes) -> None:
    """A half-written report never replaces a good one: write beside it, then rename."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise OgiError(f"cannot write {path}: {error.strerror}") from None


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
    svc = services()
    agency = _reported_agency(svc, agency)
    built, table, facts = cell_requests(svc, year, agency, row, column, moment(as_of), own_only)
    items = []
    if table == "table4":
        for f, case in cases_in(built.current, row, column):
            items.append({"id": f.request_id, "case": case.case, "filed": case.filed_on.isoformat(),
                          "closed": case.closed_on.isoformat() if case.closed_on else None,
                          "result": case.result, "received": f.received_on.isoformat(),
                          "concluded": f.concluded_on.isoformat() if f.concluded_on else None, "outcome": f.outcome})
    else:
        for f in facts:
            items.append({"id": f.request_id, "received": f.received_on.isoformat(),
                          "concluded": f.concluded_on.isoformat() if f.concluded_on else None, "outcome": f.outcome,
                          "applicant_kind": f.applicant_kind, "agency": f.agency})
    if fmt == "json":
        click.echo(json.dumps({"agency": agency, "year": year, "table": table, "row": row, "column": column,
                               "count": len(items), "requests": items}, ensure_ascii=False, indent=1))
        return
    click.echo(render("cli/report_cell.txt.j2", year=year, agency=agency, table=table, row_label=row_label(row),
                      column_label=column_label(column), items=items, outcome_labels=OUTCOME_LABELS,
                      result_label=column_label), nl=False)


@report.command("publish")
@_year_agency
@click.option("--reason", help="why a corrected report replaces the published one (更正)")
@click.option("--own-only", is_flag=True, help="only the agency itself, not the agencies below it")
@acting_user
@handle_errors
def report_publish(year, agency, reason, own_only, svc, user) -> None:
    """Freeze the year's figures with their hash; later changes are then flagged and shown, never silent."""
    published = publish_report(svc, year, agency, user, reason, own_only)
    click.echo(f"published {agency} {year}: hash {published.publication.figures_hash}")


@main.group()
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
@handle_errors
def register_set(year, agency, item, issued, repealed, in_force, decisions, amount_wan, note, svc, user) -> None:
    """Enter or correct one item of table 二; every change is kept in its history."""
    given = {"issued": issued, "repealed": repealed, "in_force": in_force, "decisions": decisions, "amount_wan": amount_wan}
    figures = {k: v for k, v in given.items() if v is not None}
    merged = set_entry(svc.engine, svc.store, svc.clock.now(), agency, year, item, figures, note, user)
    click.echo(f"{agency} {year} {REGISTER_ITEMS[item][0]}: "
               + "，".join(f"{MEASURE_LABELS[m]} {v}" for m, v in merged.items()))


@register.command("show")
@_year_agency
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def register_show(year, agency, fmt) -> None:
    """Table 二 as entered (a parent sums the agencies below it)."""
    svc = services()
    with svc.engine.connect() as conn:
        _, members = agency_members(conn, agency)
        figures, missing = register_with_blanks(register_figures(conn, members, year))
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
    svc = services()
    with svc.engine.connect() as conn:
        entries = register_history(conn, agency, year)
    click.echo(render("cli/register_history.txt.j2", agency=agency, year=year, entries=entries,
                      measure_labels=MEASURE_LABELS), nl=False)


@main.group()
def projections() -> None:
    """Read models derived from the event log."""


@projections.command("rebuild")
@acting_user
@handle_errors
def projections_rebuild(svc, user) -> None:
    """Throw the read models away and fold them again from the log."""
    user.require_write("rebuild projections")
    count = svc.rebuild_projections(lambda n: click.echo(f"\rrebuilt {n}", nl=False, err=True))
    click.echo(f"\nrebuilt {count} requests from the event log", err=False)


@main.group()
def audit() -> None:
    """Tamper evidence."""


@audit.command("verify")
@handle_errors
def audit_verify() -> None:
    """Recompute every hash; exit 0 only when the whole log is intact, otherwise name the first bad event."""
    svc = services()
    with svc.engine.connect() as conn:
        result = svc.store.verify(conn)
    if result.ok:
        click.echo(f"OK: {result.events_checked} events intact; log head {result.head_hash}")
        return
    fail(f"TAMPERED: {result.problem} ({result.events_checked} events before it are intact)", code=3)


@main.group()
def timers() -> None:
    """Lapses and overdue alerts (the scheduler runs this sweep; here by hand)."""


@timers.command("run")
@acting_user
@handle_errors
def timers_run(svc, user) -> None:
    fired = svc.run_due_timers(user)
    click.echo(f"{fired} timer events recorded")


# -- the embedded all-in-one process and its demo data ------------------------------------------
@main.command()
@handle_errors
def up() -> None:
    """The embedded default: shows the queue and one request's history (timers, workers and web UI come later)."""
    from cli.demo import sample_report, sample_request_id

    svc = services()
    click.echo(f"ogi on {svc.engine.url} — {svc.clock.now():%Y-%m-%d %H:%M} (Asia/Shanghai)\n")
    click.echo("在办申请 open requests:")
    click.echo(queue_text(svc), nl=False)
    request_id = sample_request_id(svc)
    if request_id:
        click.echo("\n" + "-" * 60)
        with svc.engine.connect() as conn:
            data = history(svc, conn, request_id)
        click.echo(history_text(data), nl=False)
    shown = sample_report(svc)
    if shown:
        year, agency = shown
        click.echo("\n" + "-" * 60)
        click.echo(export(annual_report(svc, year, agency), "text"), nl=False)
        click.echo(f"(ogi report annual --year {year} --agency {agency} --format docx -o report.docx: the whole report)")


@main.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
@click.option("--example", type=click.Path(path_type=Path), default=None, help="the shared example JSONL")
@handle_errors
def demo_load(example) -> None:
    """Idempotent: init, the seed agency, the 2023 example and generated open requests around today."""
    from cli.demo import load_demo

    click.echo(load_demo(example))


if __name__ == "__main__":
    main()
