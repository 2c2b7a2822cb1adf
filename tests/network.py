"""What the tests serve on loopback: free ports, and a real SMTP server (aiosmtpd) for whatever handler a test needs.
The `smtp_sink` fixture of tests/conftest.py is one that keeps every mail."""

from __future__ import annotations

import contextlib
import email
import socket
from collections.abc import Iterator

from aiosmtpd.controller import Controller

__all__ = ["KeepMail", "free_port", "smtp_server"]


def free_port() -> int:
    """A loopback TCP port nothing listens on now (the system picks it, so pytest-xdist workers never share one)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class KeepMail:
    """An aiosmtpd handler keeping every mail it is given."""

    def __init__(self) -> None:
        self.mails: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@contextlib.contextmanager
def smtp_server(handler, **options) -> Iterator[Controller]:
    """aiosmtpd serving `handler` on a free loopback port (options: ssl_context, authenticator ...), stopped after."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()
