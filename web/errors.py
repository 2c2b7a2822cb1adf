"""Errors as DESIGN §10 fixes them: JSON `{"error", "rule"}` with 401/403/404/409/422 for the API; pages say it in
Chinese. Every refusal is logged for the security log."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from engine.errors import ConcurrencyConflict, NotFound, OgiError, PermissionDenied, RuleViolation

log = logging.getLogger("ogi.security")


class SignInRequired(OgiError):
    """No session and no token."""


class CsrfRefused(PermissionDenied):
    """A form without the session's CSRF token."""


def status_of(error: OgiError) -> int:
    if isinstance(error, SignInRequired):
        return 401
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, ConcurrencyConflict):
        return 409
    return 422  # a step the law refuses (RuleViolation) or input that is wrong


def error_body(error: OgiError) -> dict:
    message = str(error)
    rule = getattr(error, "rule", None)
    if rule and message.endswith(f" [{rule}]"):
        message = message[: -len(rule) - 3]
    return {"error": message, "rule": rule or type(error).__name__}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _log_refusal(request: Request, error: OgiError, status: int) -> None:
    if status in (401, 403):
        user = getattr(request.state, "user", None)
        log.warning("refused %s %s for %s: %s", request.method, request.url.path,
                    user.username if user else "anonymous", error)


async def api_error_handler(request: Request, error: Exception) -> Response:
    """The API answers JSON whatever the caller accepts."""
    assert isinstance(error, OgiError)
    _log_refusal(request, error, status_of(error))
    return JSONResponse(error_body(error), status_code=status_of(error))


async def ogi_error_handler(request: Request, error: Exception) -> Response:
    assert isinstance(error, OgiError)
    status = status_of(error)
    _log_refusal(request, error, status)
    if wants_json(request):
        return JSONResponse(error_body(error), status_code=status)
    if status == 401:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    from web.templating import page

    return page(request, "error.html.j2", status_code=status, status=status, error=error_body(error),
                is_rule=isinstance(error, RuleViolation))


async def input_error_handler(request: Request, error: Exception) -> Response:
    """FastAPI's own refusal of malformed input, in the API's error shape (DESIGN §10), naming the field."""
    details = getattr(error, "errors", lambda: [])()
    first = details[0] if details else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path"))
    message = f"{where}: {first.get('msg', 'invalid input')}" if where else first.get("msg", "invalid input")
    return JSONResponse({"error": message, "rule": "input"}, status_code=422)
