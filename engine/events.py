"""Event values shared by the pure core and the store (no I/O here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class NewEvent:
    """An event decided by a core function; the store gives it a stream version, record time and hashes."""

    type: str
    occurred_at: dt.datetime  # business time, naive Asia/Shanghai
    payload: dict
    actor: str | None = None  # None: the actor of the append it is written with


class Event(Protocol):
    """What a fold reads of an event: a decided `NewEvent` and a stored event alike."""

    @property
    def type(self) -> str: ...

    @property
    def occurred_at(self) -> dt.datetime: ...

    @property
    def payload(self) -> dict: ...
