"""Which reminders and overdue alerts are due for a request today (DESIGN §8), as data and one pure function.

A reminder for working day D (k working days before a deadline's due day; k = 0 is the due day itself) is due
from 00:00 of D until the due day; one missed while the system was down goes out when it is back, coalesced as
APScheduler coalesces missed runs: of the reminders of one deadline whose day has come only the latest is written
(after a week down, the 0-day one, not the 5-, 2- and 0-day together), and it supersedes an earlier one still
waiting in the outbox (notifications/outbox.py `supersede`): one message per deadline per channel per recipient.
After the due day of the reply: an overdue alert (督办) each working day, the day's alone. Only a deadline that is running now is reminded of: a request concluded or suspended since gets none,
and a message written before that is cancelled at delivery (`still_due`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine.calendar import WorkingCalendar
from workflows.foi.state import Stage

HANDLER = "handler"  # the request's handler, else the agency's staff
HANDLER_AND_HEADS = "handler_and_heads"  # 督办: the handler (or the agency's staff) and the agency's heads
DEFAULT_REPLY_OFFSETS = (5, 2, 0)


@dataclass(frozen=True)
class ReminderRule:
    deadline: str
    stages: tuple[Stage, ...]  # the stages in which this deadline runs (and is reminded of)
    offsets: tuple[int, ...] | None  # working days before the due day; None: the agency's setting (reply)
    overdue: str | None  # "daily" (each working day), or None (nothing, or the lapse itself notifies)
    article: str


RULES = (
    ReminderRule("reply", (Stage.PROCESSING,), None, "daily", "Art. 33"),
    # most applications need no correction: past its limit there is nothing to alert about (docs/readings.md)
    ReminderRule("correction_notice", (Stage.PROCESSING,), (2,), None, "Art. 30"),
    ReminderRule("correction", (Stage.AWAITING_CORRECTION,), (2,), None, "Art. 30"),
    ReminderRule("payment", (Stage.AWAITING_PAYMENT,), (2,), None, "109号"),
)
RULE_OF = {rule.deadline: rule for rule in RULES}
LAPSE_NOTICES = frozenset({"correction", "payment", "consultation"})  # periods whose lapse is announced


@dataclass(frozen=True)
class Notice:
    """One message to write: its kind (`reminder.reply.2`, `overdue.reply`…), about which due date, to whom."""

    kind: str
    deadline: str
    due: dt.date
    audience: str
    day: dt.date | None = None  # set for a daily alert: one a day


def working_day_before(calendar: WorkingCalendar, due: dt.date, days: int) -> dt.date:
    """The working day `days` working days before `due` (`due` itself for 0)."""
    day = due
    while days > 0:
        day -= dt.timedelta(days=1)
        if calendar.is_workday(day):
            days -= 1
    return day


def due_notices(stage: str, deadlines: dict[str, dict], today: dt.date, calendar: WorkingCalendar,
                reply_offsets: tuple[int, ...] = DEFAULT_REPLY_OFFSETS) -> list[Notice]:
    """The notices due `today` for a request in `stage` with `deadlines` (name -> {"due": ISO date, …})."""
    notices = []
    for rule in RULES:
        due = running_due(rule, stage, deadlines)
        if due is None:
            continue
        arrived = [offset for offset in (rule.offsets if rule.offsets is not None else reply_offsets)
                   if working_day_before(calendar, due, offset) <= today <= due]
        if arrived:  # coalesced: after a downtime only the latest reminder due, never the 5-, 2- and 0-day at once
            latest = min(arrived)
            notices.append(Notice(f"reminder.{rule.deadline}.{latest}", rule.deadline, due, HANDLER))
        if today > due and rule.overdue == "daily" and calendar.is_workday(today):
            notices.append(Notice(f"overdue.{rule.deadline}", rule.deadline, due, HANDLER_AND_HEADS, today))
    return notices


def running_due(rule: ReminderRule, stage: str, deadlines: dict[str, dict]) -> dt.date | None:
    if stage not in rule.stages:
        return None
    due = deadlines.get(rule.deadline, {}).get("due")
    return dt.date.fromisoformat(due) if due else None


def still_due(kind: str, stage: str, deadlines: dict[str, dict], due: dt.date | None) -> bool:
    """Whether a reminder or alert written earlier is still true now: the deadline runs, with the same due day."""
    parts = kind.split(".")
    rule = RULE_OF.get(parts[1]) if len(parts) > 1 and parts[0] in ("reminder", "overdue") else None
    if rule is None:
        return True  # not about a running deadline (a lapse, a task): true once written
    return running_due(rule, stage, deadlines) == due
