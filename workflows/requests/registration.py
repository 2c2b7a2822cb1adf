"""Registering a request from a form or the API (DESIGN §10 `POST /api/v1/requests`): an import line's fields without
`events` and `received_at`, registered now (the form may back-date it by `received_on`); the id is the caller's or
the next of the agency's year. workflows/documents/intake.py registers and issues the receipt in one call."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy import Connection

from engine.adapters.counters import take_next
from engine.errors import RuleViolation
from workflows.foi import commands as c
from workflows.foi.identifiers import (
    InputRefused,
    check_applicant_id_number,
    check_phone,
    check_request_id,
    text_problem,
)
from workflows.foi.obtaining import OBTAIN_METHOD_LABELS, ObtainMethod
from workflows.requests.input_limits import check_field, check_values
from workflows.tables import document_numbers_table

APPLICANT_FIELDS = ("name", "id_number", "phone", "email", "address", "organisation_code")
REQUEST_ID_COUNTER = "request_id"  # the agency's counter of registered requests in document_numbers
# 国务院令第492号 (the first Regulation) took effect on 1 May 2008: no application to ogi's agencies is older
FIRST_RECEIVABLE_DAY = dt.date(2008, 5, 1)
EMAIL_PATTERN = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]+")


def receive_command(values: Mapping[str, object], request_id: str, now: dt.datetime) -> c.Receive:
    """The `receive` step from flat form fields (applicant_name, …) or an import line's nested `applicant`.

    `received_on` (a form's back-entry, 补录): the day the application arrived, if not today; the reply period
    counts from it (Art. 31, 33). Never after today, never before the Regulation's first day in force."""
    applicant = values.get("applicant")
    if not isinstance(applicant, dict):
        applicant = {"kind": values.get("kind") or values.get("applicant_kind"),
                     **{k: values.get(f"applicant_{k}") or values.get(k) for k in APPLICANT_FIELDS}}
    applicant = {k: str(v).strip() for k, v in applicant.items() if v not in (None, "")}
    for needed, label in (("kind", "申请人类型"), ("name", "申请人姓名或名称")):
        if not applicant.get(needed):
            raise RuleViolation(f"请填写{label}", "Art. 29 ¶2(1)")
    subject = str(values.get("subject") or "").strip()
    if not subject:
        raise RuleViolation("请填写所需信息的内容描述", "Art. 29 ¶2(2)")

    def optional(name: str) -> str | None:
        return str(values[name]).strip() or None if values.get(name) else None

    return checked_receive(c.Receive(
        at=received_at(values.get("received_on"), now), request_id=request_id,
        agency=str(values.get("agency") or ""), applicant=applicant, channel=str(values.get("channel") or ""),
        subject=subject, form_requested=optional("form_requested"), obtain_method=optional("obtain_method"),
        assisted_by=optional("assisted_by"), procedure=optional("procedure")))


def received_at(text: object, now: dt.datetime, label: str = "收到申请日期") -> dt.datetime:
    """The moment a registration records as received: now, or on a day given for back-entry (at this time of day,
    so entries of one day keep their order). Full-width digits (２０２６－１２－０１) are read as their ASCII forms."""
    raw = unicodedata.normalize("NFKC", str(text or "")).strip().replace("/", "-").replace(".", "-")
    if not raw:
        return now
    problem = text_problem(raw, 40, multiline=False)
    if problem:
        raise InputRefused(label, problem)
    try:
        day = dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise InputRefused(label, f"“{raw[:20]}”不是有效日期，请按 2026-12-01 的格式填写")
    if day > now.date():
        raise RuleViolation(f"{label} {day.isoformat()} 晚于今天（{now.date().isoformat()}），不能登记将来的日期",
                            "Art. 31")
    if day < FIRST_RECEIVABLE_DAY:
        raise RuleViolation(f"{label} {day.isoformat()} 早于《政府信息公开条例》施行之日"
                            f"（{FIRST_RECEIVABLE_DAY.year}年5月1日）；更早的案卷请按历史档案导入", "Art. 31")
    return now if day == now.date() else dt.datetime.combine(day, now.time())


def checked_receive(command: c.Receive) -> c.Receive:
    """The one check of a new request at every door (form, API, `ogi request new`, import): the id's pattern, every
    text within its column's limit without NUL or lone surrogates, a 居民身份证 number's check digit, the phone and
    the e-mail address, the 获取方式 one of ObtainMethod; the returned command holds the id number, phone and
    e-mail normalised (NFKC)."""
    check_request_id(command.request_id, "id")
    for name in ("agency", "channel", "subject", "form_requested", "obtain_method", "assisted_by", "procedure"):
        value = getattr(command, name)
        if isinstance(value, str):
            check_field(name, value)
    if command.obtain_method is not None and command.obtain_method not in set(ObtainMethod):
        raise InputRefused("获取信息的方式", "请选择" + "、".join(OBTAIN_METHOD_LABELS.values()) + "之一")
    applicant = dict(command.applicant)
    check_values(applicant, "applicant")
    kind = applicant.get("kind")
    if applicant.get("id_number"):
        applicant["id_number"] = check_applicant_id_number(applicant["id_number"], kind, "applicant.id_number")
    if applicant.get("phone"):
        applicant["phone"] = check_phone(applicant["phone"], "applicant.phone")
    if applicant.get("email"):
        applicant["email"] = checked_email(applicant["email"])
    return replace(command, applicant=applicant) if applicant != command.applicant else command


def checked_email(value: str) -> str:
    email = unicodedata.normalize("NFKC", value).strip()
    if not EMAIL_PATTERN.fullmatch(email):
        raise InputRefused("电子邮箱", f"“{email[:40]}”不是有效的电子邮箱地址（例如 zhangsan@example.cn）")
    return email


def next_request_id(conn: Connection, agency: str, year: int, taken) -> str:
    """`{agency}-{year}-{NNNNN}` from a counter locked in the registering transaction; ids already used (say by an
    imported history of the same form) are skipped."""
    sequence = take_next(conn, document_numbers_table, {"agency": agency, "doc_type": REQUEST_ID_COUNTER, "year": year},
                         lambda number: taken(request_id_of(agency, year, number)))
    return request_id_of(agency, year, sequence)


def request_id_of(agency: str, year: int, sequence: int) -> str:
    return f"{agency}-{year}-{sequence:05d}"
