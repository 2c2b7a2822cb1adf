"""Jinja2 for every text a person reads (CLI output, web pages, report pages, documents, messages): ONE environment,
templates in templates/ (the web pages in templates/web/ are found by their bare name, `request.html.j2`).

Escaping is decided by the template's name, never by the caller: every `.html.j2` / `.html` / `.xml.j2` / `.svg.j2`
is autoescaped, plain text (`.txt.j2`, `.md.j2`) never is. Only markup ogi built itself from escaped parts may be
marked safe (`markupsafe.Markup`); no template uses `|safe` on data."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
WEB_TEMPLATES_DIR = TEMPLATES_DIR / "web"

# `select_autoescape` matches the end of the name: "html.j2" covers "request.html.j2" (its default list does not)
ESCAPED_EXTENSIONS = ("html", "htm", "xml", "svg", "html.j2", "htm.j2", "xml.j2", "svg.j2")
_is_html = select_autoescape(enabled_extensions=ESCAPED_EXTENSIONS, disabled_extensions=(), default_for_string=True,
                             default=False)


def is_escaped(name: str | None) -> bool:
    """Whether a template of this name is autoescaped (a string template, `None`, is)."""
    return bool(_is_html(name))


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=FileSystemLoader([TEMPLATES_DIR, WEB_TEMPLATES_DIR]), undefined=StrictUndefined,
                       keep_trailing_newline=True, autoescape=_is_html)


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)
