"""The running engine's commands for staff: `ogi task …` (the 待办 queue), `ogi outbox …`, `ogi inbox`."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from cli.common import acting_user, app, reading_user
from notifications.outbox_words import CHANNEL_WORDS, STATUS_WORDS
from workflows.foi.citations import cite

LIGHTS = {"red": "[red]● 红[/red]", "yellow": "[yellow]● 黄[/yellow]", "green": "[green]● 绿[/green]"}
YELLOW_DAYS = 3  # due within this many calendar days: yellow
ROLE_WORDS = {"staff": "经办人", "head": "负责人"}  # who does a task (TaskRole)


def light(view, today) -> str:
    if view.overdue:
        return "red"
    if view.due is not None and (view.due - today).days <= YELLOW_DAYS:
        return "yellow"
    return "green"


@click.group()
def task() -> None:
    """Staff tasks (待办), overdue first."""


@task.command("list")
@click.option("--mine", is_flag=True, help="only the tasks assigned to --as")
@click.option("--role", type=click.Choice(["staff", "head"]))
@click.option("--agency")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reading_user
def task_list(mine, role, agency, fmt, user) -> None:
    ogi = app()
    views = ogi.tasks.listing(user, mine, role, agency)
    if fmt == "json":
        click.echo(json.dumps([v.as_dict() for v in views], ensure_ascii=False, indent=1))
        return
    today = ogi.clock.now().date()
    table = Table("", "待办事项", "申请编号", "到期", "岗位", "承办人", "依据", "待办编号",
                  title=f"待办 {len(views)} 项（{today}）")
    for v in views:
        table.add_row(LIGHTS[light(v, today)], v.label, v.request_id, v.due.isoformat() if v.due else "—",
                      ROLE_WORDS.get(v.role, v.role), v.assignee or "（未分配）", cite(v.article) or "—", v.id)
    Console(width=200, highlight=False).print(table)


@task.command("claim")
@click.argument("task_id")
@acting_user
def task_claim(task_id, user) -> None:
    view = app().tasks.claim(task_id, user)
    click.echo(f"{view.id} 已由 {view.assignee} 认领")


@task.command("assign")
@click.argument("task_id")
@click.argument("assignee")
@acting_user
def task_assign(task_id, assignee, user) -> None:
    view = app().tasks.assign(task_id, assignee, user)
    click.echo(f"{view.id} 已由 {user.username} 指派给 {view.assignee}")


@click.group()
def outbox() -> None:
    """Messages to send (e-mail, SMS, inbox, webhook), each written with what caused it."""


@outbox.command("list")
@click.option("--status", type=click.Choice(["pending", "sending", "sent", "parked", "cancelled"]))
@click.option("--request", "request_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reading_user
def outbox_list(status, request_id, fmt, user) -> None:
    rows = app().outbox.messages(user, status, request_id)
    shown = [{"id": r.id, "channel": r.channel, "to": masked_address(r.channel, r.address),
              "request_id": r.request_id, "kind": r.kind, "status": r.status, "attempts": r.attempts,
              "created_at": r.created_at.isoformat(timespec="seconds"),
              "sent_at": r.sent_at.isoformat(timespec="seconds") if r.sent_at else None} for r in rows]
    if fmt == "json":
        click.echo(json.dumps(shown, ensure_ascii=False, indent=1))
        return
    for m in shown:
        click.echo(f"{m['id']}  {STATUS_WORDS.get(m['status'], m['status'])}  "
                   f"{CHANNEL_WORDS.get(m['channel'], m['channel'])}  {m['kind']:<28} {m['request_id'] or '—':<24} "
                   f"{m['to']}  已尝试 {m['attempts']} 次")
    click.echo(f"（共 {len(shown)} 条消息）")


def masked_address(channel: str, address: str) -> str:
    from notifications.message import mask_recipient

    return address if channel == "inbox" else mask_recipient(address)


@outbox.command("retry")
@click.argument("message_id")
@acting_user
def outbox_retry(message_id, user) -> None:
    app().outbox.retry(message_id, user)
    click.echo(f"消息 {message_id} 将重新发送（编号不变，已收到的接收方可以识别）")


@click.command()
@reading_user
def inbox(user) -> None:
    """The in-app messages of --as (reminders, alerts, lapses), newest first."""
    for r in reversed(app().outbox.inbox(user)):
        click.echo(f"{r.created_at:%Y-%m-%d %H:%M}  {r.subject}")
