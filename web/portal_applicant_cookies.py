"""What the applicant's browser carries between the pages of /my (web/portal_applicant.py), all in cookies signed
with the application's key (web/signed_cookies.py), nothing kept on the server:

- the code id between the two steps of the sign-in (purpose "my code", as long as the code is good);
- the request the sign-in opened (purpose "my", MY_MINUTES, renewed on every use): the only place a request id is
  taken from — never the URL or a form;
- a message shown once after a redirect (post/redirect/get): what was done, or why not, with what was typed;
- the forms' token (double submit, as the staff login form before there is a session: web/pages.py): a visitor
  without a session has no session token, so a form of another site cannot post here in their name.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from web.signed_cookies import forget, pack, set_signed, unpack

MY_COOKIE, CODE_COOKIE, FLASH_COOKIE, FORM_COOKIE = "ogi_my", "ogi_my_code", "ogi_my_flash", "ogi_my_form"
MY_MINUTES = 30
FLASH_SECONDS = 300  # the redirect is followed at once
LONGEST_KEPT = 1500  # characters of typed text a message carries back (a cookie holds a few kilobytes)


@dataclass(frozen=True)
class Flash:
    text: str
    error: bool = False
    status: int = 200  # the page after the redirect answers with it (404 wrong code, 429 too many tries)
    kept: dict[str, list[str]] = field(default_factory=dict)  # the values typed, to fill the form again


def form_token(request: Request) -> str:
    """The token this browser's forms carry (its cookie's, or a new one the page's answer sets)."""
    token = request.cookies.get(FORM_COOKIE, "")
    return token if 20 <= len(token) <= 100 else secrets.token_urlsafe(32)


def keep_form_token(response: Response, token: str) -> None:
    set_signed(response, FORM_COOKIE, token, 24 * 3600)  # a day: a page left open over lunch still posts


def form_token_matches(request: Request, sent: object) -> bool:
    expected = request.cookies.get(FORM_COOKIE, "")
    return bool(expected) and isinstance(sent, str) and secrets.compare_digest(expected.encode(), sent.encode())


def opened_request(request: Request) -> str | None:
    """The request id the sign-in opened, while its cookie lasts."""
    body = unpack(request, "my", request.cookies.get(MY_COOKIE))
    opened = body.get("id") if body else None
    return opened if isinstance(opened, str) and opened else None


def open_request(request: Request, response: Response, request_id: str) -> None:
    """Signed in (or still using the page): MY_MINUTES more from now."""
    set_signed(response, MY_COOKIE, pack(request, "my", {"id": request_id}, MY_MINUTES * 60), MY_MINUTES * 60)


def pending_code(request: Request) -> dict | None:
    """{code_id, channel, destination} of the code sent by the first step of the sign-in, while it is good."""
    body = unpack(request, "my code", request.cookies.get(CODE_COOKIE))
    if body is None or not all(isinstance(body.get(key), str) for key in ("code_id", "channel", "destination")):
        return None
    return body


def keep_pending_code(request: Request, response: Response, body: dict, seconds: int) -> None:
    set_signed(response, CODE_COOKIE, pack(request, "my code", body, seconds), seconds)


def sign_out(response: Response) -> None:
    for name in (MY_COOKIE, CODE_COOKIE):
        forget(response, name)


def redirect(request: Request, to: str, text: str, error: bool = False, status: int = 200,
             kept: dict[str, list[str]] | None = None) -> RedirectResponse:
    """303 to `to`, which shows `text` once."""
    response = RedirectResponse(to, status_code=303)
    values = kept or {}
    if sum(len(value) for values_of in values.values() for value in values_of) > LONGEST_KEPT:
        values = {}  # too long to carry: typed again (the message says nothing was saved)
    body = {"text": text, "error": error, "status": status, "kept": values}
    set_signed(response, FLASH_COOKIE, pack(request, "my flash", body, FLASH_SECONDS), FLASH_SECONDS)
    return response


def take_flash(request: Request) -> Flash | None:
    body = unpack(request, "my flash", request.cookies.get(FLASH_COOKIE))
    if body is None or not isinstance(body.get("text"), str):
        return None
    status = body.get("status")
    carried = body.get("kept")
    kept: dict = carried if isinstance(carried, dict) else {}
    clean = {str(k): [str(v) for v in values] for k, values in kept.items() if isinstance(values, list)}
    return Flash(body["text"], bool(body.get("error")),
                 status if isinstance(status, int) and status in (200, 404, 409, 422, 429, 503) else 200, clean)


def shown(response: Response) -> None:
    """The message was on this page: not again."""
    forget(response, FLASH_COOKIE)
