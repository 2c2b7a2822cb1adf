"""A request's 附件: the list with each file's SHA-256 (templates/web/request_attachments.html.j2, on the request page
given `section_context`, on /requests/{id}/registered and on GET /requests/{id}/attachments), a file opened by the agency's staff (…/attachments/{n}), files added
(POST …/attachments) and a correction received with its day, content and materials (POST /requests/{id}/correction,
Art. 30). Refusals go back to the request page (post/redirect/get); files must then be chosen again."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from engine.errors import OgiError
from web.auth import services, viewer
from web.errors import error_body, status_of
from web.flash import redirect_refused
from web.templating import page
from web.uploads import scans_of
from workflows.documents.attachments import ATTACHMENT_KIND_LABELS, MAX_ATTACHMENT_BYTES, AttachmentKind
from workflows.people.accounts import User

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]
ATTACHMENTS_FORM, CORRECTION_FORM = "attachments", "correction"


@router.get("/requests/{request_id}/attachments")
def attachments(request: Request, request_id: str, user: Viewer) -> Response:
    """The 附件 section on a page of its own (the request page links to it until it shows the section itself)."""
    return page(request, "attachments.html.j2", **section_context(request, request_id, user))


def section_context(request: Request, request_id: str, user: User, history: dict | None = None) -> dict:
    """What templates/web/request_attachments.html.j2 reads to show the list and its forms; the request page passes
    the history it already folded (one fold a page)."""
    app = services(request)
    shelf = app.intake.attachments.shelf(request_id, user)
    if history is None:
        history = app.queries.history(request_id, viewer=user)
    return dict(request_id=request_id, shelf=shelf, attachments=shelf.attachments,
                awaiting_correction=history.get("state") == "awaiting_correction",
                kinds=ATTACHMENT_KIND_LABELS, max_attachment_mb=MAX_ATTACHMENT_BYTES // 1024 // 1024,
                today=app.clock.now().date().isoformat(), staff_names=app.intake.staff_names())


@router.get("/requests/{request_id}/attachments/{attachment_id}")
def attachment_file(request: Request, request_id: str, attachment_id: str, user: Viewer) -> Response:
    if not attachment_id.isdigit() or len(attachment_id) > 12:
        raise OgiError(f"附件编号“{attachment_id[:20]}”不是数字")
    found, content = services(request).intake.attachments.read(request_id, int(attachment_id), user)
    disposition = f"inline; filename*=UTF-8''{quote(found.filename)}"
    return Response(content, media_type=found.media_type,
                    headers={"Content-Disposition": disposition, "X-Content-SHA256": found.sha256})


@router.post("/requests/{request_id}/attachments")
async def add_attachments(request: Request, request_id: str, user: Viewer) -> Response:
    app = services(request)
    submitted = await request.form()
    form = {k: v for k, v in submitted.items() if isinstance(v, str)}
    kind = form.get("kind") or AttachmentKind.OTHER
    try:
        app.intake.attachments.add(request_id, await scans_of(submitted, {"files": kind}), user)
    except OgiError as error:
        if status_of(error) != 422:
            raise
        return redirect_refused(request, f"/requests/{request_id}#refusal", error_body(error), form,
                                failed=ATTACHMENTS_FORM)
    finally:
        await submitted.close()
    return RedirectResponse(f"/requests/{request_id}#attachments", status_code=303)


@router.post("/requests/{request_id}/correction")
async def receive_correction(request: Request, request_id: str, user: Viewer) -> Response:
    """Art. 30: the corrected application received — its day (default today), what was corrected, its materials."""
    app = services(request)
    submitted = await request.form()
    form = {k: v for k, v in submitted.items() if isinstance(v, str)}
    try:
        uploads = await scans_of(submitted, {"files": AttachmentKind.CORRECTION})
        app.intake.receive_correction(request_id, form.get("received_on"), form.get("content") or "", user, uploads)
    except OgiError as error:
        if status_of(error) != 422:
            raise
        return redirect_refused(request, f"/requests/{request_id}#refusal", error_body(error), form,
                                failed=CORRECTION_FORM)
    finally:
        await submitted.close()
    return RedirectResponse(f"/requests/{request_id}", status_code=303)
