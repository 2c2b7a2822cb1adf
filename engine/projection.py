"""After-append projectors: what runs inside the transaction of every append, and how read models are rebuilt.

The application service appends a stream's new events and hands each projector the `Change` (state before,
state after, the stored events) in the same transaction, so a read model, a watch or an outbox row is
written with the event that causes it or not at all. A `ReadModel` can also be thrown away and folded again
from the log (`ogi projections rebuild`); a projector that is not one (a watch that appends events, an
outbox) never runs on a rebuild, so a rebuild repeats no side effect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:  # types only: the protocols do no I/O themselves
    from sqlalchemy import Connection

    from engine.adapters.eventstore import EventStore, StoredEvent

S = TypeVar("S")


@dataclass(frozen=True)
class Change(Generic[S]):
    """One stream's append: the folded state before and after, and the events as stored."""

    stream_id: str
    before: S
    after: S
    events: Sequence[StoredEvent]
    actor: str
    now: dt.datetime

    @property
    def version(self) -> int:
        return self.events[-1].version

    @property
    def stream_hash(self) -> str:
        return self.events[-1].stream_hash

    @property
    def is_new(self) -> bool:
        """The stream was created by this append."""
        return self.events[0].version == 1


class Projector(Protocol[S]):
    """Runs after every append of the streams it is registered for, in the append's transaction."""

    name: str

    def apply(self, conn: Connection, changes: Sequence[Change[S]]) -> None: ...


@runtime_checkable
class ReadModel(Protocol):
    """A table (or several) derived from the log alone: it can be cleared and folded again."""

    @property
    def name(self) -> str: ...  # read-only, so a frozen dataclass is one too

    def rebuild(self, conn: Connection, store: EventStore) -> int:
        """Delete its rows and fold them again from the log; returns the number of rows written."""
        ...
