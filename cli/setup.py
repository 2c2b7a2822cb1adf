"""Set-up: `ogi init`, `ogi demo load`, and `ogi up` (the embedded all-in-one process)."""

from __future__ import annotations

from pathlib import Path

import click

from bootstrap import bootstrap
from bootstrap.processes import up_process
from cli.common import app, handle_errors, origin, program, render
from cli.requests import history_text
from web.server import serve_in_thread
from workflows.people.accounts import ADMIN_USERNAME
from workflows.report.exports import export
from workflows.requests.demo import load_demo


@click.command()
@handle_errors
def init() -> None:
    """Create or migrate the database and the first administrator (no questions asked)."""
    setup = bootstrap(check_schema=False, origin=origin())
    _say_where_the_key_is(setup)
    done = setup.initialise()
    if not done.created_admin:
        click.echo(f"database {setup.engine.url} is up to date; administrator '{ADMIN_USERNAME}' exists")
        return
    click.echo(f"database {setup.engine.url} created; administrator '{ADMIN_USERNAME}' added")
    if done.generated_password:
        click.echo(f"administrator password (shown once): {done.generated_password}")


def _say_where_the_key_is(setup) -> None:
    keyring = setup.store.keyring
    if keyring is not None and keyring.created:
        click.echo(f"log key created in {keyring.file} (mode 0600); keep it, and keep it out of the database's backups: "
                   "without it the log cannot be verified", err=True)


@click.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
@click.option("--example", type=click.Path(path_type=Path), default=None, help="the shared example JSONL")
@handle_errors
def demo_load(example) -> None:
    """Idempotent: init, the seed agency, the 2023 example and generated open requests around today."""
    setup = bootstrap(check_schema=False, origin=origin())
    _say_where_the_key_is(setup)
    click.echo("\n".join(load_demo(setup.directory, setup.requests, setup.queries, example)))


@click.command()
@click.option("--once", is_flag=True, help="print the overview and exit, without starting the scheduler and worker")
@click.option("--host", default="127.0.0.1", show_default=True, help="where the web UI listens")
@click.option("--port", type=int, default=8000, show_default=True)
@handle_errors
def up(once: bool, host: str, port: int) -> None:
    """The embedded default in one process: shows the queue, then runs the web UI, the scheduler and a worker on the
    in-process broker until Ctrl-C or SIGTERM."""
    ogi = app()
    click.echo(f"ogi on {ogi.engine.url} — {ogi.clock.now():%Y-%m-%d %H:%M} (Asia/Shanghai)\n")
    click.echo("在办申请 open requests:")
    click.echo(render("cli/queue.txt.j2", rows=ogi.queries.queue()), nl=False)
    request_id = ogi.queries.sample_request_id()
    if request_id:
        click.echo("\n" + "-" * 60)
        click.echo(history_text(ogi.queries.history(request_id)), nl=False)
    shown = ogi.queries.latest_complete_year()
    if shown:
        year, agency = shown
        click.echo("\n" + "-" * 60)
        click.echo(export(ogi.reports.annual(year, agency), "text"), nl=False)
        click.echo(f"({program()} report annual --year {year} --agency {agency} --format docx -o report.docx: "
                   "the whole report)")
    if once:
        return
    click.echo("\n" + "-" * 60)
    click.echo(f"running: reminders and alerts go to the outbox ({program()} outbox list), "
               f"tasks to {program()} task list; Ctrl-C stops")
    click.echo(f"web UI: http://{host}:{port}/ (sign in as a user of `{program()} user add`, e.g. the demo's zhang)")
    up_process(ogi, click.echo, lambda services: serve_in_thread(services, host, port))
