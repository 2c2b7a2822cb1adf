"""Signing in and out (DESIGN §10: /login, /logout) and the home page. The other staff pages live beside this one:
queue_pages, registration_pages, request_pages, document_pages, admin, oversight, reports."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from web.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, services, set_cookie, viewer
from web.errors import CsrfRefused
from web.templating import page
from workflows.people.accounts import User
from workflows.people.sign_in import LoginRefused

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


# -- home --------------------------------------------------------------------------------------------------------
@router.get("/")
def home(user: Viewer) -> Response:
    return RedirectResponse("/tasks", status_code=303)
