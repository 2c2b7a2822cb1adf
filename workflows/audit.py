"""The auditor's side of the log: verify it, rotate the key of its chains (an event of its own)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from engine.adapters.eventstore import AuditResult, EventStore, StreamAppend
from engine.adapters.keys import KeyError_
from engine.clock import Clock
from engine.events import NewEvent
from workflows.accounts import User

KEY_STREAM = "log/keys"


@dataclass
class AuditService:
    engine: Engine
    store: EventStore
    clock: Clock

    def verify(self) -> AuditResult:
        with self.engine.connect() as conn:
            return self.store.verify(conn)

    def rotate_key(self, actor: User) -> tuple[str, str]:
        """A new key for everything written from now on; the old one stays in the keyring to verify what it signed.

        The new keyring is saved before the rotation is recorded: a crash between the two leaves a keyring that can
        verify the whole log, never a log event signed with a key nobody kept.
        """
        actor.require_admin("rotate the log's key")
        old = self.store.keyring
        if old is None:
            raise KeyError_("this store has no keyring")
        new = old.rotated()
        new.save()
        self.store.keyring = new
        now = self.clock.now()
        with self.engine.begin() as conn:
            version = self.store.stream_version(conn, KEY_STREAM)
            event = NewEvent("key_rotated", now, {"from": old.current, "to": new.current})
            self.store.append(conn, StreamAppend(KEY_STREAM, version, [event], actor.username), now)
        return old.current, new.current

