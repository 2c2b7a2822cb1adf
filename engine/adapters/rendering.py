"""Jinja2 for every text a person reads (CLI output, report pages, documents); templates live in templates/."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"


def _is_html(name: str | None) -> bool:
    """Escape in pages (x.html.j2), never in plain text and documents."""
    return name is not None and name.endswith((".html.j2", ".html"))


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES_DIR), undefined=StrictUndefined, keep_trailing_newline=True,
                       autoescape=_is_html)


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)
