"""Short-lived cookies signed with the application's key, for what a visitor carries without a session: the
applicant's lookup (web/lookup.py), a form kept over an expired session and a refused sign-in (web/flash.py).

The key is derived from the current key of the log (engine/adapters/keys.py: OGI_SECRET_KEY or the key file), so
every web process of one installation signs alike and nothing is stored on the server; without a keyring (some
tests) a random key of this process. Each cookie names its purpose and its end, so a cookie made for one use is no
good for another, nor after its time. Rotating the key ends them all, which costs a visitor one more sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import zlib

from fastapi import Request, Response

from web.auth import secure_cookies, services

MAX_COOKIE = 3600  # bytes: browsers keep at least 4096 per cookie, with its name and attributes
_PROCESS_KEY = secrets.token_bytes(32)


def _key(request: Request) -> bytes:
    keyring = getattr(services(request).store, "keyring", None)
    if keyring is None:
        return _PROCESS_KEY
    return hmac.new(keyring.current_key, b"ogi web cookies\x00", hashlib.sha256).digest()


def pack(request: Request, purpose: str, body: dict, lifetime_seconds: int, key: bytes | None = None) -> str:
    """`body` signed for `purpose` until `lifetime_seconds` from now; with the application's key, or `key` (a
    refusal shown after a redirect is signed with its session's CSRF token: web/flash.py)."""
    payload = {"for": purpose, "until": int(time.time()) + lifetime_seconds, "body": body}
    data = base64.urlsafe_b64encode(zlib.compress(json.dumps(payload, ensure_ascii=False).encode(), 9)).decode()
    mac = hmac.new(key or _key(request), data.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{mac}.{data}"


def unpack(request: Request, purpose: str, cookie: str | None, key: bytes | None = None) -> dict | None:
    """The body, if the cookie was signed (with the application's key, or `key`) for `purpose` and has not ended;
    else None."""
    if not cookie or "." not in cookie or len(cookie) > MAX_COOKIE * 2:
        return None
    mac, data = cookie.split(".", 1)
    if not hmac.compare_digest(mac, hmac.new(key or _key(request), data.encode(), hashlib.sha256).hexdigest()[:32]):
        return None
    try:
        inflate = zlib.decompressobj()  # bounded: even a signed cookie cannot inflate into memory
        payload = json.loads(inflate.decompress(base64.urlsafe_b64decode(data.encode()), MAX_COOKIE * 8))
        if payload["for"] != purpose or int(payload["until"]) < time.time() or not isinstance(payload["body"], dict):
            return None
        return payload["body"]
    except (ValueError, KeyError, TypeError, zlib.error):
        return None


def set_signed(response: Response, name: str, value: str, lifetime_seconds: int) -> None:
    response.set_cookie(name, value, max_age=lifetime_seconds, httponly=True, samesite="strict",
                        secure=secure_cookies(), path="/")


def forget(response: Response, name: str) -> None:
    response.delete_cookie(name, path="/")
