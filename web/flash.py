"""Post/redirect/get for a refused form: the POST answers 303 to the page the form is on, and that page shows the
refusal with the values the person typed, once. A reload never re-sends the form; the back button never asks to.

The refusal rides in a short-lived cookie signed with the session's CSRF token (secret to that session), so no
other session can plant one and nothing is kept on the server. A value too long for a cookie is kept whole
as long as the cookie fits, the longest given up first, and the page says so.

A form sent when the session had run out (web/expired_session.py) rides in the same cookie, signed with the
application's key instead (web/signed_cookies.py: there is no session to sign with) and bound to the page it goes
back to; after signing in, that page's `take_refusal` gives it with the note KEPT_NOTE.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import RedirectResponse

from web.signed_cookies import MAX_COOKIE, pack, set_signed, unpack

REFUSAL_COOKIE = "ogi_refusal"
_LIFETIME = 300  # seconds: the redirect is followed at once
_MAX_FIELDS = 60  # a kept form: more fields than any page's form has are not kept
KEPT_MINUTES = 15  # a form kept over an expired session: time to sign in again
KEPT_NOTE = "会话已过期。以下内容是会话过期前填写的，请核对后重新提交。"


@dataclass(frozen=True)
class Refusal:
    error: dict  # {"error", "rule"} as web.errors.error_body gives it
    values: dict[str, str] = field(default_factory=dict)
    failed: str | None = None  # which form on the page was refused (a step's command, "doc:reply", …)
    values_dropped: bool = False  # some typed value did not fit and must be typed again


def _key(request: Request) -> bytes | None:
    session = getattr(request.state, "session", None)
    return session.csrf_token.encode() if session else None


def redirect_refused(request: Request, to: str, error: dict, values: dict[str, str] | None = None,
                     failed: str | None = None) -> RedirectResponse:
    """303 to `to` (a path on this site), carrying the refusal for that page to show once."""
    from web.errors import for_people  # the page reads words, not the API's machine names

    error = {**error, "error": for_people(str(error.get("error", "")))}
    response = RedirectResponse(to, status_code=303)
    key = _key(request)
    if key is None:  # no session (the page's own sign-in check answers first): nothing to carry
        return response
    def packed(kept: dict[str, str], dropped: bool) -> str:
        return pack(request, "refusal", {"error": error, "values": kept, "failed": failed, "dropped": dropped},
                    _LIFETIME, key)

    values = {k: v for k, v in (values or {}).items() if k != "csrf_token"}
    kept, dropped = _fitted(values, lambda kept: len(packed(kept, True)) <= MAX_COOKIE)
    set_signed(response, REFUSAL_COOKIE, packed(kept, dropped), _LIFETIME)
    return response


def _fitted(values: dict[str, str], fits) -> tuple[dict[str, str], bool]:
    """The values, the longest given up first until `fits(kept)` holds; and whether any was given up."""
    kept, dropped = dict(values), False
    while kept and not fits(kept):
        kept.pop(max(kept, key=lambda k: len(kept[k])))
        dropped = True
    return kept, dropped


def keep_form(request: Request, response: RedirectResponse, page: str, values: dict[str, str],
              failed: str | None = None) -> None:
    """Keep the values of a form sent without a valid session, for `page` (a path) to show after signing in."""
    lifetime = KEPT_MINUTES * 60

    def packed(kept: dict[str, str], dropped: bool = False) -> str:
        return pack(request, "kept form", {"page": page, "values": kept, "failed": failed, "dropped": dropped},
                    lifetime)

    # anyone may send this (there is no session): what can never fit is given up before any is packed, so a flood
    # of fields costs a few compressions, not one per field
    plausible = dict(list((k, v) for k, v in values.items() if len(k) <= 100 and len(v) <= MAX_COOKIE * 2)[:_MAX_FIELDS])
    kept, dropped = _fitted(plausible, lambda kept: len(packed(kept)) <= MAX_COOKIE)
    set_signed(response, REFUSAL_COOKIE, packed(kept, dropped or len(plausible) < len(values)), lifetime)


def _kept_form(request: Request, cookie: str) -> Refusal | bool:
    """The kept form when it is for this page; True when it is a kept form for another page (left for that one),
    False when the cookie is no kept form."""
    body = unpack(request, "kept form", cookie)
    if body is None or not isinstance(body.get("values"), dict):
        return False
    if body.get("page") != request.url.path:
        return True
    request.state.clear_refusal = True
    failed = body.get("failed")
    return Refusal(error={"error": KEPT_NOTE, "rule": "session"},
                   values={str(k): str(v) for k, v in body["values"].items()},
                   failed=failed if isinstance(failed, str) else None, values_dropped=bool(body.get("dropped")))


def take_refusal(request: Request) -> Refusal | None:
    """The refusal carried to this page, if its signature holds (or the form kept over an expired session, on the
    page it was kept for); `page()` then clears the cookie."""
    cookie = request.cookies.get(REFUSAL_COOKIE)
    key = _key(request)
    if not cookie or key is None or "." not in cookie:
        return None
    kept = _kept_form(request, cookie)
    if kept is not False:
        return kept if isinstance(kept, Refusal) else None
    request.state.clear_refusal = True
    body = unpack(request, "refusal", cookie, key)  # signed with this session's key, or nothing
    if body is None:
        return None
    try:
        return Refusal(error=dict(body["error"]), values={str(k): str(v) for k, v in body["values"].items()},
                       failed=body.get("failed"), values_dropped=bool(body.get("dropped")))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
