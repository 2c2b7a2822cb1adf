"""/apply: the application an applicant makes online (issue 20; routes in docs/portal.md). The form (Art. 29) is
checked by the portal service (workflows/portal/submissions.py), held until the applicant types the code sent to
the phone or e-mail of the application (/apply/code), then filed; /apply/done shows the 申请编号 and 查询码.

No one is signed in, so the forms carry a double-submit CSRF token (a random cookie, echoed in a hidden field: a
page of another site can send neither), as /login does. The submission and the filed request ride in cookies signed
for their purpose (web/signed_cookies.py): nothing to guess in a URL. A refusal answers the form again with every
value typed (never the files: the page says to choose them again), 422, or 429 when the attempts are too many.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from engine.errors import OgiError
from web.auth import client_address, services, set_cookie
from web.errors import for_people, status_of
from web.signed_cookies import forget, pack, set_signed, unpack
from web.templating import page
from web.uploads import scans_of
from workflows.documents.attachments import MAX_ATTACHMENT_BYTES
from workflows.foi.obtaining import OBTAIN_METHOD_LABELS
from workflows.foi.vocabulary import APPLICANT_LABELS, PROVISION_FORM_LABELS, ApplicantKind
from workflows.portal.form import CODE_CHANNELS, ID_TYPES, MAX_ONLINE_UPLOADS
from workflows.portal.submissions import CODE_MINUTES
from workflows.requests.input_limits import FREE_TEXT_MAX

router = APIRouter(include_in_schema=False)

APPLY_CSRF_COOKIE = "ogi_apply_csrf"
SUBMISSION_COOKIE, FILED_COOKIE = "ogi_apply", "ogi_apply_done"
SUBMISSION_SECONDS = CODE_MINUTES * 60 + 15 * 60  # the code's life, and time to ask for another
FILED_SECONDS = 2 * 60 * 60  # the done page can be reloaded for a while (the 查询码 is also sent with the receipt)
MAX_FILES = MAX_ONLINE_UPLOADS
# the file inputs of the form and the kind of scan each holds (workflows/documents/attachments.py AttachmentKind)
FILE_FIELDS: dict[str, str] = {"identity_files": "identity", "authorisation_files": "authorisation",
                               "other_files": "other"}
FILE_LABELS = {"identity_files": "身份证明", "authorisation_files": "授权委托书", "other_files": "其他材料"}
FORM_EXPIRED = "页面已过期，请重新填写并提交（为保护您的信息，每次打开页面都会生成新的校验码）。"
NO_SUBMISSION = "没有待验证的申请，或验证码已过期。请重新填写申请。"
LONGEST_KEPT = FREE_TEXT_MAX  # a typed value longer than any field may be is not echoed back


def _csrf(request: Request) -> str:
    """The visitor's token: the cookie's, else a new one (set on the answer by `_with_csrf`)."""
    token = request.cookies.get(APPLY_CSRF_COOKIE, "")
    return token if 20 <= len(token) <= 100 and token.isascii() else secrets.token_urlsafe(32)


def _with_csrf(response: Response, token: str) -> Response:
    set_cookie(response, APPLY_CSRF_COOKIE, token)
    return response


def _csrf_ok(request: Request, sent: object) -> bool:
    expected = request.cookies.get(APPLY_CSRF_COOKIE, "")
    return bool(expected) and isinstance(sent, str) and secrets.compare_digest(expected.encode(), sent.encode())


# -- the form ---------------------------------------------------------------------------------------------------------
def _form_page(request: Request, values: Mapping[str, str], error: str | None = None, status: int = 200,
               files_dropped: bool = False) -> Response:
    agencies = services(request).portal.online_agencies()
    chosen = values.get("agency") or (agencies[0][0] if len(agencies) == 1 else "")
    natural = {ApplicantKind.NATURAL_PERSON.value: APPLICANT_LABELS[ApplicantKind.NATURAL_PERSON]}
    organisations = {k.value: APPLICANT_LABELS[k] for k in ApplicantKind if k != ApplicantKind.NATURAL_PERSON}
    token = _csrf(request)
    response = page(request, "portal/apply.html.j2", status_code=status, csrf_token=token, values=values,
                    chosen_agency=chosen, agencies=agencies, error=error, files_dropped=files_dropped,
                    natural_kinds=natural, organisation_kinds=organisations, id_types=ID_TYPES,
                    code_channels=CODE_CHANNELS, forms=PROVISION_FORM_LABELS, obtain_methods=OBTAIN_METHOD_LABELS,
                    file_fields=FILE_LABELS, max_file_mb=MAX_ATTACHMENT_BYTES // 1024 // 1024, max_files=MAX_FILES)
    return _with_csrf(response, token)


@router.get("/apply")
def apply_form(request: Request, agency: str = "") -> Response:
    known = {slug for slug, _ in services(request).portal.online_agencies()}
    return _form_page(request, {"agency": agency} if agency in known else {})


def _kept(form: Mapping[str, object]) -> dict[str, str]:
    """The typed values to show again: text only, not the token, none absurdly long."""
    return {k: v for k, v in form.items()
            if isinstance(v, str) and k != "csrf_token" and len(v) <= LONGEST_KEPT and len(k) <= 40}


@router.post("/apply")
async def submit_application(request: Request) -> Response:
    submitted = await request.form()
    try:
        values = _kept(submitted)
        if not _csrf_ok(request, submitted.get("csrf_token")):
            return _form_page(request, values, FORM_EXPIRED, 403, files_dropped=True)
        uploads = await scans_of(submitted, FILE_FIELDS)
        chosen_files = bool(uploads)
        if len(uploads) > MAX_FILES:
            return _form_page(request, values, f"附件最多 {MAX_FILES} 个，您选择了 {len(uploads)} 个，请删减后重新选择。",
                              422, files_dropped=True)
        fields = {k: v for k, v in values.items() if k not in FILE_FIELDS}
        if "notices" not in fields:
            fields["notices"] = "no"  # an unticked box sends nothing: the applicant declined the messages
        try:
            held = services(request).portal.submit(fields, uploads, client_address(request))
        except OgiError as error:
            status = status_of(error)
            if status not in (422, 429, 403, 404):
                raise
            return _form_page(request, values, for_people(str(error)), 429 if status == 429 else 422,
                              files_dropped=chosen_files)
    finally:
        await submitted.close()
    response = RedirectResponse("/apply/code", status_code=303)
    set_signed(response, SUBMISSION_COOKIE, pack(request, "apply", {"id": held.submission_id}, SUBMISSION_SECONDS),
               SUBMISSION_SECONDS)
    forget(response, FILED_COOKIE)
    return response


# -- the code ---------------------------------------------------------------------------------------------------------
def _submission_id(request: Request) -> str | None:
    body = unpack(request, "apply", request.cookies.get(SUBMISSION_COOKIE))
    held = body.get("id") if body else None
    return held if isinstance(held, str) and 0 < len(held) <= 100 else None


def _code_page(request: Request, error: str | None = None, status: int = 200, notice: str | None = None) -> Response:
    submission_id = _submission_id(request)
    held = services(request).portal.pending(submission_id) if submission_id else None
    token = _csrf(request)
    if held is None:
        response = page(request, "portal/apply_gone.html.j2", csrf_token=token, error=error or NO_SUBMISSION,
                        status_code=status if error else 404)
        return _with_csrf(response, token)
    response = page(request, "portal/apply_code.html.j2", status_code=status, csrf_token=token, held=held,
                    channel_label=CODE_CHANNELS.get(held.channel, "短信"), minutes=CODE_MINUTES, error=error,
                    notice=notice)
    return _with_csrf(response, token)


@router.get("/apply/code")
def code_form(request: Request, sent: str = "") -> Response:
    return _code_page(request, notice="验证码已重新发送，请查收最新的一条。" if sent == "again" else None)


def _refused_code(request: Request, error: OgiError) -> Response:
    status = status_of(error)
    if status not in (422, 429, 403, 404, 409):
        raise error
    return _code_page(request, for_people(str(error)), 429 if status == 429 else 422)


@router.post("/apply/code")
def verify_code(request: Request, code: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "") -> Response:
    if not _csrf_ok(request, csrf_token):
        return _code_page(request, FORM_EXPIRED, 403)
    submission_id = _submission_id(request)
    if submission_id is None:
        return _code_page(request, NO_SUBMISSION, 404)
    typed = code.strip().translate(_FULL_WIDTH_DIGITS).replace(" ", "")
    if not typed:
        return _code_page(request, "请填写收到的6位验证码。", 422)
    try:
        filed = services(request).portal.verify(submission_id, typed[:20], client_address(request))
    except OgiError as error:
        return _refused_code(request, error)
    response = RedirectResponse("/apply/done", status_code=303)
    body = {"id": filed.request_id, "code": filed.query_code, "agency": filed.agency_name}
    set_signed(response, FILED_COOKIE, pack(request, "apply done", body, FILED_SECONDS), FILED_SECONDS)
    forget(response, SUBMISSION_COOKIE)
    return response


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


@router.post("/apply/resend")
def resend_code(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    if not _csrf_ok(request, csrf_token):
        return _code_page(request, FORM_EXPIRED, 403)
    submission_id = _submission_id(request)
    if submission_id is None:
        return _code_page(request, NO_SUBMISSION, 404)
    try:
        services(request).portal.resend(submission_id, client_address(request))
    except OgiError as error:
        return _refused_code(request, error)
    return RedirectResponse("/apply/code?sent=again", status_code=303)


# -- filed ------------------------------------------------------------------------------------------------------------
@router.get("/apply/done")
def filed_page(request: Request) -> Response:
    body = unpack(request, "apply done", request.cookies.get(FILED_COOKIE))
    if not body or not all(isinstance(body.get(k), str) for k in ("id", "code", "agency")):
        token = _csrf(request)
        response = page(request, "portal/apply_gone.html.j2", csrf_token=token, status_code=404,
                        error="没有刚提交的申请可显示。已提交的申请请凭申请编号和查询码到“我的申请”查看。")
        return _with_csrf(response, token)
    return page(request, "portal/apply_done.html.j2", request_id=body["id"], query_code=body["code"],
                agency_name=body["agency"])
