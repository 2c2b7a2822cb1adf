"""The auditor's side of the log: verify it, sign checkpoints and check the log against them, rotate its key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from engine.adapters import checkpoints
from engine.adapters.checkpoints import Checkpoint
from engine.adapters.database import snapshot
from engine.adapters.eventstore import AuditResult, EventStore, StreamAppend, log_head_table
from engine.adapters.keys import Keyring, KeyringError
from engine.clock import Clock
from engine.events import NewEvent
from workflows.people.accounts import User
from workflows.streams import KEY_STREAM


@dataclass
class AuditService:
    engine: Engine
    store: EventStore
    clock: Clock

    def verify(self) -> AuditResult:
        with self.engine.connect() as conn:
            return self.store.verify(conn)

    def checkpoint(self, folder: Path) -> tuple[Checkpoint, Path]:
        """Sign the log's size and head now and add the checkpoint to `folder` (to be handed to the auditors)."""
        keyring = self._keyring()
        with snapshot(self.engine) as conn:
            head = conn.execute(select(log_head_table.c.seq, log_head_table.c.log_hash)).one()
        signed = checkpoints.sign(keyring, head.seq, head.log_hash, self.clock.now())
        return signed, checkpoints.write(signed, folder)

    def verify_against(self, folder: Path) -> list[str]:
        """The problems found between the log and each checkpoint kept in `folder` (empty: the log extends them all)."""
        keyring = self._keyring()
        problems = []
        found = checkpoints.read_all(folder)
        if not found:
            return [f"{folder} 中没有检查点"]
        with snapshot(self.engine) as conn:
            size = self.store.count(conn)
            for path, checkpoint in found:
                problem = self._compare(conn, keyring, size, checkpoint)
                if problem:
                    problems.append(f"{path.name}：{problem}")
        return problems

    def _compare(self, conn, keyring: Keyring, size: int, checkpoint: Checkpoint | None) -> str | None:
        if checkpoint is None:
            return "不是检查点（无法读取）"
        if not checkpoint.signature_holds():
            return "检查点的签名不成立"
        key = keyring.keys.get(checkpoint.key_id)
        if key is None or checkpoints.public_key_of(key) != checkpoint.public_key:
            return f"签名所用的密钥 {checkpoint.key_id} 不是本日志的密钥"
        if checkpoint.size > size:
            return (f"日志被截短或清空：{checkpoint.at} 的检查点包含 {checkpoint.size} 个事件，日志现在只有 {size} 个")
        if checkpoint.size == 0:
            return None
        head = self.store.log_hash_at(conn, checkpoint.size)
        if head != checkpoint.head:
            return (f"日志在第 {checkpoint.size} 个事件或之前被改写：日志此处的链值为 {(head or '缺失')[:16]}…，"
                    f"{checkpoint.at} 的检查点记录的是 {checkpoint.head[:16]}…")
        return None

    def _keyring(self) -> Keyring:
        if self.store.keyring is None:
            raise KeyringError("日志没有密钥环：无法签名或校验")
        return self.store.keyring

    def rotate_key(self, actor: User) -> tuple[str, str]:
        """A new key for everything written from now on; the old one stays in the keyring to verify what it signed.

        The new keyring is saved before the rotation is recorded: a crash between the two leaves a keyring that can
        verify the whole log, never a log event signed with a key nobody kept.
        """
        actor.require_admin("rotate the log's key")
        old = self._keyring()
        new = old.rotated()
        new.save()
        self.store.keyring = new
        now = self.clock.now()
        with self.engine.begin() as conn:
            version = self.store.stream_version(conn, KEY_STREAM)
            event = NewEvent("key_rotated", now, {"from": old.current, "to": new.current})
            self.store.append(conn, StreamAppend(KEY_STREAM, version, [event], actor.username), now)
        return old.current, new.current

