"""Signed checkpoints of the log, handed out so that a rewrite contradicts what others already hold.

A checkpoint is the log's size and head (the whole-log chain's value after its last event), signed with Ed25519
(RFC 8032) in the manner of a signed tree head (RFC 9162 §4.10): `{"log", "size", "head", "at", "key_id",
"public_key", "signature"}`. The signing key is derived from the log's current key (keys.py), so there is one
secret to keep. Verifying a log against a checkpoint asks: does the log still hold that many events, and is its
chain value at that event the checkpoint's head? Every earlier event is bound into that value, so truncation,
a deleted request, a rewritten event or a wiped log all fail — even one rewritten by someone holding the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from engine.adapters.keys import Keyring

LOG_NAME = "ogi"


def signing_key(key: bytes) -> Ed25519PrivateKey:
    seed = hmac.new(key, b"ogi checkpoint signing key", hashlib.sha256).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_of(key: bytes) -> str:
    return signing_key(key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def _signed_part(body: dict) -> bytes:
    return json.dumps({k: body[k] for k in ("log", "size", "head", "at", "key_id", "public_key")},
                      sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Checkpoint:
    size: int
    head: str
    at: str
    key_id: str
    public_key: str
    signature: str
    log: str = LOG_NAME

    def as_dict(self) -> dict:
        return {"log": self.log, "size": self.size, "head": self.head, "at": self.at, "key_id": self.key_id,
                "public_key": self.public_key, "signature": self.signature}

    def signature_holds(self) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(self.public_key)).verify(
                bytes.fromhex(self.signature), _signed_part(self.as_dict()))
            return True
        except (InvalidSignature, ValueError):
            return False


def sign(keyring: Keyring, size: int, head: str, at: dt.datetime) -> Checkpoint:
    key = signing_key(keyring.current_key)
    public = public_key_of(keyring.current_key)
    moment = at.isoformat(timespec="seconds")
    body = {"log": LOG_NAME, "size": size, "head": head, "at": moment, "key_id": keyring.current, "public_key": public}
    return Checkpoint(size, head, moment, keyring.current, public, key.sign(_signed_part(body)).hex())


def write(checkpoint: Checkpoint, folder: Path) -> Path:
    """Add the checkpoint to the folder, never replacing one (append-only by name).

    A head already handed out is not written again: a sweep with nothing new keeps the first signature of it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"checkpoint-{checkpoint.size:012d}-{checkpoint.head[:16]}.json"
    if path.exists():
        return path
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w") as out:
        json.dump(checkpoint.as_dict(), out, indent=1)
    return path


def read_all(folder: Path) -> list[tuple[Path, Checkpoint | None]]:
    """Every checkpoint file of the folder, oldest first; None for a file that is not a checkpoint."""
    found: list[tuple[Path, Checkpoint | None]] = []
    for path in sorted(folder.glob("checkpoint-*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            found.append((path, Checkpoint(int(data["size"]), data["head"], data["at"], data["key_id"],
                                           data["public_key"], data["signature"], data.get("log", LOG_NAME))))
        except (OSError, ValueError, KeyError, TypeError):
            found.append((path, None))
    return found
