"""`ogi platform add|list|revoke`: the tokens of the 政务服务网 that file applications through the API
(POST /api/v1/applications, `Authorization: Bearer ogip_…`). Administrators only."""

from __future__ import annotations

import json

import click

from cli.common import acting_user, app


@click.group()
def platform() -> None:
    """政务服务平台令牌: platforms that file applications through the API."""


@platform.command("add")
@click.argument("name")
@click.option("--agency", "agencies", multiple=True, required=True,
              help="an agency the platform files with (repeat for several)")
@click.option("--display-name", help="the platform's name in the history, e.g. 河东区政务服务网")
@acting_user
def platform_add(name, agencies, display_name, user) -> None:
    """Print a new token for the platform NAME, alone on one line; it is shown once."""
    click.echo(app().platforms.add(user, name, agencies, display_name))


@platform.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@acting_user(writes=False)
def platform_list(fmt, user) -> None:
    """Every platform token: name, agencies, created, revoked; never the token itself."""
    listed = app().platforms.list(user)
    if fmt == "json":
        click.echo(json.dumps([p.as_json() for p in listed], ensure_ascii=False, indent=1))
        return
    click.echo("平台代码\t平台名称\t受理机关\t创建时间\t状态")
    for p in listed:
        status = f"已吊销（{p.revoked_at:%Y-%m-%d %H:%M}）" if p.revoked_at else "有效"
        click.echo("\t".join([p.name, p.display_name, "、".join(p.agencies),
                              f"{p.created_at:%Y-%m-%d %H:%M}（{p.created_by}）", status]))


@platform.command("revoke")
@click.argument("name")
@acting_user
def platform_revoke(name, user) -> None:
    """Revoke the platform NAME's token: it is refused at once."""
    revoked = app().platforms.revoke(user, name)
    click.echo(f"已吊销平台“{name}”的令牌，立即失效" if revoked else f"平台“{name}”的令牌此前已吊销")
