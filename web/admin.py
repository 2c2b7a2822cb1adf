"""The administrators' pages (用户、机关、承办部门、工作日历、发送失败的消息), the heads' 审批 page and every user's
消息 (inbox). The same service calls as `ogi user/agency/department/calendar/outbox/inbox` on the command line.

Every form answers 303 (post/redirect/get): done, to the page with what was done; refused, to the page with the
refusal and what was typed (web/flash.py), shown once. Passwords are never carried back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from engine.errors import OgiError
from notifications.message import mask_recipient
from web import calendar_admin
from web.auth import services, viewer
from web.errors import error_body, status_of
from web.flash import redirect_refused, take_refusal
from web.templating import ROLE_LABELS, page
from workflows.foi.documents import DOCUMENT_TITLES
from workflows.foi.vocabulary import OUTCOME_LABELS
from workflows.people.accounts import Role, User, mask_phone
from workflows.people.user_departments import DEPARTMENT_ROLES

router = APIRouter(include_in_schema=False)
router.include_router(calendar_admin.router)  # 工作日历: its pages in their own module
Viewer = Annotated[User, Depends(viewer)]

DONE = {"user": "用户已添加。", "agency": "机关已添加。", "settings": "机关设置已保存。", "department": "承办部门已添加。",
        "retry": "消息将重新发送（沿用原消息编号）。", "disabled": "用户已停用，其会话和接口令牌立即失效。",
        "enabled": "用户已启用，可以重新登录。", "placed": "已设置用户的所在部门，其部门待办随之更新。"}
SECRET_FIELDS = ("password", "password_again", "webhook_secret")  # never carried back to the page
OUTBOX_CHANNELS = {"email": "电子邮件", "sms": "短信", "inbox": "站内消息", "webhook": "消息推送"}


# -- 系统管理 ----------------------------------------------------------------------------------------------------------
@router.get("/admin")
def admin_page(request: Request, user: Viewer, done: str | None = None, who: str | None = None,
               sessions: int = 0, tokens: int = 0) -> Response:
    user.require_admin("open the administration pages")
    refused = take_refusal(request)
    if refused is not None:
        return _admin_page(request, user, error=refused.error, failed=refused.failed, values=refused.values)
    return _admin_page(request, user, notice=_notice(request, done or "", who, sessions, tokens))


def _notice(request: Request, done: str, who: str | None, sessions: int, tokens: int) -> str | None:
    known = {u.username for u in services(request).directory.users()}
    name = f"“{who}”" if who in known else "该用户"
    if done == "reset":
        return (f"已重置{name}的密码，请将新密码当面或电话告知本人。其 {sessions} 个登录会话已结束，"
                f"{tokens} 个接口令牌已吊销。")
    if done in ("disabled", "enabled", "placed") and who in known:
        return DONE[done].replace("用户", f"用户{name}", 1)
    return DONE.get(done)


def _admin_page(request: Request, user: User, error: dict | None = None, failed: str | None = None,
                values: dict | None = None, notice: str | None = None) -> Response:
    app = services(request)
    agencies = app.directory.agencies()
    departments: dict[str, list] = {a.slug: [] for a in agencies}
    for d in app.directory.departments():
        departments.setdefault(d.agency, []).append(d)
    placed = app.directory.user_departments()
    users = [dict(username=u.username, display_name=u.display_name, role=u.role, agencies=sorted(u.agencies),
                  email=mask_recipient(u.email) if u.email else "", phone=mask_phone(u.phone), disabled=u.disabled,
                  department=placed.get(u.username), in_departments=u.role in DEPARTMENT_ROLES,
                  department_choices=[d for a in sorted(u.agencies) for d in departments.get(a, [])])
             for u in app.directory.users()]
    parked = [dict(id=m.id, channel=OUTBOX_CHANNELS.get(m.channel, m.channel),
                   to=m.address if m.channel == "inbox" else mask_recipient(m.address),
                   request_id=m.request_id, subject=m.subject, attempts=m.attempts,
                   last_error=m.last_error, created_at=m.created_at)
              for m in app.outbox.messages(user, "parked")]
    return page(request, "admin.html.j2", users=users, agencies=agencies,
                agency_names={a.slug: a.name for a in agencies}, departments=departments,
                years=list(reversed(calendar_admin.calendar_years(app.queries.calendar(), app.clock.now().year))),
                next_year=app.clock.now().year + 2, parked=parked,
                roles=list(Role), role_labels=ROLE_LABELS, error=error, failed=failed, values=values or {},
                notice=notice,
                webhooks={a.slug: mask_recipient(a.webhook_url) if a.webhook_url else "" for a in agencies})


async def _form(request: Request) -> dict[str, str]:
    """The form's text fields, stripped; a password or secret exactly as typed (a space in it is refused, not lost);
    the agencies ticked (several checkboxes of one name) joined with commas."""
    form = await request.form()
    values = {k: v if k in SECRET_FIELDS else v.strip() for k, v in form.items() if isinstance(v, str)}
    if "agencies" in form:
        values["agencies"] = ",".join(v.strip() for v in form.getlist("agencies") if isinstance(v, str) and v.strip())
    return values


async def _admin_write(request: Request, user: User, section: str, action: Callable[[dict[str, str]], Any],
                       done: str | Callable[[Any], str] | None = None, anchor: str | None = None) -> Response:
    """Do `action(form)` as an administrator: 303 to /admin saying what was done (`done`: the query after
    ?done=), or, refused by the law or the input, 303 to /admin with the refusal and the values typed (never a
    password or a secret)."""
    user.require_admin("change the administration settings")
    form = await _form(request)
    try:
        result = action(form)
    except OgiError as refused:
        if status_of(refused) != 422:
            raise
        kept = {k: v for k, v in form.items() if k not in SECRET_FIELDS}
        return redirect_refused(request, f"/admin#{anchor or section.split(':')[0]}", error_body(refused), kept,
                                failed=section)
    query = done(result) if callable(done) else (done or section)
    return RedirectResponse(f"/admin?done={query}#{anchor or section.split(':')[0]}", status_code=303)


def _blank(value: str | None) -> str | None:
    return value or None


@router.post("/admin/users")
async def add_user(request: Request, user: Viewer) -> Response:
    app = services(request)

    def add(form: dict[str, str]) -> None:
        if not form.get("password"):
            raise OgiError("请填写新用户的初始密码")
        try:
            role = Role(form.get("role", ""))
        except ValueError:
            raise OgiError("请从列表中选择角色（系统管理员、负责人、经办人或审计）") from None
        agencies = [a for a in (x.strip() for x in form.get("agencies", "").replace("，", ",").split(",")) if a]
        app.directory.add_user(user, form.get("username", ""), role, form["password"], _blank(form.get("display_name")),
                               agencies, _blank(form.get("email")), _blank(form.get("phone")))

    return await _admin_write(request, user, "user", add)


@router.post("/admin/users/{username}/disable")
async def disable_user(request: Request, username: str, user: Viewer) -> Response:
    """停用: the user's sessions end and their tokens are refused at once (as `ogi user disable`)."""
    app = services(request)
    return await _admin_write(request, user, f"disabled:{username}",
                              lambda form: app.directory.set_disabled(user, username, True),
                              done=f"disabled&who={quote(username)}", anchor="user")


@router.post("/admin/users/{username}/enable")
async def enable_user(request: Request, username: str, user: Viewer) -> Response:
    app = services(request)
    return await _admin_write(request, user, f"enabled:{username}",
                              lambda form: app.directory.set_disabled(user, username, False),
                              done=f"enabled&who={quote(username)}", anchor="user")


@router.post("/admin/users/{username}/password")
async def reset_password(request: Request, username: str, user: Viewer) -> Response:
    """重置密码: the administrator sets a new password (typed twice); the user's sessions end and their API tokens
    are revoked (as `ogi user reset-password`). Resetting one's own ends one's own session too: sign in again."""
    app = services(request)

    def reset(form: dict[str, str]):
        password = form.get("password", "")
        if not password:
            raise OgiError("请填写新密码")
        if password != form.get("password_again", ""):
            raise OgiError("两次输入的新密码不一致，请重新输入")
        return app.directory.reset_password(user, username, password)

    answer = await _admin_write(request, user, f"reset:{username}", reset, anchor="user",
                                done=lambda done: f"reset&who={quote(username)}&sessions={done.sessions_ended}"
                                                  f"&tokens={done.tokens_revoked}")
    if username == user.username and answer.headers.get("location", "").startswith("/admin?done=reset"):
        return RedirectResponse("/login", status_code=303)  # this session ended with the others
    return answer


@router.post("/admin/users/{username}/department")
async def set_user_department(request: Request, username: str, user: Viewer) -> Response:
    """所在部门: the department of the user's agency whose requests their 部门待办 lists (as `ogi user set-department`)."""
    app = services(request)
    return await _admin_write(request, user, f"placed:{username}",
                              lambda form: app.directory.set_department(user, username, form.get("department", "")),
                              done=f"placed&who={quote(username)}", anchor="user")


@router.post("/admin/agencies")
async def add_agency(request: Request, user: Viewer) -> Response:
    app = services(request)

    def add(form: dict[str, str]) -> None:
        try:
            days = int(form.get("correction_days") or 15)
        except ValueError:
            raise OgiError("默认补正期限须为整数个工作日") from None
        app.directory.add_agency(user, form.get("slug", ""), form.get("name", ""), _blank(form.get("parent")), days)

    return await _admin_write(request, user, "agency", add)


@router.post("/admin/agencies/{slug}/settings")
async def agency_settings(request: Request, slug: str, user: Viewer) -> Response:
    app = services(request)

    def save(form: dict[str, str]) -> None:
        webhook_url, secret = _blank(form.get("webhook_url")), _blank(form.get("webhook_secret"))
        if secret and not webhook_url:
            raise OgiError("填写了推送签名密钥，请同时填写消息推送地址")
        led = {"yes": True, "no": False}.get(form.get("vertically_led", ""))
        app.directory.set_agency(user, slug, _blank(form.get("reminders")), webhook_url, secret,
                                 doc_prefix=form.get("doc_prefix"), review_body=form.get("review_body"),
                                 court=form.get("court"), vertically_led=led)

    return await _admin_write(request, user, f"settings:{slug}", save, done="settings", anchor="settings")


@router.post("/admin/departments")
async def add_department(request: Request, user: Viewer) -> Response:
    app = services(request)

    def add(form: dict[str, str]) -> None:
        app.directory.add_department(user, form.get("agency", ""), form.get("code", ""), form.get("name", ""))

    return await _admin_write(request, user, "department", add)


@router.post("/admin/outbox/{message_id}/retry")
async def retry_message(request: Request, message_id: str, user: Viewer) -> Response:
    app = services(request)
    def retry(form: dict[str, str]) -> None:
        try:
            app.outbox.retry(message_id, user)
        except OgiError as refused:
            if status_of(refused) != 422:
                raise
            raise OgiError("这条消息不是发送失败或已取消的消息，不能重新发送（可能已在发送或已送达）") from None

    return await _admin_write(request, user, "retry", retry)


# -- 审批 ------------------------------------------------------------------------------------------------------------
@router.get("/approvals")
def approvals(request: Request, user: Viewer, done: str | None = None) -> Response:
    refused = take_refusal(request)
    if refused is not None:
        return _approvals_page(request, user, error=refused.error, failed=refused.failed, values=refused.values)
    return _approvals_page(request, user, notice={"approved": "已同意。", "rejected": "已退回（附审批意见）。"}.get(done or ""))


def _approvals_page(request: Request, user: User, error: dict | None = None, failed: str | None = None,
                    values: dict | None = None, notice: str | None = None) -> Response:
    """What waits for this head or administrator (workflows/documents/approvals.py), each with 同意 / 不同意 and 审批意见."""
    app = services(request)
    pending = app.approvals.listing(user)  # refuses other roles (403)
    people = {u.username: u.display_name for u in app.directory.users()}
    return page(request, "approvals.html.j2", approvals=pending, today=app.clock.now().date(), error=error,
                failed=failed, values=values or {}, notice=notice, people=people,
                agency_names={a.slug: a.name for a in app.directory.agencies()},
                document_titles=DOCUMENT_TITLES, outcome_labels=OUTCOME_LABELS)


async def _decide(request: Request, user: User, approval_id: str, decision: str) -> Response:
    app = services(request)
    form = await _form(request)
    reason = form.get("reason", "")
    try:
        if decision == "approved":
            app.approvals.approve(approval_id, user, reason)
        else:
            app.approvals.reject(approval_id, user, reason)
    except OgiError as refused:
        if status_of(refused) != 422:  # the law's or the input's refusal is shown on the page; 403/404/409 are errors
            raise
        return redirect_refused(request, "/approvals#approvals-error", error_body(refused),
                                {"reason": reason, "decision": decision}, failed=approval_id)
    return RedirectResponse(f"/approvals?done={decision}", status_code=303)


@router.post("/approvals/{approval_id}/approve")
async def approve(request: Request, approval_id: str, user: Viewer) -> Response:
    return await _decide(request, user, approval_id, "approved")


@router.post("/approvals/{approval_id}/reject")
async def reject(request: Request, approval_id: str, user: Viewer) -> Response:
    return await _decide(request, user, approval_id, "rejected")


# -- 消息 ------------------------------------------------------------------------------------------------------------
@router.get("/inbox")
def inbox(request: Request, user: Viewer) -> Response:
    messages = list(reversed(services(request).outbox.inbox(user)))  # newest first, as `ogi inbox`
    return page(request, "inbox.html.j2", messages=messages)
