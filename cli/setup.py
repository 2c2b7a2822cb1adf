"""Set-up: `ogi init`, `ogi demo load`, and `ogi up` (the embedded all-in-one process)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from bootstrap import bootstrap
from bootstrap.processes import up_process
from cli.common import app, handle_errors, origin, program, render
from cli.requests import history_text
from web.server import serve_in_thread
from workflows.people.accounts import ADMIN_USERNAME
from workflows.report.exports import export
from workflows.requests.demo import DEMO_AGENCY, DEMO_PASSWORD, DEMO_STAFF, demo_password, load_demo


@click.command()
@handle_errors
def init() -> None:
    """Create or migrate the database and the first administrator (no questions asked)."""
    setup = bootstrap(check_schema=False, origin=origin())
    _say_where_the_key_is(setup)
    done = setup.initialise()
    if not done.created_admin:
        click.echo(f"数据库 {setup.engine.url} 已是最新版本；管理员 {ADMIN_USERNAME} 已存在")
        return
    click.echo(f"已创建数据库 {setup.engine.url}；已添加管理员 {ADMIN_USERNAME}")
    if done.generated_password:
        click.echo(f"管理员密码（只显示这一次）：{done.generated_password}")


def _say_where_the_key_is(setup) -> None:
    keyring = setup.store.keyring
    if keyring is not None and keyring.created:
        click.echo(f"已在 {keyring.file} 生成日志密钥（权限 0600）：请妥善保存，不要与数据库备份放在一起；"
                   "没有它就无法校验日志", err=True)


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
    click.echo(f"ogi：数据库 {ogi.engine.url}，北京时间 {ogi.clock.now():%Y-%m-%d %H:%M}\n")
    click.echo("在办申请：")
    click.echo(render("cli/queue.txt.j2", rows=ogi.queries.queue()), nl=False)
    request_id = ogi.queries.sample_request_id()
    if request_id:
        click.echo("\n" + "-" * 60)
        sample = ogi.queries.history(request_id)
        click.echo(history_text(sample, ogi.queries.told(sample)), nl=False)
    shown = ogi.queries.latest_complete_year()
    if shown:
        year, agency = shown
        click.echo("\n" + "-" * 60)
        click.echo(export(ogi.reports.annual(year, agency), "text"), nl=False)
        click.echo(f"（完整报告：{program()} report annual --year {year} --agency {agency} --format docx -o report.docx）")
    if once:
        return
    click.echo("\n" + "-" * 60)
    click.echo(f"运行中：提醒和督办消息写入发件箱（{program()} outbox list），待办见 {program()} task list；"
               "按 Ctrl-C 停止")
    click.echo(f"网页：http://{host}:{port}/（{_who_signs_in(ogi)}）")
    demo = _demo_loaded(ogi)
    if demo:
        click.echo(f"网上申请：http://{host}:{port}/apply，申请人查询：http://{host}:{port}/my"
                   + ("（未配置短信和邮件：验证码等消息显示在此）" if not (os.environ.get("OGI_SMTP_URL")
                                                            or os.environ.get("OGI_SMS_URL")) else ""))
    up_process(ogi, click.echo, lambda services: serve_in_thread(services, host, port), demo=demo)


def _demo_loaded(ogi) -> bool:
    names = {u.username for u in ogi.directory.users()}  # the demo's accounts and agency: not a scan of the log
    return {s[0] for s in DEMO_STAFF} <= names and any(a.slug == DEMO_AGENCY[0] for a in ogi.directory.agencies())


def _who_signs_in(ogi) -> str:
    """Whom the web lets in: with the demo loaded, its accounts and the password `ogi demo load` gave them."""
    if not _demo_loaded(ogi):
        return f"用 {program()} user add 添加的用户登录"
    accounts = "、".join(f"{username}（{name}）" for username, _, name in DEMO_STAFF)
    password = demo_password()
    where = "默认演示密码" if password == DEMO_PASSWORD else "OGI_DEMO_PASSWORD 所设的密码"
    return f"演示账号 {accounts} 的密码均为 {password}（{where}；已重设的以重设后的为准）"
