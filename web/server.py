"""Serving the web app with uvicorn: in the foreground (`ogi web`) or in a thread beside the scheduler (`ogi up`)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import uvicorn

from bootstrap import App
from web.app import create_app

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


def serve(services: App, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Until SIGTERM or Ctrl-C (uvicorn's own handling)."""
    uvicorn.run(create_app(services), host=host, port=port, log_level="info", proxy_headers=False)


def serve_in_thread(services: App, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> Callable[[], None]:
    """Start serving in a thread; returns the function that stops it (signals stay with the main thread)."""
    server = uvicorn.Server(uvicorn.Config(create_app(services), host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="ogi-web", daemon=True)
    thread.start()

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
    return stop
