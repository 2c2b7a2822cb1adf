"""`ogi scheduler`, `ogi worker`, `ogi health`: the production processes (PostgreSQL + Redis), thin over
bootstrap/processes.py."""

from __future__ import annotations

import logging
import os

import click

from bootstrap.processes import scheduler_process, sweep_seconds, worker_process
from cli.common import app, fail, handle_errors


def _logging() -> None:
    logging.basicConfig(level=os.environ.get("OGI_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@click.command()
@handle_errors
def scheduler() -> None:
    """Sweep what is due and relay the outbox to the broker, in the foreground until SIGTERM (any number may run)."""
    _logging()
    scheduler_process(app(), click.echo)


@click.command()
@click.option("--threads", type=int, default=4, show_default=True)
@handle_errors
def worker(threads: int) -> None:
    """Deliver outbox messages from the Redis broker, in the foreground until SIGTERM (any number may run)."""
    _logging()
    worker_process(app(), threads, click.echo)


@click.command()
@handle_errors
def health() -> None:
    """Exit 0 when the database, the broker and a recent scheduler heartbeat are fine; else say what is not."""
    problems = app().health(os.environ.get("OGI_REDIS_URL"), stale_after_seconds=max(3 * sweep_seconds(), 60))
    if problems:
        fail("; ".join(problems), code=1)
    click.echo("ok")  # read by health checks (docker, systemd), not a person


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@handle_errors
def web(host: str, port: int) -> None:
    """The staff web UI and the JSON API (/api/v1) in the foreground, on any database."""
    from web.server import serve

    _logging()
    serve(app(), host, port)
