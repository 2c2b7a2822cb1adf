"""The CLI renders through the shared Jinja2 environment (engine/rendering.py)."""

from engine.rendering import environment, render

__all__ = ["environment", "render"]
