"""The staff pages in Chinese (DESIGN §10): sign-in, 我的待办, the open requests, registration and the request page with
the steps allowed now. Each route asks the services; authorisation by role and agency is checked before anything."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from engine.errors import OgiError
from web import inputs
from web.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, services, set_cookie, viewer
from web.errors import CsrfRefused, error_body, status_of
from web.templating import page
from workflows.foi.documents import DOCUMENT_TITLES, SERVICE_METHODS
from workflows.foi.vocabulary import APPLICANT_LABELS, CHANNEL_LABELS, OUTCOME_LABELS
from workflows.people.accounts import User
from workflows.people.sign_in import LoginRefused
from workflows.requests.step_forms import command_from

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]


# -- signing in and out --------------------------------------------------------------------------------------------
@router.get("/login")
def login_form(request: Request, next: str = "/tasks", error: str | None = None) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    request.state.login_csrf = token
    response = page(request, "login.html.j2", next=_local(next), error=error, status_code=401 if error else 200)
    set_cookie(response, LOGIN_CSRF_COOKIE, token)
    return response


@router.post("/login")
def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
          csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/tasks") -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf_token):
        raise CsrfRefused("the login form's csrf_token is missing or wrong; reload the page")
    try:
        session = services(request).web.sign_in(username, password, request.client.host if request.client else "")
    except LoginRefused as refused:
        return login_form(request, next, str(refused))
    response = RedirectResponse(_local(next), status_code=303)
    set_cookie(response, SESSION_COOKIE, session.id)
    return response


@router.post("/logout")
def logout(request: Request, user: Viewer) -> Response:
    services(request).web.sign_out(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/logout")
def logout_form(request: Request, user: Viewer) -> Response:
    return page(request, "logout.html.j2")


def _local(target: str) -> str:
    """Only a path on this site: a login link cannot send the user elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else "/tasks"


# -- the queues ----------------------------------------------------------------------------------------------------
@router.get("/")
def home(user: Viewer) -> Response:
    return RedirectResponse("/tasks", status_code=303)


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


# -- the request page ----------------------------------------------------------------------------------------------
@router.get("/requests/{request_id}")
def request_page(request: Request, request_id: str, user: Viewer, as_of: str | None = None) -> Response:
    return _request_page(request, request_id, user, as_of)


def _request_page(request: Request, request_id: str, user: User, as_of: str | None = None, error: dict | None = None,
                  failed_step: str | None = None, values: dict | None = None) -> Response:
    moment = inputs.moment(as_of)  # a date, or an ISO time; anything else is refused naming as_of
    view = services(request).queries.view(request_id, user, as_of=moment)  # the log read and folded once
    return page(request, "request.html.j2", status_code=422 if error else 200, h=view.history, explained=view.explained,
                steps=view.steps, may_act=view.may_act, error=error, failed_step=failed_step,
                values=values or {}, titles=DOCUMENT_TITLES, service_methods=SERVICE_METHODS,
                document_types=list(DOCUMENT_TITLES), outcomes=OUTCOME_LABELS, as_of=as_of)


@router.post("/requests/{request_id}/steps/{command}")
async def take_step(request: Request, request_id: str, command: str, user: Viewer) -> Response:
    app = services(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        app.requests.act(request_id, lambda now: command_from(command, form, now), user)
    except OgiError as refused:
        if status_of(refused) != 422:  # the law's refusal is shown on the page; 403/404/409 are errors
            raise
        return _request_page(request, request_id, user, error=error_body(refused), failed_step=command, values=form)
    return RedirectResponse(f"/requests/{request_id}", status_code=303)


@router.post("/requests/{request_id}/documents/{doc_type}/{step}")
async def document_step(request: Request, request_id: str, doc_type: str, step: str, user: Viewer) -> Response:
    app = services(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    doc_type = form.get("doc_type", "") if doc_type == "_" else doc_type  # the draft form chooses the type
    try:
        app.documents.take_step(request_id, doc_type, step, form, user)
    except OgiError as refused:
        if status_of(refused) != 422:  # the law's refusal is shown on the page; 403/404/409 are errors
            raise
        return _request_page(request, request_id, user, error=error_body(refused), failed_step=f"doc:{doc_type}")
    return RedirectResponse(f"/requests/{request_id}#documents", status_code=303)


@router.get("/requests/{request_id}/documents/{number}.{fmt}")
def document_file(request: Request, request_id: str, number: str, fmt: str, user: Viewer) -> Response:
    app = services(request)
    state, found, agency = app.documents.find(request_id, number, viewer=user)
    from workflows.documents.rendering import RENDERERS

    if fmt not in RENDERERS:
        raise OgiError(f"format '{fmt}' is not one of {', '.join(sorted(RENDERERS))}")
    media = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}[fmt]
    return Response(RENDERERS[fmt](found, agency), media_type=media)

