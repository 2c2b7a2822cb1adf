"""Keyed digests and codes of the online door: a code, a client address or a phone is kept only as an HMAC under
the installation's key (bootstrap derives `secret` from the log's key), so a leaked table names no one and a
code cannot be tried offline."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def keyed(secret: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` for `purpose` (hex, 64 characters)."""
    return hmac.new(secret, f"{purpose}\x1f{value}".encode(), hashlib.sha256).hexdigest()


def same(secret: bytes, purpose: str, value: str, digest: str | None) -> bool:
    """`value` is the one `digest` was made of (compared in constant time)."""
    return digest is not None and hmac.compare_digest(keyed(secret, purpose, value), digest)


def new_code() -> str:
    """Six digits, as every SMS code in China reads."""
    return f"{secrets.randbelow(1_000_000):06d}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def masked_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "****" + phone[-2:]


def masked_email(email: str) -> str:
    name, _, domain = email.partition("@")
    return (name[:1] or "*") + "***@" + domain
