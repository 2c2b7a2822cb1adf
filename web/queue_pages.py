"""The queues (DESIGN §10): 我的待办 (/tasks, the landing page) with 我来办 and 分派, and 申请列表 (/requests) with its
search and filters; the user's agencies only."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from engine.errors import OgiError
from web.auth import services, viewer
from web.errors import error_body, status_of
from web.flash import redirect_refused, take_refusal
from web.templating import page
from workflows.foi.identifiers import InputRefused
from workflows.foi.tasks import AssigneeRefused, TaskType
from workflows.people.accounts import WRITING_ROLES, User

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]

# the tabs of /tasks: (view, label); `mine=true` and `role=head` of older links still choose theirs
CONFIRM_TASK = TaskType.CONFIRM_RECEIPT.value  # the 确认收到 button's task (Art. 31)
TASK_VIEWS = {"all": "本机关全部", "mine": "只看我的", "department": "部门待办", "unassigned": "未分配",
              "head": "负责人审批"}


# -- the queues ----------------------------------------------------------------------------------------------------
@router.get("/tasks")
def tasks(request: Request, user: Viewer, view: str = "", mine: bool = False, role: str | None = None,
          request_id: str = "", confirmed: str = "") -> Response:
    app = services(request)
    view = view or ("mine" if mine else "head" if role == "head" else "all")
    if view not in TASK_VIEWS:
        raise InputRefused("视图", "请选择：" + "、".join(TASK_VIEWS.values()))
    search = request_id.strip()
    listed = app.tasks.listing(user, mine=view == "mine", role="head" if view == "head" else None,
                               department=view == "department", unassigned=view == "unassigned",
                               request_id=search)  # the agencies the user may read
    refused = take_refusal(request)
    awaiting = app.tasks.queue.awaiting_confirmation({t.request_id for t in listed if t.type == CONFIRM_TASK})
    return page(request, "tasks.html.j2", tasks=listed, view=view, views=TASK_VIEWS, search=search,
                board=app.tasks.board(user), today=app.clock.now().date(), refused=refused,
                back=_back(view, search), awaiting=awaiting, confirm_task=CONFIRM_TASK,
                notice=confirmed_notice(request, user, confirmed))


@router.post("/tasks/claim")
async def claim(request: Request, user: Viewer) -> Response:
    form = await _form(request)
    return _task_step(request, form, lambda app: app.tasks.claim(form.get("task_id", ""), user), "claim")


@router.post("/tasks/assign")
async def assign(request: Request, user: Viewer) -> Response:
    form = await _form(request)
    assignee = form.get("assignee", "").strip()
    return _task_step(request, form, lambda app: app.tasks.assign(form.get("task_id", ""), assignee, user), "assign")


@router.post("/tasks/confirm")
async def confirm(request: Request, user: Viewer) -> Response:
    """确认收到 from a queue (Art. 31(3)): the confirmation with its 登记回执 (IntakeService.confirm), then back to
    the list the button was on, which says what was done."""
    form = await _form(request)
    request_id = form.get("request_id", "").strip()
    back = _safe_back(form, also="/requests")
    try:
        services(request).intake.confirm(request_id, user)
    except OgiError as refused:
        if status_of(refused) == 403:  # not theirs to do: an error page, and the security log
            raise
        return redirect_refused(request, back, error_body(refused), form, failed=f"confirm:{request_id}")
    joiner = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{joiner}{urlencode({'confirmed': request_id})}", status_code=303)


def confirmed_notice(request: Request, user: User, request_id: str) -> str | None:
    """What the confirmation did, read back from the request itself (a link cannot make the page say anything
    else): the receipt date, the reply's due day, the receipt and where it was served."""
    if not request_id:
        return None
    try:
        history = services(request).queries.history(request_id, viewer=user)
    except OgiError:
        return None  # not one this person may read, or none: nothing to say
    if not history["confirmed_at"]:
        return None
    due = history["deadlines"]["reply"]["due"]
    words = [f"已确认收到申请 {history['id']}：收到申请之日为 {history['confirmed_at']}"
             + (f"，答复期限至 {due}" if due else "")]
    receipt = next((d for d in history["documents"] if d["type"] == "receipt" and d["number"]), None)
    if receipt is None:
        words.append("登记回执尚未出具，请在申请页面的文书部分出具")
    else:
        served = (receipt["service"] or {}).get("method") == "electronic"
        words.append(f"登记回执（{receipt['number']}）已出具" + ("，已送达申请人的网上查询页面" if served else ""))
    return "；".join(words) + "。"


def _task_step(request: Request, form: dict[str, str], step, failed: str) -> Response:
    try:
        step(services(request))
    except OgiError as refused:
        if status_of(refused) == 403 and not isinstance(refused, AssigneeRefused):  # not theirs to do: an error
            raise  # page, and the security log
        return redirect_refused(request, _safe_back(form), error_body(refused), form,
                                failed=f"{failed}:{form.get('task_id', '')}")
    return RedirectResponse(_safe_back(form), status_code=303)


async def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


def _back(view: str, search: str) -> str:
    query = {k: v for k, v in (("view", view if view != "all" else ""), ("request_id", search)) if v}
    return "/tasks" + ("?" + urlencode(query) if query else "")


def _safe_back(form: dict[str, str], also: str = "") -> str:
    """Back to the tab the form was on: a path of /tasks (or `also`) only, never another site."""
    back = form.get("back", "")
    for allowed in ("/tasks", also) if also else ("/tasks",):
        if back == allowed or back.startswith(allowed + "?"):
            return back
    return "/tasks"


@router.get("/requests")
def requests_page(request: Request, user: Viewer) -> Response:
    app = services(request)
    values = dict(request.query_params)
    try:
        found = app.tasks.queue.search(user, values)
    except InputRefused as refused:  # a wrong filter: the form again with what was typed, and why
        found = app.tasks.queue.search(user, {"agency": ""})
        return page(request, "requests.html.j2", status_code=422, found=found, values=values,
                    error=error_body(refused), error_title=None, today=app.clock.now().date(), urlencode=urlencode,
                    may_confirm=user.role in WRITING_ROLES, back="/requests", notice=None)
    values = {k: v for k, v in found.filter.as_query().items() if k != "page"}
    kept = take_refusal(request)  # a 确认收到 refused a moment ago (post/redirect/get)
    return page(request, "requests.html.j2", found=found, values=values, error=kept.error if kept else None,
                error_title="未能办理" if kept else None, today=app.clock.now().date(), urlencode=urlencode,
                may_confirm=user.role in WRITING_ROLES, back=_requests_back(found.filter.as_query()),
                notice=confirmed_notice(request, user, request.query_params.get("confirmed", "").strip()))


def _requests_back(query: dict[str, str]) -> str:
    """This page of 申请列表 as its link, for the 确认收到 button to come back to."""
    return "/requests" + ("?" + urlencode(query) if query else "")

