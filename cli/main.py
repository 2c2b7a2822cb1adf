"""`ogi`: the command line. Each group lives in its own module; all of them only translate arguments into calls
on the services `bootstrap` builds, and print the answers."""

from __future__ import annotations

import click

from cli import admin, approvals, calendar, documents, platforms, processes, register, report, requests, setup, tasks
from cli.usage_errors import ChineseErrorsGroup


@click.group(cls=ChineseErrorsGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """ogi — 政府信息公开依申请办理 (open government information requests on application)."""


for command in (
    setup.init, setup.demo, setup.up,
    admin.user, admin.agency, admin.department, admin.projections, admin.audit,
    requests.import_command, requests.history_command, requests.request, requests.timers,
    calendar.calendar,
    report.report, register.register,
    tasks.task, tasks.outbox, tasks.inbox,
    processes.scheduler, processes.worker, processes.health, processes.web, admin.token,
    documents.document, documents.fee, approvals.approval,
    platforms.platform,
):
    main.add_command(command)


if __name__ == "__main__":
    main()
