"""The queues (DESIGN §10): 我的待办 (/tasks, the landing page) and 申请列表 (/requests), the user's agencies only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from web.auth import services, viewer
from web.templating import page
from workflows.people.accounts import User

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]


# -- the queues ----------------------------------------------------------------------------------------------------
@router.get("/tasks")
def tasks(request: Request, user: Viewer, mine: bool = False, role: str | None = None) -> Response:
    app = services(request)
    listed = app.tasks.listing(user, mine=mine, role=role or None)  # the agencies the user may read
    return page(request, "tasks.html.j2", tasks=listed, mine=mine, role=role, today=app.clock.now().date())


@router.get("/requests")
def requests_page(request: Request, user: Viewer, agency: str | None = None) -> Response:
    app = services(request)
    rows = app.queries.queue_of(user, agency)
    return page(request, "requests.html.j2", rows=rows, agency=agency)
