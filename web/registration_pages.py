"""登记 (DESIGN §10, /requests/new): a request received at the 受理窗口 — its received date (back-entry), the applicant's
contacts, the form and the way they want the information (Art. 29 ¶2(3), 40), the scans it came with — registered
with its 登记回执 and 查询码 issued at once (workflows/documents/intake.py); then /requests/{id}/registered shows the
receipt to print. A refused registration goes back to the form with every typed value (post/redirect/get); files
are never carried back, and the page says they must be chosen again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from engine.errors import OgiError
from web.attachment_pages import section_context
from web.auth import services, viewer
from web.errors import error_body, status_of
from web.flash import redirect_refused, take_refusal
from web.templating import page
from web.uploads import scans_of
from workflows.documents.attachments import (
    ATTACHMENT_KIND_LABELS,
    MAX_ATTACHMENT_BYTES,
    AttachmentKind,
)
from workflows.foi.obtaining import OBTAIN_METHOD_LABELS
from workflows.foi.vocabulary import APPLICANT_LABELS, CHANNEL_LABELS, PROVISION_FORM_LABELS
from workflows.people.accounts import Role, User

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]
# the file inputs of the form, one per kind of scan (each may hold several files)
SCAN_FIELDS: dict[str, str] = {f"scan_{kind.value}": kind.value for kind in
                               (AttachmentKind.APPLICATION, AttachmentKind.IDENTITY, AttachmentKind.OTHER)}
FORM = "registration"


# -- registration --------------------------------------------------------------------------------------------------
@router.get("/requests/new")
def new_request_form(request: Request, user: Viewer) -> Response:
    user.require_write("register requests")
    refused = take_refusal(request)
    app = services(request)
    return page(request, "new_request.html.j2", values=refused.values if refused else {},
                error=refused.error if refused else None, refused=refused,
                today=app.clock.now().date().isoformat(), **_registration_choices(request, user))


@router.post("/requests/new")
async def register(request: Request, user: Viewer) -> Response:
    app = services(request)
    user.require_write("register requests")
    submitted = await request.form()
    form = {k: v for k, v in submitted.items() if isinstance(v, str)}
    try:
        if not form.get("agency"):
            raise OgiError("请选择受理机关")
        registered = app.intake.register(form, user, await scans_of(submitted, SCAN_FIELDS))
    except OgiError as error:
        if status_of(error) != 422:
            raise
        return redirect_refused(request, "/requests/new#refusal", error_body(error), form, failed=FORM)
    finally:
        await submitted.close()
    return RedirectResponse(f"/requests/{registered.request_id}/registered", status_code=303)


@router.get("/requests/{request_id}/registered")
def registered_page(request: Request, request_id: str, user: Viewer) -> Response:
    """The window's answer: the request id, the receipt's number and 查询码, the receipt to print, the scans kept."""
    app = services(request)
    documents = app.documents.documents(request_id, viewer=user)
    receipt = next((d for d in reversed(documents) if d.type == "receipt" and d.number), None)
    query_code = app.intake.query_code(request_id) if receipt else None
    return page(request, "registered.html.j2", receipt=receipt, query_code=query_code,
                **section_context(request, request_id, user))


def _registration_choices(request: Request, user: User) -> dict:
    app = services(request)
    names = {a.slug: a.name for a in app.directory.agencies()}
    mine = sorted(names) if user.role == Role.ADMIN else sorted(user.agencies)
    return dict(agencies={slug: names.get(slug, slug) for slug in mine}, kinds=APPLICANT_LABELS,
                channels=CHANNEL_LABELS, forms=PROVISION_FORM_LABELS, obtain_methods=OBTAIN_METHOD_LABELS,
                scan_fields={name: ATTACHMENT_KIND_LABELS[kind] for name, kind in SCAN_FIELDS.items()},
                max_attachment_mb=MAX_ATTACHMENT_BYTES // 1024 // 1024)
