"""The administrators' pages (用户、机关、承办部门、工作日历、发送失败的消息), the heads' 审批 page and every user's
消息 (inbox). The same service calls as `ogi user/agency/department/calendar/outbox/inbox` on the command line."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from engine.errors import OgiError
from notifications.message import mask_recipient
from web.auth import services, viewer
from web.errors import error_body, status_of
from web.templating import ROLE_LABELS, page
from workflows.people.accounts import Role, User, mask_phone

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]

DONE = {"user": "用户已添加。", "agency": "机关已添加。", "settings": "机关设置已保存。", "department": "承办部门已添加。",
        "retry": "消息将重新发送（沿用原消息编号）。", "disabled": "用户已停用，其会话和API令牌立即失效。",
        "enabled": "用户已启用。"}


# -- 系统管理 ----------------------------------------------------------------------------------------------------------
@router.get("/admin")
def admin_page(request: Request, user: Viewer, done: str | None = None) -> Response:
    user.require_admin("open the administration pages")
    return _admin_page(request, user, notice=DONE.get(done or ""))


def _admin_page(request: Request, user: User, error: dict | None = None, failed: str | None = None,
                values: dict | None = None, notice: str | None = None) -> Response:
    app = services(request)
    agencies = app.directory.agencies()
    departments: dict[str, list] = {a.slug: [] for a in agencies}
    for d in app.directory.departments():
        departments.setdefault(d.agency, []).append(d)
    users = [dict(username=u.username, display_name=u.display_name, role=u.role, agencies=sorted(u.agencies),
                  email=mask_recipient(u.email) if u.email else "", phone=mask_phone(u.phone), disabled=u.disabled)
             for u in app.directory.users()]
    parked = [dict(id=m.id, channel=m.channel, to=m.address if m.channel == "inbox" else mask_recipient(m.address),
                   request_id=m.request_id, kind=m.kind, subject=m.subject, attempts=m.attempts,
                   last_error=m.last_error, created_at=m.created_at)
              for m in app.outbox.messages(user, "parked")]
    return page(request, "admin.html.j2", status_code=422 if error else 200, users=users, agencies=agencies,
                departments=departments, years=_calendar_years(request), parked=parked, roles=list(Role),
                role_labels=ROLE_LABELS, error=error, failed=failed, values=values or {}, notice=notice,
                webhooks={a.slug: mask_recipient(a.webhook_url) if a.webhook_url else "" for a in agencies})


def _calendar_years(request: Request) -> list[dict]:
    """Every year from the first with data to next year; a year without an official arrangement is provisional
    (counted Monday–Friday, as `ogi calendar show` says)."""
    app = services(request)
    cal = app.queries.calendar()
    this_year = app.clock.now().year
    known = sorted(cal.years)
    first, last = min([*known, this_year]), max([*known, this_year + 1])
    out = []
    for year in range(first, last + 1):
        arrangement = cal.years.get(year)
        out.append(dict(year=year, provisional=arrangement is None, source=arrangement.source if arrangement else "",
                        holidays=len(arrangement.holidays) if arrangement else 0,
                        workdays=len(arrangement.workdays) if arrangement else 0))
    return out


async def _form(request: Request) -> dict[str, str]:
    return {k: v.strip() for k, v in (await request.form()).items() if isinstance(v, str)}


async def _admin_write(request: Request, user: User, section: str, action) -> Response:
    """Do `action(form)` as an administrator; the law's or the input's refusal is shown on the page (422)."""
    user.require_admin("change the administration settings")
    form = await _form(request)
    try:
        action(form)
    except OgiError as refused:
        if status_of(refused) != 422:
            raise
        return _admin_page(request, user, error=error_body(refused), failed=section, values=form)
    return RedirectResponse(f"/admin?done={section}#{section}", status_code=303)


def _blank(value: str | None) -> str | None:
    return value or None


@router.post("/admin/users")
async def add_user(request: Request, user: Viewer) -> Response:
    app = services(request)

    def add(form: dict[str, str]) -> None:
        if not form.get("password"):
            raise OgiError("a new user needs a password (初始密码)")
        try:
            role = Role(form.get("role", ""))
        except ValueError:
            raise OgiError(f"role '{form.get('role', '')}' is not one of {', '.join(r.value for r in Role)}") from None
        agencies = [a for a in (x.strip() for x in form.get("agencies", "").replace("，", ",").split(",")) if a]
        app.directory.add_user(user, form.get("username", ""), role, form["password"], _blank(form.get("display_name")),
                               agencies, _blank(form.get("email")), _blank(form.get("phone")))

    return await _admin_write(request, user, "user", add)


@router.post("/admin/users/{username}/disable")
async def disable_user(request: Request, username: str, user: Viewer) -> Response:
    """停用: the user's sessions end and their tokens are refused at once (as `ogi user disable`)."""
    app = services(request)
    return await _admin_write(request, user, "disabled", lambda form: app.web.set_disabled(user, username, True))


@router.post("/admin/users/{username}/enable")
async def enable_user(request: Request, username: str, user: Viewer) -> Response:
    app = services(request)
    return await _admin_write(request, user, "enabled", lambda form: app.web.set_disabled(user, username, False))


@router.post("/admin/agencies")
async def add_agency(request: Request, user: Viewer) -> Response:
    app = services(request)

    def add(form: dict[str, str]) -> None:
        try:
            days = int(form.get("correction_days") or 15)
        except ValueError:
            raise OgiError("the default correction period must be a whole number of working days") from None
        app.directory.add_agency(user, form.get("slug", ""), form.get("name", ""), _blank(form.get("parent")), days)

    return await _admin_write(request, user, "agency", add)


@router.post("/admin/agencies/{slug}/settings")
async def agency_settings(request: Request, slug: str, user: Viewer) -> Response:
    app = services(request)

    def save(form: dict[str, str]) -> None:
        webhook_url, secret = _blank(form.get("webhook_url")), _blank(form.get("webhook_secret"))
        if secret and not webhook_url:
            raise OgiError("a webhook secret needs the webhook URL with it (give both)")
        led = {"yes": True, "no": False}.get(form.get("vertically_led", ""))
        app.directory.set_agency(user, slug, _blank(form.get("reminders")), webhook_url, secret,
                                 doc_prefix=form.get("doc_prefix"), review_body=form.get("review_body"),
                                 court=form.get("court"), vertically_led=led)

    return await _admin_write(request, user, "settings", save)


@router.post("/admin/departments")
async def add_department(request: Request, user: Viewer) -> Response:
    app = services(request)

    def add(form: dict[str, str]) -> None:
        app.directory.add_department(user, form.get("agency", ""), form.get("code", ""), form.get("name", ""))

    return await _admin_write(request, user, "department", add)


@router.post("/admin/outbox/{message_id}/retry")
async def retry_message(request: Request, message_id: str, user: Viewer) -> Response:
    app = services(request)
    return await _admin_write(request, user, "retry", lambda form: app.outbox.retry(message_id, user))


# -- 审批 ------------------------------------------------------------------------------------------------------------
@router.get("/approvals")
def approvals(request: Request, user: Viewer, done: str | None = None) -> Response:
    return _approvals_page(request, user, notice={"approved": "已同意。", "rejected": "已退回（附审批意见）。"}.get(done or ""))


def _approvals_page(request: Request, user: User, error: dict | None = None, failed: str | None = None,
                    notice: str | None = None) -> Response:
    """What waits for this head or administrator (workflows/documents/approvals.py), each with 同意 / 不同意 and 审批意见."""
    app = services(request)
    pending = app.approvals.listing(user)  # refuses other roles (403)
    return page(request, "approvals.html.j2", status_code=422 if error else 200, approvals=pending,
                today=app.clock.now().date(), error=error, failed=failed, notice=notice)


async def _decide(request: Request, user: User, approval_id: str, decision: str) -> Response:
    app = services(request)
    reason = (await _form(request)).get("reason", "")
    try:
        if decision == "approved":
            app.approvals.approve(approval_id, user, reason)
        else:
            app.approvals.reject(approval_id, user, reason)
    except OgiError as refused:
        if status_of(refused) != 422:  # the law's or the input's refusal is shown on the page; 403/404/409 are errors
            raise
        return _approvals_page(request, user, error=error_body(refused), failed=approval_id)
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
