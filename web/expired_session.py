"""A page asked for without a valid session: to the login page, and back to the page after signing in — with the
form that was being sent kept, when the session ran out under it (issue 19 item 7).

- `next` is a page someone can GET: for a GET its own address; for a POST the page the form was on (the Referer, when
  it is on this site), else the longest start of the POST's path that is a page (/requests/X for
  /requests/X/steps/Y), else 我的待办 — never the POST's own address (which answered "Method Not Allowed").
- The kept values ride in a signed cookie (web/flash.py `keep_form`), never a password, a token or a file, and only
  from a form sent from this site (an Origin or Referer of another site keeps nothing: no one can prefill a clerk's
  form from outside). They were on that browser's screen already, so the browser that signs in next sees them;
  they last KEPT_MINUTES and are shown once.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.routing import Match, Mount

from web.auth import SAFE_METHODS, SESSION_COOKIE

NEVER_KEPT = ("password", "csrf_token", "token", "secret")  # a field whose name holds one of these is dropped


def _on_this_site(request: Request, address: str | None) -> bool:
    if not address:
        return False
    parts = urlsplit(address)
    return parts.netloc == request.url.netloc and parts.scheme in ("http", "https")


def _is_page(request: Request, path: str) -> bool:
    """A route of the pages answers GET at `path` (the mounted API and static files are no pages)."""
    scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
    return any(not isinstance(route, Mount) and route.matches(scope)[0] == Match.FULL
               for route in request.app.router.routes)


def page_of_form(request: Request) -> str:
    referer = request.headers.get("referer")
    if _on_this_site(request, referer):
        parts = urlsplit(referer or "")
        if parts.path.startswith("/") and not parts.path.startswith("//") and parts.path != "/login":
            return parts.path + (f"?{parts.query}" if parts.query else "")
    segments = request.url.path.rstrip("/").split("/")
    while len(segments) > 1:
        candidate = "/".join(segments) or "/"
        if _is_page(request, candidate):
            return candidate
        segments.pop()
    return "/tasks"


def form_key(request: Request, values: dict[str, str]) -> str | None:
    """Which form of its page the values belong to, as the pages name them (web/request_pages.py: the step's
    command; web/document_pages.py: "doc:" and the document type)."""
    params = request.path_params
    if "command" in params:
        return str(params["command"])
    if "doc_type" in params:
        doc_type = str(params["doc_type"])
        return f"doc:{values.get('doc_type', '') if doc_type == '_' else doc_type}"
    return None


async def sign_in_again(request: Request) -> Response:
    from web.flash import keep_form

    expired = bool(request.cookies.get(SESSION_COOKIE))  # a cookie the server no longer knows: it ran out
    notice = "&expired=1" if expired else ""
    if request.method in SAFE_METHODS:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}{notice}", status_code=303)
    to = page_of_form(request)
    response = RedirectResponse(f"/login?next={quote(to, safe='/')}{notice or '&expired=1'}", status_code=303)
    origin = request.headers.get("origin")
    from_here = _on_this_site(request, origin) if origin else _on_this_site(request, request.headers.get("referer"))
    if not from_here:
        return response
    try:
        form = await request.form()
    except Exception:  # a body that is no form (JSON to a page, a broken multipart): nothing to keep
        return response
    values = {k: v for k, v in form.items()
              if isinstance(v, str) and not any(word in k.lower() for word in NEVER_KEPT)}
    if values:
        keep_form(request, response, urlsplit(to).path, values, form_key(request, values))
    return response
