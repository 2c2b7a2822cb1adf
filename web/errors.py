"""Errors as DESIGN §10 fixes them: JSON `{"error", "rule"}` with 401/403/404/409/422 for the API; pages say it in
Chinese only, with the site's navigation for a signed-in user (the input boundary's page too, which answers before
any route has looked at the session). A page asked for without a session goes to the login page, keeping the form
that was being sent (web/expired_session.py). Every refusal is logged for the security log."""

from __future__ import annotations

import logging
import re
import secrets
import traceback

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from engine.errors import ConcurrencyConflict, NotFound, OgiError, PermissionDenied, RuleViolation, TooManyAttempts
from workflows.foi.citations import cite
from workflows.foi.field_names import FIELD_NAMES
from workflows.foi.identifiers import InputRefused
from workflows.requests.step_forms import FIELD_LABELS

log = logging.getLogger("ogi.security")
errors_log = logging.getLogger("ogi.web.errors")


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
    if isinstance(error, TooManyAttempts):
        return 429
    return 422  # a step the law refuses (RuleViolation) or input that is wrong


def error_body(error: OgiError) -> dict:
    """`error` for people (the refusal and its citation, 依据《条例》第三十条), `rule` the code machines read."""
    message = str(error)
    rule = getattr(error, "rule", None)
    if rule and message.endswith(f" [{rule}]"):
        message = message[: -len(rule) - 3]
    citation = cite(rule)
    if citation and citation not in message:
        message = f"{message}（依据：{citation}）"
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
        from web.expired_session import sign_in_again

        return await sign_in_again(request)
    from web.templating import page

    body = error_body(error)
    return page(request, error_template(request), status_code=status, status=status,
                error={**body, "error": for_people(body["error"])}, is_rule=isinstance(error, RuleViolation))


_VALIDATION_WORDS = {  # pydantic's error types in the words of the pages
    "missing": "必须填写", "int_parsing": "请填写整数", "int_from_float": "请填写整数", "bool_parsing": "请填写“是”或“否”",
    "float_parsing": "请填写数字", "greater_than_equal": "不能小于 {ge}", "less_than_equal": "不能大于 {le}",
    "greater_than": "必须大于 {gt}", "less_than": "必须小于 {lt}", "string_too_long": "太长",
    "json_invalid": "不是有效的 JSON", "dict_type": "应为 JSON 对象", "model_attributes_type": "应为 JSON 对象",
}


# the fields a person types, by the name of their form field: the steps' own labels (workflows/requests/step_forms.py),
# then these few only pages have, then the refusals' names (workflows/foi/field_names.py, in field_words)
FIELD_WORDS = {**FIELD_LABELS, "query_code": "查询码", "body": "提交的内容", "key": "字段名", "(key)": "字段名",
               "units": "数量", "fee_method": "收费方式"}
_ENGLISH_ASIDE = re.compile(r"\s*\((?=[^()]*[A-Za-z]{2})[^()\u3400-\u9fff\uff08\uff09]*\)")


_MACHINE_NAME = re.compile(r"([\u3400-\u9fff]*)（([a-z_][a-z0-9_.]*)）")  # 申请人姓名（applicant.name）, 字段（as_of）


def _named_for_people(match: re.Match) -> str:
    label, name = match.group(1), match.group(2)
    return field_words(name) if label in ("", "字段") else label


def for_people(text: str) -> str:
    """A message for a page: the English aside some messages still carry ("… (at most 100 characters)") and the
    machine name after a field's label (the CLI's and the API's) left out; a field known only by that name named."""
    return _MACHINE_NAME.sub(_named_for_people, _ENGLISH_ASIDE.sub("", text)).strip()


def field_words(name: str) -> str:
    """The field as a page names it: a step form's label, else the refusals' (field_names.py); a name that is already
    words (上传内容) as it is; a field no form has (a hand-made request's) as 提交的内容, never its machine name."""
    if re.search(r"[\u3400-\u9fff]", name) or not re.search(r"[A-Za-z]", name):
        return name or "提交的内容"
    last = re.sub(r"\[\d+\]$", "", name.rsplit(".", 1)[-1])
    if last.endswith("(key)"):
        return "字段名"
    return FIELD_WORDS.get(name) or FIELD_WORDS.get(last) or FIELD_NAMES.get(name) or FIELD_NAMES.get(last) or "提交的内容"


def _validation_message(error: Exception) -> tuple[str, str]:
    """(field, message) of FastAPI's first refusal, in Chinese (pydantic's English words are not shown)."""
    details: list[dict] = getattr(error, "errors", lambda: [])()
    first = details[0] if details else {}
    loc = tuple(first.get("loc", ()))
    where = ".".join(str(part) for part in loc if part not in ("body", "query", "path")) or ".".join(map(str, loc))
    words = _VALIDATION_WORDS.get(first.get("type", ""), "格式不对")
    try:
        words = words.format(**(first.get("ctx") or {}))
    except (KeyError, IndexError):
        words = "格式不对"
    return where, words


async def input_error_handler(request: Request, error: Exception) -> Response:
    """FastAPI's own refusal of malformed input, in the API's error shape (DESIGN §10), naming the field; a page
    answers the Chinese error page."""
    where, message = _validation_message(error)
    if wants_json(request):  # the API names the field by its key, which its caller sends
        return JSONResponse({"error": f"{where}：{message}" if where else message, "rule": "input"}, status_code=422)
    from web.templating import page

    text = f"{field_words(where)}：{message}" if where else message
    return page(request, error_template(request), status_code=422, status=422, error={"error": text, "rule": "input"},
                is_rule=False)


_HTTP_WORDS = {400: "请求无法处理，请返回上一页重试。", 404: "没有这个页面，请检查网址。",
               405: "此页面不能这样打开，请从页面上的链接或按钮进入。", 413: "提交的内容过大。"}


async def http_error_handler(request: Request, error: Exception) -> Response:
    """Starlette's own answers (no route: 404, wrong method: 405) in the shape of every other refusal."""
    status = getattr(error, "status_code", 400)
    body = {"error": _HTTP_WORDS.get(status, "请求无法处理，请返回上一页重试。"), "rule": "http"}
    if wants_json(request):
        return JSONResponse(body, status_code=status, headers=getattr(error, "headers", None))
    from web.templating import page

    return page(request, error_template(request), status_code=status, status=status, error=body, is_rule=False)


def _with_session(request: Request) -> None:
    """Who is signed in, for the page's navigation: the boundary answers before any route has asked."""
    from web.auth import SESSION_COOKIE

    services = getattr(getattr(request.scope.get("app"), "state", None), "services", None)
    cookie = request.cookies.get(SESSION_COOKIE)
    if services is None or not cookie or len(cookie) > 200:
        return
    try:
        session = services.web.session(cookie)
    except Exception:  # the page must still answer (the database may be the trouble)
        errors_log.exception("the session behind a refused input could not be read")
        return
    if session is not None:
        request.state.session, request.state.user = session, session.user


APPLICANT_PATHS = ("/apply", "/my")  # the applicant's own pages (issue 20): their refusals in the portal's look


def error_template(request: Request) -> str:
    """The error page of the pages' kind: the applicant's portal, or the staff site."""
    path = request.url.path
    return "portal/error.html.j2" if any(path == p or path.startswith(p + "/") for p in APPLICANT_PATHS) \
        else "error.html.j2"


async def refuse_input(scope: dict, send, status: int, error: InputRefused) -> None:
    """The answer of web/inputs.py's boundary, before any route: JSON for the API, the Chinese page otherwise."""
    request = Request(scope)
    log.warning("input refused %s %s: %s", request.method, request.url.path[:200], error.field)
    if wants_json(request):
        response: Response = JSONResponse({"error": str(error), "rule": "input"}, status_code=status)
    else:
        from web.templating import page

        _with_session(request)
        words = "提交的内容过大，请删减后重新提交。" if status == 413 else \
            f"{field_words(error.field)}：{for_people(error.problem)}"
        response = page(request, error_template(request), status_code=status, status=status,
                        error={"error": words, "rule": "input"}, is_rule=False)
    await response(scope, request.receive, send)


class LastResort:
    """Any exception no handler took: a Chinese 500 page (JSON for the API) with an error id, and the traceback in
    the log under that id, without the exception's message (a database error quotes the statement's parameters:
    an applicant's name) and without the request's body or query. Nothing is re-raised, so the server logs nothing
    more."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:  # the last resort: every other refusal has its handler
            error_id = secrets.token_hex(6)
            frames = "".join(traceback.format_tb(error.__traceback__))
            errors_log.error("internal error %s on %s %s: %s (message withheld)\n%s", error_id, scope.get("method"),
                             str(scope.get("path", ""))[:200], type(error).__name__, frames)
            if started:
                return
            request = Request(scope)
            body = {"error": f"服务器内部错误，错误编号 {error_id}（已记录，请告知管理员）。", "rule": "internal"}
            if wants_json(request):
                response: Response = JSONResponse(body, status_code=500)
            else:
                from web.templating import page

                response = page(request, error_template(request), status_code=500, status=500, error=body, is_rule=False)
            response.headers["X-Error-Id"] = error_id
            await response(scope, receive, send)
