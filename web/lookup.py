"""The applicant's progress lookup `/lookup` (DESIGN §10): request id + 查询码 from the receipt; state, dates and
served documents of that request only, nothing personal; rate-limited per address and per request id
(web/lookup_limit.py)."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.auth import services
from web.lookup_limit import LimiterUnavailable, LookupLimiter
from web.templating import page

router = APIRouter(include_in_schema=False)

LONGEST_REQUEST_ID = 200  # the column's width: a longer id is no request's
_making = threading.Lock()


def limiter(request: Request) -> LookupLimiter:
    """One limiter per app, made on first use (in Redis when OGI_REDIS_URL is set: shared by every process)."""
    state = request.app.state
    with _making:
        if getattr(state, "lookup_limiter", None) is None:
            state.lookup_limiter = LookupLimiter.from_environment()
    return state.lookup_limiter


@router.get("/lookup")
def lookup_form(request: Request) -> Response:
    return page(request, "lookup.html.j2", found=None, error=None, request_id="")


@router.post("/lookup")
def lookup(request: Request, request_id: Annotated[str, Form()], query_code: Annotated[str, Form()]) -> Response:
    address = request.client.host if request.client else "?"
    request_id = request_id.strip()
    try:
        allowed = limiter(request).allow(address, request_id)
    except LimiterUnavailable:
        return page(request, "lookup.html.j2", found=None, request_id="", status_code=503,
                    error="查询服务暂时不可用，请稍后再试。")
    if not allowed:
        return page(request, "lookup.html.j2", found=None, request_id=request_id[:LONGEST_REQUEST_ID], status_code=429,
                    error="查询过于频繁，请十分钟后再试。")
    found = None
    if len(request_id) <= LONGEST_REQUEST_ID and len(query_code) <= 40 and "\x00" not in request_id + query_code:
        found = services(request).documents.progress(request_id, query_code.strip())
    if found is None:
        return page(request, "lookup.html.j2", found=None, request_id=request_id[:LONGEST_REQUEST_ID], status_code=404,
                    error="申请编号或查询码不正确。")
    return page(request, "lookup.html.j2", found=found, request_id=request_id, error=None)
