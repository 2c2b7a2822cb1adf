"""The 查询码 of a receipt: eight characters keyed under the log's key, so nobody can work it out from the request id.

Keyed with the key the request's first event was recorded under (its row names the key id), so the code on the
receipt outlives `ogi audit rotate-key`: the keyring keeps retired keys. Only rows from before keys (key id "")
fall back to the current key; without a keyring (some tests) it is a plain digest.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, Engine

from engine.adapters.database import snapshot
from engine.adapters.keys import Keyring
from workflows.readmodels.log import receipt_key_id


def query_code(keyring: Keyring | None, engine: Engine, request_id: str, conn: Connection | None = None) -> str:
    material = f"lookup\x1f{request_id}".encode()
    if keyring is None:
        return hashlib.sha256(material).hexdigest()[:8].upper()
    if conn is None:  # a read that takes no write lock: the caller may hold a connection of its own (SQLite)
        with snapshot(engine) as own:
            key = receipt_key_id(own, request_id)
    else:
        key = receipt_key_id(conn, request_id)
    return keyring.mac(key if key in keyring.keys else keyring.current, material)[:8].upper()
