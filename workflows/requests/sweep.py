"""The sweep: what the scheduler runs every few minutes and `ogi timers run` runs by hand.

In order: check the requests read model against the log and repair what disagrees (recorded), fire the lapses
due by now (their notices are written with them, by a projector), run the after-timers hooks (bootstrap registers
the reminders and overdue alerts due today), then sign a checkpoint of the log, write it to the checkpoint folder
and run the after-checkpoint hooks (bootstrap registers its mail to every auditor), so that people outside the
server hold a fresh head the log must extend. Every step is safe to run by two schedulers at once.

The hooks are how the sweep reaches the notifications without importing them (like dramatiq's middleware): the
requests layer stays below `notifications/`, and a sweep without hooks still fires timers and signs checkpoints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Connection

from engine.adapters.checkpoints import Checkpoint
from engine.calendar import WorkingCalendar
from workflows.integrity.audit import AuditService
from workflows.people.accounts import User
from workflows.readmodels.tasks import TaskService
from workflows.requests.service import RequestService

if TYPE_CHECKING:
    from workflows.readmodels.guard import Findings


class AfterTimers(Protocol):
    """Runs in a transaction of its own once the due timers have fired; returns how many messages it wrote."""

    def __call__(self, conn: Connection, today: dt.date, calendar: WorkingCalendar, now: dt.datetime) -> int: ...


class Housekeeping(Protocol):
    """Runs in a transaction of its own at every sweep (what is kept no longer than needed); returns rows touched."""

    def __call__(self, conn: Connection, now: dt.datetime) -> int: ...


class AfterCheckpoint(Protocol):
    """Runs in a transaction of its own once a checkpoint is signed and written; returns how many messages it wrote."""

    def __call__(self, conn: Connection, checkpoint: dict, now: dt.datetime) -> int: ...


@dataclass(frozen=True)
class SweepResult:
    fired: int  # timer events recorded
    reminders: int  # messages the after-timers hooks wrote (reminders and alerts)
    repaired: Findings | None  # what the read-model check found (and repaired), None without a guard
    checkpoint: tuple[Checkpoint, Path] | None  # the checkpoint signed, and where it was written


@dataclass
class Sweeper:
    requests: RequestService
    audit: AuditService
    checkpoint_folder: Path | None  # None: no checkpoints at sweeps (OGI_CHECKPOINT_DIR unset off the embedded default)
    tasks: TaskService
    after_timers: Sequence[AfterTimers] = field(default_factory=tuple)
    after_checkpoint: Sequence[AfterCheckpoint] = field(default_factory=tuple)
    housekeeping: Sequence[Housekeeping] = field(default_factory=tuple)

    def run(self, actor: User) -> SweepResult:
        actor.require_write("run the timers")
        repaired = self.requests.repair_projection(actor)
        fired = self.requests.run_due_timers(actor)
        reminders = self.write_reminders()
        self.keep_house()
        self.tasks.refresh_day_dependent(self.requests.clock.now().date())
        signed = self.audit.checkpoint(self.checkpoint_folder) if self.checkpoint_folder else None
        if signed is not None:
            now = self.requests.clock.now()
            for hook in self.after_checkpoint:
                with self.requests.engine.begin() as conn:
                    hook(conn, signed[0].as_dict(), now)
        return SweepResult(fired, reminders, repaired, signed)

    def keep_house(self) -> int:
        now, touched = self.requests.clock.now(), 0
        for hook in self.housekeeping:
            with self.requests.engine.begin() as conn:
                touched += hook(conn, now)
        return touched

    def write_reminders(self) -> int:
        """The after-timers hooks, each in its own transaction: one that fails leaves the others' messages written."""
        now = self.requests.clock.now()
        written = 0
        for hook in self.after_timers:
            with self.requests.engine.begin() as conn:
                written += hook(conn, now.date(), self.requests.calendar(conn), now)
        return written
