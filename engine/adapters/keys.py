"""The keys that make the log's hash chains keyed (HMAC-SHA256): held outside the database, never stored in it.

Where the keys come from, in order:
- `OGI_SECRET_KEY` (any string; the key is its SHA-256), with retired keys in `OGI_PREVIOUS_KEYS` (comma-separated),
  so old segments of the log stay verifiable after a rotation;
- else a key file: `OGI_KEY_FILE`, or, on the embedded default, `<database>.keys` beside the SQLite file,
  created on first use with mode 0600. It holds every key the log was written with and names the current one.

A key is known by its id (the first 16 hex digits of a hash of the key), which each event row records, so the
verifier picks the right key for each segment and a row rewritten with a key it does not hold is caught.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import OgiError


class KeyringError(OgiError):
    """No key, or a key file that cannot be read or written."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"ogi key id\x00" + key).hexdigest()[:16]


def key_from_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


@dataclass
class Keyring:
    """The current key and every retired one, by id."""

    current: str
    keys: dict[str, bytes] = field(default_factory=dict)
    file: Path | None = None  # where it is kept, when it is a key file (rotation writes there)
    created: bool = False  # made by this process just now (the embedded default's first start says so)

    @classmethod
    def single(cls, secret: str) -> Keyring:
        key = key_from_secret(secret)
        return cls(key_id(key), {key_id(key): key})

    @property
    def current_key(self) -> bytes:
        return self.keys[self.current]

    def mac(self, key_id_: str, material: bytes) -> str:
        key = self.keys.get(key_id_)
        if key is None:
            raise KeyringError(f"密钥文件中没有编号为 {key_id_} 的日志密钥：请用签署这些事件时的密钥文件")
        return hmac.new(key, material, hashlib.sha256).hexdigest()

    def rotated(self) -> Keyring:
        """A new current key; the old ones stay for verifying what they signed."""
        key = secrets.token_bytes(32)
        return Keyring(key_id(key), {**self.keys, key_id(key): key}, self.file)

    def save(self) -> None:
        if self.file is None:
            raise KeyringError("日志密钥来自环境变量 OGI_SECRET_KEY，ogi 不能修改环境变量：请把新密钥设在 OGI_SECRET_KEY，"
                            "旧密钥移到 OGI_PREVIOUS_KEYS")
        data = json.dumps({"current": self.current, "keys": {k: v.hex() for k, v in self.keys.items()}}, indent=1)
        temporary = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.file)


def keyring_from_environment(sqlite_path: Path | None) -> Keyring:
    """The keyring for this process (see the module's docstring); creates the embedded default's key file."""
    secret = os.environ.get("OGI_SECRET_KEY")
    if secret:
        ring = Keyring.single(secret)
        for old in filter(None, (s.strip() for s in os.environ.get("OGI_PREVIOUS_KEYS", "").split(","))):
            key = key_from_secret(old)
            ring.keys[key_id(key)] = key
        return ring
    named = os.environ.get("OGI_KEY_FILE")
    path = Path(named) if named else (sqlite_path.with_name(sqlite_path.name + ".keys") if sqlite_path else None)
    if path is None:
        raise KeyringError("使用 SQLite 以外的数据库时须设置 OGI_SECRET_KEY（或 OGI_KEY_FILE）：日志密钥不能存放在它所"
                        "保护的数据库中")
    if path.exists():
        return _read(path)
    key = secrets.token_bytes(32)
    ring = Keyring(key_id(key), {key_id(key): key}, path, created=True)
    ring.save()
    return ring


def _read(path: Path) -> Keyring:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Keyring(data["current"], {k: bytes.fromhex(v) for k, v in data["keys"].items()}, path)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KeyringError(f"无法读取密钥文件 {path}：{error}") from None
