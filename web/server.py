"""Serving the web app with uvicorn: in the foreground (`ogi web`) or in a thread beside the scheduler (`ogi up`)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import uvicorn

from bootstrap import App
from web.app import create_app

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


def proxy_settings() -> dict:
    """Whose X-Forwarded-For to believe: only the reverse proxies named in OGI_TRUSTED_PROXIES (comma-separated
    addresses, e.g. 127.0.0.1 for an nginx on the same host). Unset: none — the rate limits of /lookup, /apply
    and /my count the address that connected, which a visitor cannot choose by sending a header."""
    trusted = os.environ.get("OGI_TRUSTED_PROXIES", "").strip()
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def serve(services: App, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Until SIGTERM or Ctrl-C (uvicorn's own handling)."""
    uvicorn.run(create_app(services), host=host, port=port, log_level="info", **proxy_settings())


def serve_in_thread(services: App, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> Callable[[], None]:
    """Start serving in a thread; returns the function that stops it (signals stay with the main thread)."""
    server = uvicorn.Server(uvicorn.Config(create_app(services), host=host, port=port, log_level="warning",
                                           **proxy_settings()))
    thread = threading.Thread(target=server.run, name="ogi-web", daemon=True)
    thread.start()

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
    return stop
