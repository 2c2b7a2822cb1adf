"""Placeholder: filled in by issue 20's web work."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
