"""Who is asking: the session cookie (with its CSRF token on every write) or an API token (`Authorization: Bearer`)."""

from __future__ import annotations

import hmac
import os

from fastapi import Request, Response

from bootstrap import App
from web.errors import CsrfRefused, SignInRequired
from workflows.people.accounts import User

SESSION_COOKIE = "ogi_session"
LOGIN_CSRF_COOKIE = "ogi_login_csrf"  # the login form's token, before there is a session (double submit)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def services(request: Request) -> App:
    return request.app.state.services


def client_address(request: Request) -> str:
    """The address the visitor connected from (a trusted proxy's X-Forwarded-For: web/server.py): the limits'."""
    return request.client.host if request.client else "?"


def secure_cookies() -> bool:
    """Behind HTTPS (OGI_COOKIE_SECURE=1) the cookies are Secure; on loopback HTTP they cannot be."""
    return os.environ.get("OGI_COOKIE_SECURE", "") == "1"


def set_cookie(response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=secure_cookies(), path="/")


async def viewer(request: Request) -> User:
    """The signed-in user; a write through the session must carry the session's CSRF token (form field
    `csrf_token`, or the `X-CSRF-Token` header for scripts). Token callers carry no cookie, so no CSRF risk."""
    app = services(request)
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        user = app.web.token_user(authorization[7:].strip())
        if user is None:
            raise SignInRequired("API 令牌无效：不存在、已过期或已撤销，或其用户已停用")
        request.state.user = user
        return user
    session = app.web.session(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise SignInRequired("请先登录")
    request.state.session, request.state.user = session, session.user
    if request.method not in SAFE_METHODS:
        sent: object = request.headers.get("x-csrf-token")  # a form field may also be a file: refused below
        if sent is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get("csrf_token")
        if not isinstance(sent, str) or not hmac.compare_digest(sent, session.csrf_token):
            raise CsrfRefused("表单的校验码缺失或不正确，请刷新页面后重新提交")
    return session.user
