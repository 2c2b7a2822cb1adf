"""The online door's API (issue 20): a 政务服务网 files applications with its platform token
(`Authorization: Bearer ogip_…`, `ogi platform add`) and reads back those it filed; a payment platform confirms a
fee paid with a signed callback (workflows/portal/payments.py). Errors as the rest of the API: {"error", "rule"}.

Scans ride in the JSON as base64 within the API's 1 MB body (web/inputs.py); larger scans go through the applicant's
own /apply page."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from bootstrap import App
from engine.errors import NotFound, PermissionDenied
from web.auth import SESSION_COOKIE
from web.errors import SignInRequired
from workflows.documents.attachments import Upload
from workflows.foi.identifiers import InputRefused
from workflows.portal.form import MAX_ONLINE_UPLOADS
from workflows.portal.payments import BadSignature, PaymentsNotConfigured
from workflows.portal.platforms import TOKEN_PREFIX, PlatformView
from workflows.portal.submissions import Filed, PlatformToken

FIELDS = ("agency", "applicant_kind", "applicant_name", "id_type", "id_number", "organisation_code", "contact_person",
          "phone", "email", "address", "agent_name", "subject", "form_requested", "obtain_method",
          "electronic_service", "notices", "code_channel")
YES_NO_FIELDS = ("electronic_service", "notices")  # true/false as JSON, or "yes"/"no" as the form sends them


class PlatformTokenRequired(PermissionDenied):
    """A user's token or session where only a platform's token may file (403)."""


class FiledOut(BaseModel):
    request_id: str
    query_code: str
    state: str
    agency: str
    agency_name: str
    links: dict[str, str]


FILED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": FiledOut, "description": "filed before with this idempotency key: the same answer, nothing new"},
    201: {"model": FiledOut, "description": "filed now, awaiting the agency's confirmation (Art. 31(3))"},
    429: {"description": "too many applications in a while: wait and try again"},
}

CALLBACK_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": '{"status": "recorded" | "already_recorded", "request_id", "transaction_id"}'},
    401: {"description": "no signature, or not the HMAC-SHA256 of the body under OGI_PAYMENT_SECRET"},
    503: {"description": "OGI_PAYMENT_SECRET is not set: no callback can be checked"},
}



def _platform(request: Request) -> PlatformToken:
    services: App = request.app.state.services
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
        if not token.startswith(TOKEN_PREFIX):
            raise PlatformTokenRequired("须使用政务服务平台令牌：用户的接口令牌不能代申请人提交申请")
        platform = services.platforms.resolve(token)
        if platform is None:
            raise SignInRequired("政务服务平台令牌无效：不存在或已吊销")
        return platform
    if request.cookies.get(SESSION_COOKIE):
        raise PlatformTokenRequired("须使用政务服务平台令牌：登录的用户不能通过此接口代申请人提交申请")
    raise SignInRequired("缺少政务服务平台令牌（请求头 Authorization: Bearer 加平台令牌）")


Platform = Annotated[PlatformToken, Depends(_platform)]


def form_fields(body: dict[str, Any]) -> dict[str, str]:
    """The /apply form's fields from the JSON body, as the strings the form sends; anything else is refused."""
    unknown = [key for key in body if key not in FIELDS and key != "attachments"]
    if unknown:
        raise InputRefused("字段名", f"不认识“{str(unknown[0])[:40]}”：可填写的字段为 {'、'.join(FIELDS)} 和 attachments")
    fields: dict[str, str] = {}
    for key in FIELDS:
        value = body.get(key)
        if value is None:
            continue
        if key in YES_NO_FIELDS and isinstance(value, bool):
            fields[key] = "yes" if value else "no"
        elif isinstance(value, str):
            fields[key] = value
        else:
            raise InputRefused(key, "应为文字" + ("，或 true / false" if key in YES_NO_FIELDS else ""))
    return fields


def attachments_of(body: dict[str, Any]) -> list[Upload]:
    """`attachments`: [{kind, filename, content_base64}], decoded; the portal checks each file as it checks uploads."""
    listed = body.get("attachments") or []
    if not isinstance(listed, list):
        raise InputRefused("附件（attachments）", "应为列表：[{kind, filename, content_base64}]")
    if len(listed) > MAX_ONLINE_UPLOADS:
        raise InputRefused("附件（attachments）", f"最多 {MAX_ONLINE_UPLOADS} 个")
    uploads = []
    for number, item in enumerate(listed, 1):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("kind", "filename",
                                                                                          "content_base64")):
            raise InputRefused(f"第 {number} 个附件", "应为对象，含文字字段 kind、filename、content_base64")
        try:
            content = base64.b64decode(item["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise InputRefused(f"第 {number} 个附件", f"“{item['filename'][:60]}”的内容不是有效的 base64 编码") from None
        uploads.append(Upload(item["filename"], content, item["kind"]))
    return uploads


def filed_body(filed: Filed) -> dict:
    return {"request_id": filed.request_id, "query_code": filed.query_code, "state": "awaiting_confirmation",
            "agency": filed.agency, "agency_name": filed.agency_name, "links": {"applicant_page": "/my"}}


def view_body(seen: PlatformView) -> dict:
    view = seen.view
    day = lambda value: value.isoformat() if value else None  # noqa: E731
    return {"request_id": view.request_id, "state": seen.state, "state_label": seen.state_label,
            "query_code": seen.query_code, "received_on": day(view.received_on), "reply_due": day(view.reply_due),
            "concluded_on": day(view.concluded_on), "delivered_on": day(view.delivered_on), "outcome": view.outcome,
            "documents": [{"title": d.title, "number": d.number, "issued_on": day(d.issued_on),
                           "served_on": day(d.served_on)} for d in view.documents]}


def add_online_routes(api: FastAPI, services: App) -> None:
    @api.post("/applications", status_code=201, responses=FILED_RESPONSES)
    def file_application(platform: Platform, request: Request, response: Response,
                         body: Annotated[dict[str, Any], Body()]) -> dict:
        """A 政务服务网 files an application for its verified user (the /apply form's fields, `attachments` in
        base64); header `Idempotency-Key`: the same key again answers the first filing (200), nothing new."""
        key = request.headers.get("idempotency-key")
        if not key:
            raise InputRefused("幂等键（请求头 Idempotency-Key）", "必须填写：同一份申请重发时用同一个键，只登记一次")
        filed = services.portal.file_for_platform(platform, key, form_fields(body), attachments_of(body))
        if not filed.created:
            response.status_code = 200
        return filed_body(filed)

    @api.get("/applications/{request_id}")
    def application(platform: Platform, request_id: str) -> dict:
        """A request this platform filed, as its applicant sees it (state, dates, the papers served)."""
        seen = services.platforms.view_of(platform, request_id)
        if seen is None:
            raise NotFound(f"本平台没有提交过编号为“{request_id[:40]}”的申请")
        return view_body(seen)

    @api.post("/payments/callback", responses=CALLBACK_RESPONSES)
    async def payment_callback(request: Request) -> JSONResponse:
        """A payment platform confirms a fee paid: header X-Ogi-Signature = sha256=<HMAC-SHA256 of the raw body>."""
        body = await request.body()
        try:
            recorded = await run_in_threadpool(services.payments.record, body, request.headers.get("x-ogi-signature"))
        except PaymentsNotConfigured as error:
            return JSONResponse({"error": str(error), "rule": "payment_secret"}, status_code=503)
        except BadSignature as error:
            raise SignInRequired(str(error)) from None
        if not recorded.created:
            return JSONResponse({"status": "already_recorded", "request_id": recorded.request_id,
                                 "transaction_id": recorded.transaction_id})
        return JSONResponse({"status": "recorded", "request_id": recorded.request_id,
                             "transaction_id": recorded.transaction_id, "stage": recorded.stage})
