"""The applicant's progress lookup `/lookup`: request id + 查询码 from the receipt, typed as people type them
(web/lookup_input.py); the stage, dates, the outcome and the documents sent to the applicant of that request only
(workflows/documents/progress.py), nothing personal; every attempt, and every download, counted per address and per
request id (web/lookup_limit.py).

Post/redirect/get: the POST answers 303 to /lookup. A code that opens the request rides in a signed cookie for
LOOKUP_MINUTES (web/signed_cookies.py), so the page can be reloaded and its documents downloaded
(/lookup/documents/N.pdf opens nothing without that cookie: no link to guess); a refusal rides in another, shown once.
"""

from __future__ import annotations

import subprocess
import threading
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from engine.errors import OgiError
from web.auth import client_address, services
from web.lookup_input import LONGEST_REQUEST_ID, fits, typed_query_code, typed_request_id
from web.lookup_limit import LimiterUnavailable, LookupLimiter
from web.signed_cookies import forget, pack, set_signed, unpack
from web.templating import page

router = APIRouter(include_in_schema=False)

LOOKUP_MINUTES = 30
LOOKUP_COOKIE, REFUSAL_COOKIE = "ogi_lookup", "ogi_lookup_refusal"
WRONG = "申请编号或查询码不正确，请核对登记回执。"
TOO_OFTEN = "查询过于频繁，请十分钟后再试。"
UNAVAILABLE = "查询服务暂时不可用，请稍后再试。"
NO_SUCH_DOCUMENT = "没有这份文书，或本次查询已超过 30 分钟，请重新查询。"
NO_PDF = "暂时无法生成这份文书的 PDF 文件，请稍后再试，或联系受理机关。"
_making = threading.Lock()


def limiter(request: Request) -> LookupLimiter:
    """One limiter per app, made on first use (in Redis when OGI_REDIS_URL is set: shared by every process)."""
    state = request.app.state
    with _making:
        if getattr(state, "lookup_limiter", None) is None:
            state.lookup_limiter = LookupLimiter.from_environment()
    return state.lookup_limiter


def _refused(request: Request, message: str, status: int, request_id: str = "") -> RedirectResponse:
    response = RedirectResponse("/lookup", status_code=303)
    body = {"error": message, "status": status, "request_id": request_id[:LONGEST_REQUEST_ID]}
    set_signed(response, REFUSAL_COOKIE, pack(request, "lookup refusal", body, 300), 300)
    return response


def _counted(request: Request, request_id: str) -> RedirectResponse | None:
    """A refusal when this attempt is one too many (or the counts cannot be reached), else None (counted)."""
    try:
        allowed = limiter(request).allow(client_address(request), request_id)
    except LimiterUnavailable:
        return _refused(request, UNAVAILABLE, 503)
    return None if allowed else _refused(request, TOO_OFTEN, 429, request_id)


def _opened(request: Request) -> tuple[str, str] | None:
    body = unpack(request, "lookup", request.cookies.get(LOOKUP_COOKIE))
    if body is None or not isinstance(body.get("id"), str) or not isinstance(body.get("code"), str):
        return None
    return body["id"], body["code"]


@router.get("/lookup")
def lookup_page(request: Request) -> Response:
    refusal = unpack(request, "lookup refusal", request.cookies.get(REFUSAL_COOKIE))
    opened = _opened(request)  # a refused download still shows the request it was for
    found = services(request).progress.view(*opened) if opened else None
    if refusal is not None:
        carried = refusal.get("status")
        status = carried if isinstance(carried, int) and carried in (404, 429, 503) else 404
        response = page(request, "lookup.html.j2", found=found, error=str(refusal.get("error", WRONG)),
                        request_id=str(refusal.get("request_id", "")), status_code=status)
    else:
        response = page(request, "lookup.html.j2", found=found, error=None,
                        request_id=found.request_id if found else "")
    forget(response, REFUSAL_COOKIE)  # shown once
    if opened and found is None:
        forget(response, LOOKUP_COOKIE)
    return response


@router.post("/lookup")
def lookup(request: Request, request_id: Annotated[str, Form()] = "", query_code: Annotated[str, Form()] = "") -> Response:
    request_id, query_code = typed_request_id(request_id), typed_query_code(query_code)
    too_many = _counted(request, request_id)
    if too_many is not None:
        forget(too_many, LOOKUP_COOKIE)
        return too_many
    found = None
    if fits(request_id, query_code):
        found = services(request).progress.view(request_id, query_code)
    if found is None:
        response = _refused(request, WRONG, 404, request_id)
        forget(response, LOOKUP_COOKIE)
        return response
    response = RedirectResponse("/lookup#result", status_code=303)
    opened = pack(request, "lookup", {"id": found.request_id, "code": query_code}, LOOKUP_MINUTES * 60)
    set_signed(response, LOOKUP_COOKIE, opened, LOOKUP_MINUTES * 60)
    return response


@router.post("/lookup/forget")
def end_lookup(request: Request) -> Response:
    """结束查询: the browser forgets the code (on a shared computer)."""
    response = RedirectResponse("/lookup", status_code=303)
    forget(response, LOOKUP_COOKIE)
    forget(response, REFUSAL_COOKIE)
    return response


@router.get("/lookup/documents/{position}.pdf")
def sent_document(request: Request, position: str) -> Response:
    """A document sent to the applicant, as PDF: only with the cookie of a lookup that opened its request."""
    opened = _opened(request)
    if opened is None or not position.isdigit() or len(position) > 6:
        return _refused(request, NO_SUCH_DOCUMENT, 404)
    too_many = _counted(request, opened[0])  # each download renders a PDF: counted like a lookup
    if too_many is not None:
        return too_many
    from workflows.documents.rendering import RENDERERS

    try:
        sent = services(request).progress.sent_file(*opened, int(position), RENDERERS["pdf"])
    except (OgiError, OSError, subprocess.SubprocessError):  # no LibreOffice, or it failed: say so, never a 500
        return _refused(request, NO_PDF, 503, opened[0])
    if sent is None:
        return _refused(request, NO_SUCH_DOCUMENT, 404, opened[0])
    disposition = f"attachment; filename=\"document-{position}.pdf\"; filename*=UTF-8''{quote(sent.filename)}"
    return Response(sent.content, media_type="application/pdf", headers={"Content-Disposition": disposition})
