"""Administration: users, agencies, the read models and the audit of the log."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

import click

from cli.common import acting_user, app, fail, handle_errors
from notifications.message import mask_recipient
from workflows.people.accounts import ROLE_NAMES, Role, check_new_password, mask_phone
from workflows.people.sign_in import TOKEN_DAYS

TOKEN_STATUS = {"active": "有效", "expired": "已过期", "revoked": "已吊销"}


@click.group()
def user() -> None:
    """Users and their roles."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "display_name", help="display name")
@click.option("--agency", "agencies", multiple=True, help="an agency this user works for (repeat for several)")
@click.option("--email", help="where the user's reminders and tasks are e-mailed")
@click.option("--phone", help="for SMS reminders")
@acting_user
def user_add(username, role, display_name, agencies, email, phone, user) -> None:
    """Add a user; the password comes from OGI_NEW_USER_PASSWORD, else it is generated and shown once."""
    password = os.environ.get("OGI_NEW_USER_PASSWORD")
    generated = None if password else secrets.token_urlsafe(12)
    app().directory.add_user(user, username, Role(role), password or str(generated), display_name, agencies, email, phone)
    where = f"，所属机关 {'、'.join(agencies)}" if agencies else ""
    click.echo(f"已添加用户“{username}”（{ROLE_NAMES[Role(role)]}）{where}"
               + (f"；初始密码（只显示这一次）：{generated}" if generated else "；初始密码取自 OGI_NEW_USER_PASSWORD"))


@user.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@acting_user
def user_list(fmt, user) -> None:
    """Every user with role, agencies and whether disabled (administrators); no password hashes, contacts masked."""
    listed: list[dict[str, Any]] = [{"username": u.username, "display_name": u.display_name, "role": u.role.value,
                                     "agencies": sorted(u.agencies), "disabled": u.disabled,
                                     "email": mask_recipient(u.email) if u.email else None, "phone": mask_phone(u.phone) or None}
                                    for u in app().web.users(user)]
    if fmt == "json":
        click.echo(json.dumps(listed, ensure_ascii=False, indent=1))
        return
    for u in listed:
        click.echo("\t".join([u["username"], u["display_name"], ROLE_NAMES[Role(u["role"])], ",".join(u["agencies"]),
                              "已停用" if u["disabled"] else "正常", u["email"] or "", u["phone"] or ""]))


@user.command("disable")
@click.argument("username")
@acting_user
def user_disable(username, user) -> None:
    """Stop USERNAME signing in (administrators): their sessions end and their API tokens are refused at once."""
    app().directory.set_disabled(user, username, True)
    click.echo(f"已停用用户“{username}”：其登录会话已结束，接口令牌不再有效")


@user.command("set-department")
@click.argument("username")
@click.argument("department")
@acting_user
def user_set_department(username, department, user) -> None:
    """Put USERNAME in DEPARTMENT (its code or name, a department of the user's agency; "" takes them out): their
    部门待办 then lists the tasks of the requests that department handles or assists."""
    chosen = app().directory.set_department(user, username, department)
    if chosen:
        click.echo(f"已将用户“{username}”归入{chosen.name}（{chosen.code}）：其部门待办列出该部门承办或协办的申请")
    else:
        click.echo(f"已取消用户“{username}”的所在部门：其部门待办为空")


@user.command("enable")
@click.argument("username")
@acting_user
def user_enable(username, user) -> None:
    """Let a disabled user sign in again (administrators); tokens not expired or revoked work again."""
    app().directory.set_disabled(user, username, False)
    click.echo(f"已启用用户“{username}”，可以重新登录")


@user.command("reset-password")
@click.argument("username")
@acting_user
def user_reset_password(username, user) -> None:
    """A new password for USERNAME (administrators): from OGI_NEW_USER_PASSWORD, else generated and shown once.
    The user's sessions end and their API tokens are revoked; recorded with who and when in the security log."""
    given = os.environ.get("OGI_NEW_USER_PASSWORD")
    if given:
        check_new_password(given, "OGI_NEW_USER_PASSWORD 中的新密码")
    done = app().directory.reset_password(user, username, given or None)
    shown = (f"新密码（只显示这一次）：{done.generated_password}" if done.generated_password
             else "新密码取自 OGI_NEW_USER_PASSWORD")
    click.echo(f"已重置用户“{username}”的密码；{shown}；{done.sessions_ended} 个登录会话已结束，"
               f"{done.tokens_revoked} 个接口令牌已吊销")


@click.group()
def agency() -> None:
    """Agencies (机关). Nothing creates one silently."""


@agency.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="official name, e.g. 河东区行政审批服务局")
@click.option("--parent", help="slug of the agency above it (for roll-up reports)")
@click.option("--correction-days", type=int, default=15, show_default=True,
              help="default applicant's correction period in a correction notice (working days)")
@acting_user
def agency_add(slug, name, parent, correction_days, user) -> None:
    app().directory.add_agency(user, slug, name, parent, correction_days)
    click.echo(f"已添加机关“{name}”（代码 {slug}）")


@agency.command("set")
@click.argument("slug")
@click.option("--reminders", help="working days before the reply is due on which to remind, e.g. 5,2,0")
@click.option("--webhook", "webhook_url", help="URL that receives every notice of the agency (signed JSON POST)")
@click.option("--webhook-secret", help="the secret that signs the webhook's body (HMAC-SHA256)")
@click.option("--doc-prefix", help="the prefix of the agency's document numbers, e.g. 河东审批")
@click.option("--review-body", help="行政复议机关 named in replies, e.g. 河东区人民政府")
@click.option("--court", help="the court named in replies, e.g. 河东区人民法院")
@click.option("--vertically-led/--not-vertically-led", default=None,
              help="a vertically led agency: the review body is the next higher department")
@click.option("--online", type=click.Choice(["on", "off"]), help="whether the agency takes applications on /apply")
@click.option("--payment-info", help="how the applicant pays a fee, shown online, e.g. 请到受理窗口现场缴纳")
@acting_user
def agency_set(slug, reminders, webhook_url, webhook_secret, doc_prefix, review_body, court, vertically_led, online,
               payment_info, user) -> None:
    """Settings of an agency (administrators): reminders, webhook, what its documents say, the online door."""
    app().directory.set_agency(user, slug, reminders, webhook_url, webhook_secret, doc_prefix=doc_prefix,
                               review_body=review_body, court=court, vertically_led=vertically_led,
                               accepts_online=None if online is None else online == "on", payment_info=payment_info)
    click.echo(f"机关“{slug}”的设置已保存")


@agency.command("list")
@handle_errors
def agency_list() -> None:
    """slug, name, parent, whether it takes online applications (网上申请：受理|不受理)."""
    for row in app().directory.agencies():
        online = "网上申请：受理" if row.accepts_online else "网上申请：不受理"
        click.echo(f"{row.slug}\t{row.name}\t{row.parent or ''}\t{online}")


@click.group()
def token() -> None:
    """API tokens for /api/v1 (`Authorization: Bearer TOKEN`)."""


@token.command("create")
@click.argument("username")
@click.option("--days", type=int, default=TOKEN_DAYS, show_default=True, help="how long the token is valid")
@acting_user
def token_create(username, days, user) -> None:
    """Print a new API token for USERNAME (administrators), alone on one line; it is shown once."""
    click.echo(app().web.create_token(user, username, days))


@token.command("list")
@click.argument("username", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@acting_user
def token_list(username, fmt, user) -> None:
    """Every API token (or USERNAME's): id, user, created, last used, expires, status; never the token itself."""
    now = app().clock.now()
    listed = [t.as_json(now) for t in app().web.tokens(user, username)]
    if fmt == "json":
        click.echo(json.dumps(listed, ensure_ascii=False, indent=1))
        return
    click.echo("编号\t用户\t创建时间\t最近使用\t到期时间\t状态")
    for t in listed:
        status = TOKEN_STATUS.get(t["status"], t["status"])
        if t["revoked_at"]:
            status += f"（{t['revoked_by']} 于 {t['revoked_at']} 吊销）"
        click.echo("\t".join([t["id"], t["user"], t["created_at"], t["last_used_at"] or "从未使用", t["expires_at"],
                              status]))


@token.command("revoke")
@click.argument("token_id")
@acting_user
def token_revoke(token_id, user) -> None:
    """Revoke the API token with TOKEN_ID (from `ogi token list`): it stops working at once."""
    revoked = app().web.revoke_token(user, token_id)
    click.echo(f"已吊销用户“{revoked.username}”的接口令牌 {revoked.id}，立即失效")


@click.group()
def department() -> None:
    """The departments under an agency (承办部门), for assigning, transferring and 协办."""


@department.command("add")
@click.argument("agency_slug")
@click.argument("code")
@click.option("--name", required=True, help="e.g. 政策法规科")
@acting_user
def department_add(agency_slug, code, name, user) -> None:
    app().directory.add_department(user, agency_slug, code, name)
    click.echo(f"已在机关 {agency_slug} 添加承办部门“{name}”（代码 {code}）")


@department.command("list")
@click.argument("agency_slug", required=False)
@handle_errors
def department_list(agency_slug) -> None:
    for d in app().directory.departments(agency_slug):
        click.echo(f"{d.agency}\t{d.code}\t{d.name}")


@click.group()
def projections() -> None:
    """Read models derived from the event log."""


@projections.command("rebuild")
@acting_user
def projections_rebuild(user) -> None:
    """Throw the read models away and fold them again from the log."""
    user.require_write("rebuild projections")
    counts = app().requests.rebuild_projections()
    click.echo(f"已从事件日志重建 {counts.get('requests', 0)} 件申请的读模型")


@projections.command("repair")
@acting_user
def projections_repair(user) -> None:
    """Check every requests row against the log; fold the bad ones again and record the repair as an event."""
    findings = app().requests.repair_projection(user)
    if findings is None or findings.holds:
        click.echo("每件申请的读模型记录都与封印和事件日志相符，无需修复")
    else:
        click.echo(f"已按事件日志修复：{findings.describe()}；修复已记入日志")


@click.group()
def audit() -> None:
    """Tamper evidence."""


@audit.command("verify")
@click.option("--checkpoints", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="also prove the log extends every signed checkpoint kept in this folder")
@handle_errors
def audit_verify(folder: Path | None) -> None:
    """Recompute every hash; exit 0 only when the whole log is intact, otherwise name the first bad event."""
    result = app().audit.verify()
    if not result.ok:
        fail(f"日志被篡改：{result.problem}（此前的 {result.events_checked} 个事件完好）", code=3)
    click.echo(f"日志完好：{result.events_checked} 个事件均未被改动；日志头 {result.head_hash}")
    if folder is not None:
        problems = app().audit.verify_against(folder)
        if problems:
            fail("日志被篡改：日志与已签署的检查点不符：" + "；".join(problems), code=3)
        click.echo(f"日志与 {folder} 中的每个检查点相符")


@audit.command("checkpoint")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="where checkpoints are kept, outside the database (hand them to the auditors)")
@acting_user
def audit_checkpoint(folder: Path, user) -> None:
    """Sign the log's size and head now (Ed25519) and add the checkpoint to the folder."""
    user.require_write("sign a checkpoint")
    signed, path = app().audit.checkpoint(folder)
    click.echo(f"已签署检查点：{signed.size} 个事件，日志头 {signed.head[:16]}…，密钥 {signed.key_id}：{path}")


@audit.command("rotate-key")
@acting_user
def audit_rotate_key(user) -> None:
    """A new key for the log's chains from now on; the old one stays in the key file to verify what it signed."""
    old, new = app().audit.rotate_key(user)
    keyring = app().store.keyring
    assert keyring is not None  # rotate_key has just put the new keyring in the store
    click.echo(f"日志密钥已更换：{old} → {new}；请保管好密钥文件（{keyring.file}），其中每把密钥都须保留")
