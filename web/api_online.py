"""Placeholder: the online door's API (issue 20 item 6), filled in by its web work."""

from __future__ import annotations

from fastapi import FastAPI

from bootstrap import App


def add_online_routes(api: FastAPI, services: App) -> None:
    return None
