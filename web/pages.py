"""Signing in and out (DESIGN §10: /login, /logout) and the home page. The other staff pages live beside this one:
queue_pages, registration_pages, request_pages, document_pages, admin, oversight, reports."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from web.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, services, set_cookie, viewer
from web.flash import REFUSAL_COOKIE
from web.signed_cookies import forget, pack, set_signed, unpack
from web.templating import page
from workflows.people.accounts import User
from workflows.people.sign_in import LoginRefused

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]


# -- signing in and out --------------------------------------------------------------------------------------------
LOGIN_REFUSAL_COOKIE = "ogi_login_refusal"  # a refused sign-in, shown once on the login page (post/redirect/get)
EXPIRED = "会话已过期，请重新登录。"
LOGIN_FORM_EXPIRED = "登录页面已过期，请重新输入用户名和密码。"


@router.get("/login")
def login_form(request: Request, next: str = "/tasks", expired: str = "") -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    request.state.login_csrf = token
    refused = unpack(request, "login refusal", request.cookies.get(LOGIN_REFUSAL_COOKIE)) or {}
    error = refused.get("error") if isinstance(refused.get("error"), str) else None
    username = refused.get("username") if isinstance(refused.get("username"), str) else ""
    response = page(request, "login.html.j2", next=_local(next), error=error, username=username,
                    notice=EXPIRED if expired and not error else None, status_code=401 if error else 200)
    set_cookie(response, LOGIN_CSRF_COOKIE, token)
    forget(response, LOGIN_REFUSAL_COOKIE)
    return response


def _login_refused(request: Request, next: str, message: str, username: str) -> Response:
    """303 back to the login form, which shows `message` once, with the name typed (never the password)."""
    response = RedirectResponse(f"/login?next={quote(_local(next), safe='/')}", status_code=303)
    body = {"error": message, "username": username[:100]}
    set_signed(response, LOGIN_REFUSAL_COOKIE, pack(request, "login refusal", body, 300), 300)
    return response


@router.post("/login")
def login(request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/tasks") -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected.encode(), csrf_token.encode()):
        return _login_refused(request, next, LOGIN_FORM_EXPIRED, username)
    if not username or not password:
        return _login_refused(request, next, "请填写用户名和密码。", username)
    try:
        session = services(request).web.sign_in(username, password, request.client.host if request.client else "")
    except LoginRefused as refused:
        return _login_refused(request, next, str(refused), username)
    response = RedirectResponse(_local(next), status_code=303)
    set_cookie(response, SESSION_COOKIE, session.id)
    return response


@router.post("/logout")
def logout(request: Request, user: Viewer) -> Response:
    services(request).web.sign_out(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    forget(response, REFUSAL_COOKIE)  # a refused form of this session is no one else's to see
    return response


@router.get("/logout")
def logout_form(request: Request, user: Viewer) -> Response:
    return page(request, "logout.html.j2")


def _local(target: str) -> str:
    """Only a path on this site: a login link cannot send the user elsewhere (nor back to the login)."""
    if not target.startswith("/") or target.startswith(("//", "/\\")) or target.split("?", 1)[0] == "/login":
        return "/tasks"
    return target


# -- home --------------------------------------------------------------------------------------------------------
@router.get("/")
def home(user: Viewer) -> Response:
    return RedirectResponse("/tasks", status_code=303)
