"""The web's boundary for input. First line: `InputBoundary`, an ASGI middleware that refuses, before any route runs,
a path or query value with NUL, a control character or a lone surrogate or longer than its limit, a body over
MAX_BODY_BYTES (413), and a form or JSON body with such a text in any field (limits by field name, read from the
tables: workflows/requests/input_limits.py); the forms that carry scans may be larger (`body_limit`). Second line: the parameters parsed here (a moment `as_of`, a year, a page) and
the services' own checks of each field (workflows/requests/registration.py)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Path, Query
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Send

from workflows.documents.attachments import MAX_ATTACHMENT_BYTES
from workflows.foi.identifiers import InputRefused, text_problem
from workflows.requests.importer import parse_moment
from workflows.requests.input_limits import PARAMETER_MAX, check_field, check_values, limit_of

MAX_BODY_BYTES = 1_000_000  # a form or an import line's fields; an import file goes through `ogi import`
# the forms that carry scans (registration, a correction received, attachments added): a few files of at most
# MAX_ATTACHMENT_BYTES each in one body, so a file over that limit still reaches its own refusal in words
MAX_UPLOAD_BODY_BYTES = 4 * MAX_ATTACHMENT_BYTES + MAX_BODY_BYTES
# (issue 20) the applicant's own forms with scans too: the application on /apply and a correction on /my
UPLOAD_PATHS = re.compile(r"/requests/new|/requests/[^/]+/(?:attachments|correction)|/apply|/my/correction")
# the information released with a reply (workflows/documents/released.py): files of up to 50 MB, a few at a time
MAX_RELEASE_BODY_BYTES = 4 * 50 * 1024 * 1024 + MAX_BODY_BYTES
RELEASE_PATHS = re.compile(r"/requests/[^/]+/released")
# 2008: the Regulation (国务院令第492号) took effect; 2100: no report is planned a lifetime ahead
FIRST_YEAR, LAST_YEAR = 2008, 2100
MAX_PAGE = 100_000  # pages of 100 rows: ten million open requests
AS_OF_EXPECTED = "请填写日期（如 2026-12-01）或时间（如 2026-12-01T09:30）"

Year = Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR, description=f"{FIRST_YEAR}–{LAST_YEAR}")]
YearQuery = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR, description=f"{FIRST_YEAR}–{LAST_YEAR}")]
PageQuery = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"1–{MAX_PAGE}")]


def moment(text: str | None, field: str = "as_of", end_of_day: bool = False) -> dt.datetime | None:
    """A date or an ISO time (an offset is converted to Beijing time), or None when blank. A date alone is its
    start, or with `end_of_day` its last second (what the 审计 replay means by 'as of that day')."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        parsed = parse_moment(text)
    except ValueError:
        raise InputRefused(field, AS_OF_EXPECTED) from None
    if end_of_day and len(text) == 10:
        parsed = parsed.replace(hour=23, minute=59, second=59)
    return parsed


# -- the first line: a middleware before every route ------------------------------------------------------------------
Refuse = Callable[[dict, Send, int, InputRefused], Awaitable[None]]  # (scope, send, status, why)


def parameter_problem(path: str, query_string: bytes) -> InputRefused | None:
    """The first wrong path segment or query value (key or value), or None."""
    for segment in path.split("/"):
        problem = text_problem(segment, PARAMETER_MAX, multiline=False)
        if problem:
            return InputRefused("path", problem)
    for key, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        problem = text_problem(key, PARAMETER_MAX, multiline=False) or text_problem(
            value, min(limit_of(key), PARAMETER_MAX), multiline=False)
        if problem:
            return InputRefused(key[:40] if key.isprintable() else "query", problem)
    return None


def body_limit(path: str, default: int = MAX_BODY_BYTES) -> int:
    """The largest body a POST to `path` may have: an upload form's, else the default."""
    if RELEASE_PATHS.fullmatch(path):
        return max(default, MAX_RELEASE_BODY_BYTES)
    return max(default, MAX_UPLOAD_BODY_BYTES) if UPLOAD_PATHS.fullmatch(path) else default


def too_large(limit: int) -> InputRefused:
    megabytes = limit / 1024 / 1024 if limit > MAX_BODY_BYTES else limit / 1_000_000
    if limit > MAX_BODY_BYTES:
        return InputRefused("上传内容", f"一次提交的内容超过 {megabytes:.0f} MB：每个附件不超过 "
                                    f"{MAX_ATTACHMENT_BYTES // 1024 // 1024} MB，较多的附件请分几次上传")
    return InputRefused("提交内容", f"一次提交的内容超过 {megabytes:.0f} MB，请缩短所填内容")


def body_problem(content_type: str, body: bytes) -> InputRefused | None:
    """The first wrong field of a form or JSON body; a body that does not parse is left to the route to refuse."""
    try:
        if content_type.startswith("application/json"):
            try:
                parsed: Any = json.loads(body)
            except (ValueError, RecursionError):
                return None
            check_values(parsed)
        elif content_type.startswith("application/x-www-form-urlencoded"):
            for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                check_field("key", key, "(key)")
                check_field(key, value)
    except InputRefused as refused:
        return refused
    return None


async def multipart_problem(scope: dict, body: bytes) -> InputRefused | None:
    """The first wrong text field of a multipart form (registration and the other forms with scans), parsed as the route
    would parse it; a malformed one is left to the route to refuse."""

    async def whole_body() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(scope, whole_body).form()
    except HTTPException:  # Starlette's answer to a malformed multipart body
        return None
    try:
        for key, value in form.multi_items():
            check_field("key", key, "(key)")
            if isinstance(value, str):
                check_field(key, value)
    except InputRefused as refused:
        return refused
    finally:
        await form.close()
    return None


class BodyTooLarge(Exception):
    pass


class InputBoundary:
    """Refuses hostile input before routing; `refuse(scope, send, status, error)` answers in the door's shape."""

    def __init__(self, app, refuse: Refuse, max_body: int = MAX_BODY_BYTES):
        self.app, self.refuse, self.max_body = app, refuse, max_body

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = parameter_problem(scope.get("path", ""), scope.get("query_string", b""))
        if problem:
            await self.refuse(scope, send, 422, problem)
            return
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        limit = body_limit(scope.get("path", ""), self.max_body)
        try:
            body = await self._body(headers, receive, limit)
        except BodyTooLarge:
            await self.refuse(scope, send, 413, too_large(limit))
            return
        if body is None:  # the client went away
            return
        content_type = headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            problem = await multipart_problem(scope, body)
        else:
            problem = body_problem(content_type, body)
        if problem:
            await self.refuse(scope, send, 422, problem)
            return
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _body(self, headers: dict[str, str], receive, limit: int) -> bytes | None:
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                raise BodyTooLarge
            if not message.get("more_body"):
                return b"".join(chunks)
