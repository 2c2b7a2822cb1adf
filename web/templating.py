"""The pages' templates (templates/web/): the one Jinja2 environment of ogi (engine/adapters/rendering.py), which
autoescapes every `.html.j2`, and what every page is given."""

from __future__ import annotations

from fastapi import Request
from fastapi.templating import Jinja2Templates

from engine.adapters.rendering import environment
from workflows.foi.citations import cite
from workflows.people.access import ROLE_LABELS
from workflows.requests.step_forms import event_labels

templates = Jinja2Templates(env=environment())
templates.env.globals["ROLE_LABELS"] = ROLE_LABELS
templates.env.globals["EVENT_LABELS"] = event_labels()
templates.env.globals["cite"] = cite  # a rule code in words: {{ cite(task.article) }}


def day_today(request: Request) -> str:
    """Today by the app's clock: the 办理日期 a step or document form offers (one entered later is dated back by hand)."""
    return request.app.state.services.clock.now().date().isoformat()


templates.env.globals["day_today"] = day_today


def size_words(size: object) -> str:
    """A file's size as people read it: 1.2 MB, 35 KB, 60 字节 (a size that is no number is shown as it is)."""
    if not isinstance(size, int):
        return str(size)
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{-(-size // 1024)} KB" if size >= 1024 else f"{size} 字节"


templates.env.globals["size_words"] = size_words


def page(request: Request, name: str, status_code: int = 200, **context):
    session = getattr(request.state, "session", None)
    context.setdefault("user", getattr(request.state, "user", None))
    context.setdefault("csrf_token", session.csrf_token if session else getattr(request.state, "login_csrf", ""))
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    if getattr(request.state, "clear_refusal", False):  # web/flash.py: a refusal is shown once
        response.delete_cookie("ogi_refusal", path="/")
    return response
