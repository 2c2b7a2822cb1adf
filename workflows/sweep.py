"""The sweep: what the scheduler runs every few minutes and `ogi timers run` runs by hand.

In order: check the requests read model against the log and repair what disagrees (recorded), fire the lapses
due by now (their notices are written with them), write the reminders and overdue alerts due today into the
outbox, then sign a checkpoint of the log, write it to the checkpoint folder and mail it to every auditor with an
e-mail address, so that people outside the server hold a fresh head the log must extend. Every step is safe to run by two schedulers at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.adapters.checkpoints import Checkpoint
from workflows.accounts import User
from workflows.audit import AuditService
from workflows.notices import write_checkpoint_notices, write_due_reminders
from workflows.service import RequestService
from workflows.task_queue import TaskService

if TYPE_CHECKING:
    from workflows.projection_guard import Findings


@dataclass(frozen=True)
class SweepResult:
    fired: int  # timer events recorded
    reminders: int  # outbox rows written for reminders and alerts
    repaired: Findings | None  # what the read-model check found (and repaired), None without a guard
    checkpoint: tuple[Checkpoint, Path] | None  # the checkpoint signed, and where it was written


@dataclass
class Sweeper:
    requests: RequestService
    audit: AuditService
    checkpoint_folder: Path | None  # None: no checkpoints at sweeps (OGI_CHECKPOINT_DIR unset off the embedded default)
    tasks: TaskService

    def run(self, actor: User) -> SweepResult:
        actor.require_write("run the timers")
        repaired = self.requests.repair_projection(actor)
        fired = self.requests.run_due_timers(actor)
        reminders = self.write_reminders()
        self.tasks.refresh_day_dependent(self.requests.clock.now().date())
        signed = self.audit.checkpoint(self.checkpoint_folder) if self.checkpoint_folder else None
        if signed is not None:
            now = self.requests.clock.now()
            with self.requests.engine.begin() as conn:
                write_checkpoint_notices(conn, signed[0].as_dict(), now)
        return SweepResult(fired, reminders, repaired, signed)

    def write_reminders(self) -> int:
        now = self.requests.clock.now()
        with self.requests.engine.begin() as conn:
            return write_due_reminders(conn, now.date(), self.requests.calendar(conn), now)
