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
from workflows.foi.tasks import AssigneeRefused
from workflows.people.accounts import User

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]

# the tabs of /tasks: (view, label); `mine=true` and `role=head` of older links still choose theirs
TASK_VIEWS = {"all": "本机关全部", "mine": "只看我的", "department": "部门待办", "unassigned": "未分配",
              "head": "负责人审批"}


# -- the queues ----------------------------------------------------------------------------------------------------
@router.get("/tasks")
def tasks(request: Request, user: Viewer, view: str = "", mine: bool = False, role: str | None = None,
          request_id: str = "") -> Response:
    app = services(request)
    view = view or ("mine" if mine else "head" if role == "head" else "all")
    if view not in TASK_VIEWS:
        raise InputRefused("视图", "请选择：" + "、".join(TASK_VIEWS.values()))
    search = request_id.strip()
    listed = app.tasks.listing(user, mine=view == "mine", role="head" if view == "head" else None,
                               department=view == "department", unassigned=view == "unassigned",
                               request_id=search)  # the agencies the user may read
    refused = take_refusal(request)
    return page(request, "tasks.html.j2", tasks=listed, view=view, views=TASK_VIEWS, search=search,
                board=app.tasks.board(user), today=app.clock.now().date(), refused=refused,
                back=_back(view, search))


@router.post("/tasks/claim")
async def claim(request: Request, user: Viewer) -> Response:
    form = await _form(request)
    return _task_step(request, form, lambda app: app.tasks.claim(form.get("task_id", ""), user), "claim")


@router.post("/tasks/assign")
async def assign(request: Request, user: Viewer) -> Response:
    form = await _form(request)
    assignee = form.get("assignee", "").strip()
    return _task_step(request, form, lambda app: app.tasks.assign(form.get("task_id", ""), assignee, user), "assign")


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


def _safe_back(form: dict[str, str]) -> str:
    """Back to the tab the form was on: a path of /tasks only (never another site)."""
    back = form.get("back", "")
    return back if back == "/tasks" or back.startswith("/tasks?") else "/tasks"


@router.get("/requests")
def requests_page(request: Request, user: Viewer) -> Response:
    app = services(request)
    values = dict(request.query_params)
    try:
        found = app.tasks.queue.search(user, values)
    except InputRefused as refused:  # a wrong filter: the form again with what was typed, and why
        found = app.tasks.queue.search(user, {"agency": ""})
        return page(request, "requests.html.j2", status_code=422, found=found, values=values,
                    error=error_body(refused), today=app.clock.now().date(), urlencode=urlencode)
    values = {k: v for k, v in found.filter.as_query().items() if k != "page"}
    return page(request, "requests.html.j2", found=found, values=values, error=None,
                today=app.clock.now().date(), urlencode=urlencode)
