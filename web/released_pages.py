"""The information's files given to the applicant (提供的信息文件, issue 20): the list with each file's SHA-256
(templates/web/request_released.html.j2, on the request page given `released_section`, and on GET
/requests/{id}/released), files released by the agency's staff (POST …/released, one `release_files` step) and a
file downloaded by them (…/released/{sha256}). Refusals come back to the list (post/redirect/get); the files must
then be chosen again.

A download is always an attachment with `nosniff`: the files are of any type (workflows/documents/released.py), and
one that is markup must never open as a page of this site."""

from __future__ import annotations

import dataclasses
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from engine.errors import OgiError
from web.auth import services, viewer
from web.errors import error_body, status_of
from web.flash import redirect_refused, take_refusal
from web.templating import page
from web.uploads import scans_of
from workflows.documents.released import MAX_RELEASED_BYTES
from workflows.people.accounts import User

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]
RELEASE_FORM = "released"


def released_section(request: Request, request_id: str, user: User, replaying: bool = False,
                     history: dict | None = None) -> dict:
    """What templates/web/request_released.html.j2 reads; a replay is read-only, so it shows the list alone.
    `history`: the page's history already folded (the request page), so the request is not folded again."""
    released = services(request).released
    shelf = released.shelf_of(history, user) if history is not None else released.shelf(request_id, user)
    if replaying:
        shelf = dataclasses.replace(shelf, may_add=False)
    return dict(request_id=request_id, released=shelf.files, released_shelf=shelf,
                max_released_mb=MAX_RELEASED_BYTES // 1024 // 1024)


@router.get("/requests/{request_id}/released")
def released_page(request: Request, request_id: str, user: Viewer) -> Response:
    """The section on a page of its own (the request page links to it until it shows the section itself)."""
    refused = take_refusal(request)
    return page(request, "released.html.j2", error=refused.error if refused else None,
                **released_section(request, request_id, user))


@router.get("/requests/{request_id}/released/{sha256}")
def released_file(request: Request, request_id: str, sha256: str, user: Viewer) -> Response:
    found, content = services(request).released.read(request_id, sha256, user)
    return Response(content, media_type=found.media_type or "application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}",
                             "X-Content-Type-Options": "nosniff", "X-Content-SHA256": found.sha256})


@router.post("/requests/{request_id}/released")
async def release_files(request: Request, request_id: str, user: Viewer) -> Response:
    app = services(request)
    submitted = await request.form()
    form = {k: v for k, v in submitted.items() if isinstance(v, str)}
    try:
        app.released.release(request_id, await scans_of(submitted, {"files": "other"}), user)
    except OgiError as error:
        if status_of(error) != 422:
            raise
        return redirect_refused(request, f"/requests/{request_id}/released#refusal", error_body(error), form,
                                failed=RELEASE_FORM)
    finally:
        await submitted.close()
    return RedirectResponse(f"/requests/{request_id}/released#released", status_code=303)
