"""The JSON API under /api/v1 (DESIGN §10), with its OpenAPI at /api/v1/openapi.json. Token (`Authorization: Bearer`)
or the session cookie with its CSRF token; errors `{"error", "rule"}` with 401/403/404/409/422."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, get_type_hints

from fastapi import Body, Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, create_model

from bootstrap import App
from engine.errors import OgiError
from web import api_online
from web.auth import viewer
from web.errors import LastResort, api_error_handler, input_error_handler
from web.inputs import PageQuery, Year
from workflows.people.accounts import User
from workflows.readmodels.tasks import TaskView
from workflows.requests.step_forms import command_from, happened_at

Viewer = Annotated[User, Depends(viewer)]


class ErrorOut(BaseModel):
    error: str
    rule: str


def _json_model(view: type, name: str, leave_out: frozenset[str] = frozenset()) -> type[BaseModel]:
    """The response model of a read model's view, field for field in its order, a date given as ISO text (as
    the view's `as_dict` gives it): the fields are defined once, on the view."""
    as_json: dict[Any, Any] = {dt.date: str, dt.date | None: str | None}
    fields: dict[str, Any] = {field: (as_json.get(kind, kind), ...)  # every field required, as in the view
                              for field, kind in get_type_hints(view).items() if field not in leave_out}
    return create_model(name, **fields)


TaskOut = _json_model(TaskView, "TaskOut", leave_out=frozenset({"label"}))  # the JSON of DESIGN §8 has no label


class QueueRowOut(BaseModel):
    request_id: str
    agency: str
    stage: str
    stage_label: str
    received_on: str | None
    reply_due: str | None
    applicant: str
    flags: str


class ApprovalOut(BaseModel):
    """One item of the 审批 list (workflows/documents/approvals.py): an extension or void asked for by staff, or a draft."""

    id: str
    request_id: str
    agency: str
    kind: str
    label: str
    article: str
    step: dict[str, Any]
    reason: str
    requested_by: str | None
    requested_on: str
    due: str | None


class ApprovalIn(BaseModel):
    reason: str = Field(default="", max_length=2000, description="审批意见 (required to reject)")


class ApprovalDecisionOut(BaseModel):
    id: str
    request_id: str
    decision: str
    opinion: str
    approver: str


ERRORS: dict[int | str, dict[str, Any]] = {status: {"model": ErrorOut} for status in (401, 403, 404, 409, 413, 422)}


def _register(services: App, user: User, body: dict[str, Any]) -> dict:
    """Registered now (DESIGN §10) with its 登记回执 issued at once (workflows/documents/intake.py): the history JSON
    with the receipt among its documents, and the receipt's `query_code` beside it."""
    user.require_write("register requests")
    for refused in ("events", "received_at", "received_on"):
        if refused in body:
            raise OgiError(f"此处不接受“{refused}”：申请按当下登记；补录以前收到的申请请用登记页面，历史案卷请导入")
    if not body.get("agency"):
        raise OgiError("请填写受理机关")
    registered = services.intake.register(body, user)
    history = services.queries.history(registered.request_id, viewer=user)
    return {**history, "query_code": registered.query_code} if registered.query_code else history


def create_api(services: App) -> FastAPI:
    api = FastAPI(title="ogi API", version="1", openapi_url="/openapi.json", docs_url=None, redoc_url=None,
                  responses=ERRORS)
    api.state.services = services
    api.add_exception_handler(OgiError, api_error_handler)
    api.add_exception_handler(RequestValidationError, input_error_handler)
    api.add_middleware(LastResort)  # the mounted API answers its own 500 in JSON (web/errors.py)

    @api.get("/requests", response_model=list[QueueRowOut])
    def list_requests(user: Viewer, agency: str | None = None, state: str | None = None, page: PageQuery = 1) -> list[dict]:
        rows = services.queries.queue_of(user, agency, page=page)
        rows = [r for r in rows if state is None or r["stage"] == state]
        return [{**r, "received_on": r["received_on"].isoformat() if r["received_on"] else None} for r in rows]

    @api.post("/requests", status_code=201)
    def register(user: Viewer, body: Annotated[dict[str, Any], Body()]) -> dict:
        """An import line's fields without `events` and `received_at`; registered now. 201 with the history JSON."""
        return _register(services, user, body)

    @api.get("/requests/{request_id}")
    def request_history(user: Viewer, request_id: str) -> dict:
        return services.queries.history(request_id, viewer=user)

    _step_routes(api, services)
    api_online.add_online_routes(api, services)  # /applications, /payments/callback (issue 20)

    @api.get("/tasks", response_model=list[TaskOut])  # type: ignore[valid-type]  # a model built at import
    def tasks(user: Viewer, mine: bool = False) -> list[dict]:
        return [t.as_dict() for t in services.tasks.listing(user, mine=mine)]

    @api.get("/approvals", response_model=list[ApprovalOut])
    def approvals(user: Viewer) -> list[dict]:
        """What waits for the signed-in head or administrator (DESIGN §9); 403 for other roles."""
        return [p.as_dict() for p in services.approvals.listing(user)]

    @api.post("/approvals/{approval_id}/approve", response_model=ApprovalDecisionOut)
    def approve(user: Viewer, approval_id: str, body: Annotated[ApprovalIn | None, Body()] = None) -> dict:
        """Grant it as the signed-in approver: the step asked for is recorded with him as its approver."""
        return services.approvals.approve(approval_id, user, (body or ApprovalIn()).reason).as_dict()

    @api.post("/approvals/{approval_id}/reject", response_model=ApprovalDecisionOut)
    def reject(user: Viewer, approval_id: str, body: Annotated[ApprovalIn | None, Body()] = None) -> dict:
        """Refuse it with the 审批意见 (`reason`, required): the step is not taken; a draft goes back for revision."""
        return services.approvals.reject(approval_id, user, (body or ApprovalIn()).reason).as_dict()

    @api.get("/reports/{agency}/{year}")
    def report(user: Viewer, agency: str, year: Year) -> JSONResponse:
        return JSONResponse(services.reports.annual(year, agency, viewer=user).as_json())

    return api


def _step_routes(api: FastAPI, services: App) -> None:
    """The steps and the request page's document forms as JSON; `at` the day each happened (issue 21)."""
    @api.post("/requests/{request_id}/actions/{command}")
    def act(user: Viewer, request_id: str, command: str,
            body: Annotated[dict[str, Any] | None, Body()] = None) -> dict:
        """A staff step (the names of `ogi request act`); the body holds its fields. On a live request `deliver`
        serves the issued reply (235号), so the reply and the request agree; `confirm_receipt` issues the 登记回执
        if none was (an online application's, served on the applicant's page) with its `query_code` beside."""
        if command == "deliver" and _served_reply(services, request_id, body or {}, user):
            return services.queries.history(request_id, viewer=user)
        if command == "confirm_receipt":  # Art. 31(3): with the 登记回执 an online application gets then
            confirmed = services.intake.confirm_from(request_id, body or {}, user)
            history = services.queries.history(request_id, viewer=user)
            return {**history, "query_code": confirmed.query_code, "problems": list(confirmed.problems)}
        services.requests.act(request_id, lambda now: command_from(command, body or {}, now), user)
        return services.queries.history(request_id, viewer=user)

    @api.post("/requests/{request_id}/documents/{doc_type}/{step}")
    def document_step(user: Viewer, request_id: str, doc_type: str, step: str,
                      body: Annotated[dict[str, str | int | float | bool | None] | None, Body()] = None) -> dict:
        """A document step as on the request page (draft, edit, approve, send_back, issue, serve, return; DESIGN §9);
        the body holds the page form's fields, `at` the day it happened (issue 21: blank for now)."""
        values = {key: "" if value is None else str(value) for key, value in (body or {}).items()}
        services.documents.take_step(request_id, doc_type, step, values, user)
        return services.queries.history(request_id, viewer=user)


def _served_reply(services: App, request_id: str, body: dict[str, Any], user: User) -> bool:
    """`deliver` as the service of the issued reply; False when there is none (the step then says why)."""
    served_on = body.get("served_on")
    try:
        day = dt.date.fromisoformat(str(served_on)) if served_on else None
    except ValueError:
        raise OgiError(f"送达日（served_on）“{str(served_on)[:20]}”不是有效日期（年-月-日）") from None
    at = happened_at(body.get("at"), services.clock.now())
    tracking = body.get("tracking_no")
    served = services.documents.serve_issued_reply(request_id, user, body.get("method"),
                                                   str(tracking) if tracking else None, day, at)
    return served is not None
