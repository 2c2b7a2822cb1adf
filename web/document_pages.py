"""A request's documents from its page: draft, approve, issue, serve (DESIGN §9), and each one as HTML, DOCX or PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from engine.errors import OgiError
from web.auth import services, viewer
from web.errors import error_body, status_of
from web.flash import redirect_refused
from workflows.people.accounts import User

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]


# -- documents ----------------------------------------------------------------------------------------------------
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
        return redirect_refused(request, f"/requests/{request_id}#refusal", error_body(refused), form,
                                failed=f"doc:{doc_type}")
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
