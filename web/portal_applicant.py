"""The applicant's own page `/my` (issue 20 item 3), made for a phone: signed in with the request id and the 查询码
of the receipt (typed as people type them: web/lookup_input.py) and a code sent to the phone or e-mail of the
application (services.applicant_desk, workflows/portal/applicant_desk.py); then the progress in words, the papers
served, the correction answered item by item with its materials, the fee notice, withdrawal, the reply's released
files and the choice of progress messages.

The request comes only from the signed cookie the sign-in set (web/portal_applicant_cookies.py), never from the
URL: a document or file of another request is "not found". Every POST answers 303 with a message shown once
(post/redirect/get) and carries the forms' double-submit token.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from engine.errors import OgiError, TooManyAttempts
from web.auth import client_address, services
from web.errors import error_body, for_people
from web.lookup_input import LONGEST_REQUEST_ID, fits, typed_query_code, typed_request_id
from web.portal_applicant_cookies import (
    MY_MINUTES,
    form_token,
    form_token_matches,
    keep_form_token,
    keep_pending_code,
    open_request,
    opened_request,
    pending_code,
    redirect,
    shown,
    sign_out,
    take_flash,
)
from web.templating import page
from workflows.documents.attachments import AttachmentKind, Upload

router = APIRouter(include_in_schema=False)

LONGEST_CODE = 12
CHANNELS = ("sms", "email")
WRONG = "申请编号或查询码不正确，请核对登记回执。"
WRONG_CODE = "验证码不正确或已过期，请核对短信或邮件，或重新获取验证码。"
NO_CODE = "验证码已过期，请重新输入申请编号和查询码获取验证码。"
CHOOSE_CHANNEL = "请选择验证码的接收方式：短信或电子邮件。"
FORM_EXPIRED = "页面已过期，请重新填写后提交。"
TOO_OFTEN = "尝试次数过多，请十分钟后再试。"
SIGNED_OUT = "本次登录已超过 30 分钟或已退出，请重新登录。"
NOT_FOUND = "没有这份文书或文件，或它不属于您登录查看的申请。"
NO_PDF = "暂时无法生成这份文书的 PDF 文件，请稍后再试，或联系受理机关。"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _my_page(request: Request, name: str, status_code: int = 200, **context) -> Response:
    """A page of /my with the forms' token and the message of the last POST (shown once)."""
    token = form_token(request)
    flash = take_flash(request)
    if flash is not None and status_code == 200:
        status_code = flash.status
    kept = flash.kept if flash else {}

    def typed(field: str, index: int = 0) -> str:
        """What was typed in `field` (its `index`-th, for a field a form repeats) before the form was refused."""
        values = kept.get(field, [])
        return values[index] if index < len(values) else ""

    response = page(request, name, status_code=status_code, csrf_token=token, flash=flash, typed=typed, **context)
    keep_form_token(response, token)
    shown(response)
    return response


def _refused_words(error: OgiError) -> str:
    return for_people(error_body(error)["error"])


def _too_many_words(error: TooManyAttempts) -> str:
    said = str(error)
    return said if re.search(r"[\u3400-\u9fff]", said) else TOO_OFTEN


def _missing(request: Request, text: str = NOT_FOUND, status: int = 404) -> Response:
    return _my_page(request, "portal/my_message.html.j2", status_code=status, heading="未找到" if status == 404
                    else "暂时无法办理", text=text, signed_in=opened_request(request) is not None)


async def _form(request: Request) -> FormData | None:
    """The posted form, if it carries this browser's token; None otherwise (a page of another site, or stale)."""
    try:
        form = await request.form()
    except (ValueError, KeyError, AssertionError):  # a body that is no form at all
        return None
    return form if form_token_matches(request, form.get("csrf_token")) else None


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


# -- signing in ------------------------------------------------------------------------------------------------------
@router.get("/my")
def sign_in_form(request: Request) -> Response:
    return _my_page(request, "portal/my_sign_in.html.j2", signed_in=opened_request(request) is not None)


@router.post("/my")
async def start_sign_in(request: Request) -> Response:
    form = await _form(request)
    if form is None:
        return redirect(request, "/my", FORM_EXPIRED, error=True, status=422)
    request_id = typed_request_id(_text(form, "request_id"))
    query_code = typed_query_code(_text(form, "query_code"))
    channel = _text(form, "channel")
    kept = {"request_id": [request_id[:LONGEST_REQUEST_ID]], "channel": [channel if channel in CHANNELS else ""]}
    if channel not in CHANNELS:
        return redirect(request, "/my", CHOOSE_CHANNEL, error=True, status=422, kept=kept)
    if not fits(request_id, query_code):
        return redirect(request, "/my", WRONG, error=True, status=404, kept=kept)
    desk = services(request).applicant_desk
    try:
        sent = desk.start_sign_in(request_id, query_code, channel, client_address(request))
    except TooManyAttempts as error:
        return redirect(request, "/my", _too_many_words(error), error=True, status=429, kept=kept)
    if sent is None:
        return redirect(request, "/my", WRONG, error=True, status=404, kept=kept)
    seconds = int((sent.expires_at - services(request).clock.now()).total_seconds())
    seconds = max(60, min(seconds, 3600))
    response = RedirectResponse("/my/code", status_code=303)
    keep_pending_code(request, response, {"code_id": sent.code_id, "channel": sent.channel,
                                          "destination": sent.destination}, seconds)
    return response


@router.get("/my/code")
def code_form(request: Request) -> Response:
    pending = pending_code(request)
    if pending is None:
        return redirect(request, "/my", NO_CODE, error=True)
    return _my_page(request, "portal/my_code.html.j2", pending=pending)


@router.post("/my/code")
async def finish_sign_in(request: Request) -> Response:
    form = await _form(request)
    if form is None:
        return redirect(request, "/my/code", FORM_EXPIRED, error=True, status=422)
    pending = pending_code(request)
    if pending is None:
        return redirect(request, "/my", NO_CODE, error=True)
    code = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", _text(form, "code")))
    if not 0 < len(code) <= LONGEST_CODE:
        return redirect(request, "/my/code", WRONG_CODE, error=True, status=422)
    try:
        request_id = services(request).applicant_desk.finish_sign_in(pending["code_id"], code, client_address(request))
    except TooManyAttempts as error:
        return redirect(request, "/my/code", _too_many_words(error), error=True, status=429)
    if request_id is None:
        return redirect(request, "/my/code", WRONG_CODE, error=True, status=422)
    response = RedirectResponse("/my/request", status_code=303)
    sign_out(response)  # the code is spent
    open_request(request, response, request_id)
    return response


@router.post("/my/logout")
def sign_out_page(request: Request) -> Response:
    """退出: this browser forgets the request (on a shared phone or computer)."""
    response = redirect(request, "/my", "您已退出。")
    sign_out(response)
    return response


# -- the page and its forms ------------------------------------------------------------------------------------------
@router.get("/my/request")
def request_page(request: Request) -> Response:
    request_id = opened_request(request)
    if request_id is None:
        return redirect(request, "/my", SIGNED_OUT, error=True)
    try:
        shown_page = services(request).applicant_desk.page(request_id)
    except OgiError:
        gone = redirect(request, "/my", SIGNED_OUT, error=True)
        sign_out(gone)
        return gone
    response = _my_page(request, "portal/my_request.html.j2", my=shown_page, minutes=MY_MINUTES)
    open_request(request, response, request_id)  # renewed on use
    return response


async def _signed_in_form(request: Request) -> tuple[str, FormData] | Response:
    """(request id, form) of a POST from the page, or the redirect that refuses it."""
    request_id = opened_request(request)
    if request_id is None:
        return redirect(request, "/my", SIGNED_OUT, error=True)
    form = await _form(request)
    if form is None:
        return redirect(request, "/my/request", FORM_EXPIRED, error=True, status=422)
    return request_id, form


def _done(request: Request, request_id: str, text: str, anchor: str = "") -> Response:
    response = redirect(request, f"/my/request{anchor}", text)
    open_request(request, response, request_id)
    return response


def _refused(request: Request, request_id: str, error: OgiError, anchor: str = "",
             kept: dict[str, list[str]] | None = None) -> Response:
    status = 429 if isinstance(error, TooManyAttempts) else 422
    response = redirect(request, f"/my/request{anchor}", _refused_words(error), error=True, status=status, kept=kept)
    open_request(request, response, request_id)
    return response


@router.post("/my/correction")
async def correction(request: Request) -> Response:
    opened = await _signed_in_form(request)
    if isinstance(opened, Response):
        return opened
    request_id, form = opened
    answers = [value if isinstance(value, str) else "" for value in form.getlist("answers")]
    uploads = []
    for value in form.getlist("files"):
        if isinstance(value, UploadFile) and value.filename:
            uploads.append(Upload(value.filename, await value.read(), AttachmentKind.CORRECTION))
    await form.close()
    try:
        services(request).applicant_desk.submit_correction(request_id, answers, uploads)
    except OgiError as error:
        return _refused(request, request_id, error, "#correction", kept={"answers": answers})
    return _done(request, request_id, "补正材料已提交，受理机关将重新计算答复期限。")


@router.post("/my/withdraw")
async def withdraw(request: Request) -> Response:
    opened = await _signed_in_form(request)
    if isinstance(opened, Response):
        return opened
    request_id, form = opened
    reason = _text(form, "reason")
    if _text(form, "confirm") != "yes":
        return redirect(request, "/my/request#withdraw", "如确需撤回申请，请勾选“确认撤回”后再提交。", error=True,
                        status=422, kept={"reason": [reason]})
    try:
        services(request).applicant_desk.withdraw(request_id, reason)
    except OgiError as error:
        return _refused(request, request_id, error, "#withdraw", kept={"reason": [reason]})
    return _done(request, request_id, "您的申请已撤回。")


@router.post("/my/notices")
async def notices(request: Request) -> Response:
    opened = await _signed_in_form(request)
    if isinstance(opened, Response):
        return opened
    request_id, form = opened
    enabled = _text(form, "enabled")
    if enabled not in ("on", "off"):
        return redirect(request, "/my/request#notices", "请选择接收或不接收办理进展通知。", error=True, status=422)
    try:
        services(request).applicant_desk.choose_notices(request_id, enabled == "on")
    except OgiError as error:
        return _refused(request, request_id, error, "#notices")
    return _done(request, request_id, "已开启办理进展通知。" if enabled == "on" else "已关闭办理进展通知。")


# -- downloads -------------------------------------------------------------------------------------------------------
def _download(content: bytes, media_type: str, filename: str, fallback: str) -> Response:
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get("/my/documents/{position}.pdf")
def served_document(request: Request, position: str) -> Response:
    """A paper served to the applicant of the signed-in request, as PDF."""
    request_id = opened_request(request)
    if request_id is None or not position.isdigit() or len(position) > 6:
        return _missing(request)
    try:
        filename, content = services(request).applicant_desk.document(request_id, int(position))
    except TooManyAttempts as error:
        return _missing(request, _too_many_words(error), 429)
    except OgiError:
        return _missing(request)
    except (OSError, subprocess.SubprocessError):  # no PDF printer on this machine, or it failed
        return _missing(request, NO_PDF, 503)
    return _download(content, "application/pdf", filename, f"document-{position}.pdf")


@router.get("/my/files/{sha256}")
def released_file(request: Request, sha256: str) -> Response:
    """A file of the information given in the reply, once the reply is served; always a download, never shown in
    the page (a released HTML file must not run as this site)."""
    request_id = opened_request(request)
    if request_id is None or not _SHA256.fullmatch(sha256):
        return _missing(request)
    try:
        item, content = services(request).applicant_desk.released_file(request_id, sha256)
    except TooManyAttempts as error:
        return _missing(request, _too_many_words(error), 429)
    except OgiError:
        return _missing(request)
    media_type = item.media_type if re.fullmatch(r"[\w.+-]+/[\w.+-]+", item.media_type) else "application/octet-stream"
    return _download(content, media_type, item.name, f"file-{sha256[:12]}")

