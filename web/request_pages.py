"""The request page (/requests/{id}): its history, deadlines and the steps allowed now, and the steps taken from it."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from engine.errors import OgiError
from web.attachment_pages import section_context
from web.auth import services, viewer
from web.errors import error_body, status_of
from web.flash import redirect_refused, take_refusal
from web.released_pages import released_section
from web.replay import READING, moment_words, replay_moment
from web.templating import page
from workflows.foi.commands import ConfirmReceipt
from workflows.foi.documents import DOCUMENT_TITLES, SERVICE_METHODS
from workflows.foi.vocabulary import (
    OUTCOME_SHORT_LABELS,
    PROVISION_FORM_LABELS,
    SERVICE_METHOD_LABELS,
    SUSPENSION_LABELS,
    label,
)
from workflows.people.accounts import User
from workflows.requests.step_forms import command_from

router = APIRouter(include_in_schema=False)
Viewer = Annotated[User, Depends(viewer)]


# -- the request page ----------------------------------------------------------------------------------------------
@router.get("/requests/{request_id}")
def request_page(request: Request, request_id: str, user: Viewer, as_of: str | None = None) -> Response:
    refused = take_refusal(request)  # a step refused a moment ago (post/redirect/get): shown once, values kept
    if refused is None:
        return _request_page(request, request_id, user, as_of)
    return _request_page(request, request_id, user, as_of, error=refused.error, failed_step=refused.failed,
                         values=refused.values)


def _request_page(request: Request, request_id: str, user: User, as_of: str | None = None, error: dict | None = None,
                  failed_step: str | None = None, values: dict | None = None) -> Response:
    moment = replay_moment(as_of)  # a date (its end), or an ISO time; anything else is refused naming as_of
    view = services(request).queries.view(request_id, user, as_of=moment)  # the log read and folded once
    history = view.history
    received = history["events"][0]["payload"]  # the application as received (Art. 29)
    words = {  # the codes of the history in words (the history JSON itself stays as machines read it)
        "agency": view.names.agency(history["agency"]),
        "department": view.names.department(history["department"]) if history["department"] else "",
        "outcome": label(OUTCOME_SHORT_LABELS, history["outcome"]) if history["outcome"] else "",
        "form_requested": (label(PROVISION_FORM_LABELS, received["form_requested"])
                           if received.get("form_requested") else ""),
        "suspensions": {s.reason: label(SUSPENSION_LABELS, s.reason, "中止")
                        for s in (view.explained.suspensions if view.explained else ())},
    }
    return page(request, "request.html.j2", h=history, explained=view.explained, words=words,
                narrated=view.narrated, approval_words=view.approval_words,
                names=view.names, service_method_labels=SERVICE_METHOD_LABELS,  # also for the 文书 section
                next_steps=[s for s in view.steps if s.primary], other_steps=[s for s in view.steps if not s.primary],
                steps=view.steps, may_act=view.may_act, error=error, failed_step=failed_step,
                values=values or {}, titles=DOCUMENT_TITLES, service_methods=SERVICE_METHODS,
                document_types=list(DOCUMENT_TITLES), outcomes=OUTCOME_SHORT_LABELS, as_of=as_of,
                as_of_words=moment_words(as_of), replay_reading=READING, consulted=_consulted(history),
                **_attachments_section(request, request_id, user, view.history, replaying=as_of is not None),
                **_released(request, request_id, user, history, replaying=as_of is not None))


def _released(request: Request, request_id: str, user: User, history: dict, replaying: bool) -> dict:
    """The 提供的信息文件 section's context, without the request id the attachments' section already gives."""
    section = released_section(request, request_id, user, replaying=replaying, history=history)
    section.pop("request_id", None)
    return section


def _consulted(history: dict) -> dict:
    """The latest consultation started (not voided), as recorded: its party, party_name and party_address prefill
    the 征求意见书's addressee in the draft form (Art. 32, 34)."""
    return next((e["payload"] for e in reversed(history["events"])
                 if e["type"] == "consultation_started" and not e["withdrawn_by"]), {})


def _attachments_section(request: Request, request_id: str, user: User, history: dict, replaying: bool) -> dict:
    """The 附件 list and its forms on the page itself; a replay is read-only, so it shows the list without forms."""
    section = section_context(request, request_id, user, history)
    if replaying:
        section["shelf"] = dataclasses.replace(section["shelf"], may_add=False)
    return section


@router.post("/requests/{request_id}/steps/{command}")
async def take_step(request: Request, request_id: str, command: str, user: Viewer) -> Response:
    app = services(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        if command == ConfirmReceipt.name:  # Art. 31(3): with the 登记回执 an online application gets then
            app.intake.confirm_from(request_id, form, user)
        else:
            app.requests.act(request_id, lambda now: command_from(command, form, now), user)
    except OgiError as refused:
        if status_of(refused) != 422:  # the law's refusal is shown on the page; 403/404/409 are errors
            raise
        return redirect_refused(request, f"/requests/{request_id}#refusal", error_body(refused), form,
                                failed=command)
    return RedirectResponse(f"/requests/{request_id}", status_code=303)
