"""A request's documents from its page: draft, edit, approve, issue, serve (DESIGN §9), and each one as HTML, DOCX or
PDF. The draft form's choices (the Art. 29 items, the forms of Art. 40) are the template global `document_form`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from engine.errors import NotFound, OgiError
from web.auth import services, viewer
from web.errors import error_body, status_of
from web.flash import redirect_refused, take_refusal
from web.templating import page, templates
from workflows.documents.drafting import CORRECTION_ITEMS
from workflows.foi.documents import DOCUMENT_TITLES, STATE_WORDS, DocumentType
from workflows.foi.vocabulary import PROVISION_FORM_LABELS, SERVICE_METHOD_LABELS
from workflows.people.accounts import User

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]
MULTIPLE = ("missing",)  # checkboxes: every value sent, joined
templates.env.globals["document_form"] = {"correction_items": CORRECTION_ITEMS,
                                          "provision_forms": PROVISION_FORM_LABELS,
                                          "service_methods": SERVICE_METHOD_LABELS, "titles": DOCUMENT_TITLES,
                                          "states": STATE_WORDS}


async def _form(request: Request) -> dict[str, str]:
    sent = await request.form()
    form = {k: v for k, v in sent.items() if isinstance(v, str)}
    for name in MULTIPLE:
        form[name] = ",".join(v for v in sent.getlist(name) if isinstance(v, str))
    return form


# -- documents ----------------------------------------------------------------------------------------------------
@router.post("/requests/{request_id}/documents/{doc_type}/{step}")
async def document_step(request: Request, request_id: str, doc_type: str, step: str, user: Viewer) -> Response:
    app = services(request)
    form = await _form(request)
    doc_type = form.get("doc_type", "") if doc_type == "_" else doc_type  # the draft form chooses the type
    try:
        app.documents.take_step(request_id, doc_type, step, form, user)
    except OgiError as refused:
        if status_of(refused) != 422:  # the law's refusal is shown on the page; 403/404/409 are errors
            raise
        back = f"/requests/{request_id}/documents/{doc_type}/edit" if step == "edit" else f"/requests/{request_id}"
        return redirect_refused(request, f"{back}#refusal", error_body(refused), form, failed=f"doc:{doc_type}")
    return RedirectResponse(f"/requests/{request_id}#documents", status_code=303)


@router.get("/requests/{request_id}/documents/{doc_type}/edit")
def document_edit_page(request: Request, request_id: str, doc_type: str, user: Viewer) -> Response:
    """The draft's text in a form: edited before a head approves it; the edit is recorded as a redraft."""
    app = services(request)
    if doc_type not in set(DocumentType):
        raise NotFound(f"没有“{doc_type[:40]}”这种文书")
    state, found, agency = app.documents.find(request_id, doc_type, viewer=user)
    refused = take_refusal(request)
    text = refused.values.get("text", found.text) if refused else found.text
    return page(request, "document_edit.html.j2", request_id=request_id, document=found, text=text,
                error=refused.error if refused else None, subject=state.subject)


@router.get("/requests/{request_id}/documents/{number}.{fmt}")
def document_file(request: Request, request_id: str, number: str, fmt: str, user: Viewer) -> Response:
    app = services(request)
    state, found, agency = app.documents.find(request_id, number, viewer=user)
    from workflows.documents.rendering import RENDERERS

    if fmt not in RENDERERS:
        raise OgiError(f"文书格式须为 HTML、DOCX 或 PDF，不能是“{fmt[:20]}”")
    media = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}[fmt]
    return Response(RENDERERS[fmt](found, agency), media_type=media)
