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
        return "分办须写明承办部门（department）"
    if current is not None:
        return f"申请已分办至“{current}”：请转办（说明理由）或由该部门退回"
    return None


def transfer_refusal(current: str | None, department: str, reason: str) -> str | None:
    if current is None:
        return "申请尚未分办至承办部门：须先分办"
    if department == current:
        return f"申请已在“{department}”办理，不能转办给同一部门"
    if not department.strip() or not reason.strip():
        return "转办须写明部门（department）和理由（reason）"
    return None


def send_back_refusal(current: str | None, reason: str) -> str | None:
    if current is None:
        return "申请尚未分办至承办部门，没有可退回的分办"
    if not reason.strip():
        return "退回须说明不属于本部门职责的理由（reason）"
    return None


def assistance_refusal(assists: tuple[Assistance, ...], current: str | None, department: str, due_on: str,
                       today: dt.date, reply_due: dt.date | None) -> str | None:
    if not department.strip() or department == current:
        return "协办须请承办部门以外的其他部门（department）"
    if open_assistance(assists, department) is not None:
        return f"已请“{department}”协办，该部门尚未回复"
    try:
        due = dt.date.fromisoformat(due_on)
    except ValueError:
        return f"协办期限（due_on）“{due_on}”不是有效的日期，请按 YYYY-MM-DD 填写"
    if due < today:
        return f"协办期限（due_on）{due} 已经过去，请填写今天或以后的日期"
    if reply_due is not None and due > reply_due:
        return (f"协办期限（due_on）{due} 晚于答复期限（{reply_due}）：协办期间答复期限照常计算"
                "（《条例》第三十三条）")
    return None


def answer_refusal(assists: tuple[Assistance, ...], department: str) -> str | None:
    if open_assistance(assists, department) is None:
        return f"没有请“{department}”协办，或该部门已经回复"
    return None


# -- evolve ---------------------------------------------------------------------------------------------------------
def assistance_requested(assists: tuple[Assistance, ...], p: dict, day: dt.date) -> tuple[Assistance, ...]:
    return assists + (Assistance(p["department"], day, dt.date.fromisoformat(p["due_on"])),)


def assistance_answered(assists: tuple[Assistance, ...], p: dict, day: dt.date) -> tuple[Assistance, ...]:
    return tuple(replace(a, answered_on=day, note=p.get("note")) if a.department == p["department"] and a.answered_on is None
                 else a for a in assists)
