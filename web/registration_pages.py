"""登记 (DESIGN §10, /requests/new): a request received at the 受理窗口, registered through the request service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from engine.errors import OgiError
from web.auth import services, viewer
from web.errors import error_body, status_of
from web.templating import page
from workflows.foi.vocabulary import APPLICANT_LABELS, CHANNEL_LABELS
from workflows.people.accounts import User

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]


# -- registration --------------------------------------------------------------------------------------------------
@router.get("/requests/new")
def new_request_form(request: Request, user: Viewer) -> Response:
    user.require_write("register requests")
    return page(request, "new_request.html.j2", values={}, error=None, **_registration_choices(user))


@router.post("/requests/new")
async def register(request: Request, user: Viewer) -> Response:
    app = services(request)
    user.require_write("register requests")
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        if not form.get("agency"):
            raise OgiError("a request needs the agency that received it (agency, 受理机关)")
        request_id = app.requests.register(form, user)
    except OgiError as error:
        if status_of(error) != 422:
            raise
        return page(request, "new_request.html.j2", values=form, error=error_body(error), status_code=422,
                    **_registration_choices(user))
    return RedirectResponse(f"/requests/{request_id}", status_code=303)


def _registration_choices(user: User) -> dict:
    return dict(agencies=sorted(user.agencies), kinds=APPLICANT_LABELS, channels=CHANNEL_LABELS)
