"""Handling inside an agency (签收/转办/退回/协办): the request is with one department at a time, may be transferred or
sent back with a reason, and other departments may be asked to assist by a day of their own.

The agency received the request, so none of this touches the reply period: it keeps running through every
transfer (no suspension, no new start). Pure: which department codes exist is checked by the service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Assistance:
    department: str
    requested_on: dt.date
    due_on: dt.date
    answered_on: dt.date | None = None
    note: str | None = None


def open_assistance(assists: tuple[Assistance, ...], department: str) -> Assistance | None:
    return next((a for a in assists if a.department == department and a.answered_on is None), None)


# -- guards (the rule in words when refused) ---------------------------------------------------------------------
def assign_refusal(current: str | None, department: str) -> str | None:
    if not department.strip():
        return "an assignment names the department (--department)"
    if current is not None:
        return f"the request is with {current}; transfer it (transfer_department, with the reason) or send it back"
    return None


def transfer_refusal(current: str | None, department: str, reason: str) -> str | None:
    if current is None:
        return "the request is with no department yet: assign it first (assign_department)"
    if department == current:
        return f"the request is already with {department}"
    if not department.strip() or not reason.strip():
        return "a transfer (转办) names the department and the reason (--department, --reason)"
    return None


def send_back_refusal(current: str | None, reason: str) -> str | None:
    if current is None:
        return "the request is with no department: there is nothing to send back"
    if not reason.strip():
        return "sending a request back (退回) states why it is not this department's (--reason)"
    return None


def assistance_refusal(assists: tuple[Assistance, ...], current: str | None, department: str, due_on: str,
                       today: dt.date, reply_due: dt.date | None) -> str | None:
    if not department.strip() or department == current:
        return "协办 asks another department than the one handling the request (--department)"
    if open_assistance(assists, department) is not None:
        return f"{department} has already been asked to assist and has not answered yet"
    try:
        due = dt.date.fromisoformat(due_on)
    except ValueError:
        return f"the assisting department's due day '{due_on}' is not a date (YYYY-MM-DD)"
    if due < today:
        return f"the assisting department's due day {due} is in the past"
    if reply_due is not None and due > reply_due:
        return (f"the assisting department's due day {due} is after the reply is due ({reply_due}): the reply period "
                "keeps running through 协办 (Art. 33)")
    return None


def answer_refusal(assists: tuple[Assistance, ...], department: str) -> str | None:
    if open_assistance(assists, department) is None:
        return f"{department} was not asked to assist, or has answered already"
    return None


# -- evolve ---------------------------------------------------------------------------------------------------------
def assistance_requested(assists: tuple[Assistance, ...], p: dict, day: dt.date) -> tuple[Assistance, ...]:
    return assists + (Assistance(p["department"], day, dt.date.fromisoformat(p["due_on"])),)


def assistance_answered(assists: tuple[Assistance, ...], p: dict, day: dt.date) -> tuple[Assistance, ...]:
    return tuple(replace(a, answered_on=day, note=p.get("note")) if a.department == p["department"] and a.answered_on is None
                 else a for a in assists)
