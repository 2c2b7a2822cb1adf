"""Registering a request from a form or the API (DESIGN §10 `POST /api/v1/requests`): an import line's fields without
`events` and `received_at`, registered now; the id is the caller's or the next of the agency's year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy import Connection

from engine.adapters.counters import take_next
from engine.errors import OgiError
from workflows.foi import commands as c
from workflows.foi.identifiers import check_applicant_id_number, check_phone, check_request_id
from workflows.requests.input_limits import check_field, check_values
from workflows.tables import document_numbers_table

APPLICANT_FIELDS = ("name", "id_number", "phone", "email", "address", "organisation_code")
REQUEST_ID_COUNTER = "request_id"  # the agency's counter of registered requests in document_numbers


def receive_command(values: Mapping[str, object], request_id: str, now: dt.datetime) -> c.Receive:
    """The `receive` step from flat form fields (applicant_name, …) or an import line's nested `applicant`."""
    applicant = values.get("applicant")
    if not isinstance(applicant, dict):
        applicant = {"kind": values.get("kind") or values.get("applicant_kind"),
                     **{k: values.get(f"applicant_{k}") or values.get(k) for k in APPLICANT_FIELDS}}
    applicant = {k: str(v).strip() for k, v in applicant.items() if v not in (None, "")}
    for needed, label in (("kind", "申请人类型 applicant kind"), ("name", "申请人姓名或名称 applicant name")):
        if not applicant.get(needed):
            raise OgiError(f"a request needs the {label}")
    subject = str(values.get("subject") or "").strip()
    if not subject:
        raise OgiError("a request needs the description of the information asked for (subject, 所需信息的内容描述)")
    def optional(name: str) -> str | None:
        return str(values[name]) if values.get(name) else None

    return checked_receive(c.Receive(
        at=now, request_id=request_id, agency=str(values.get("agency") or ""), applicant=applicant,
        channel=str(values.get("channel") or ""), subject=subject, form_requested=optional("form_requested"),
        assisted_by=optional("assisted_by"), procedure=optional("procedure")))


def checked_receive(command: c.Receive) -> c.Receive:
    """The one check of a new request at every door (form, API, `ogi request new`, import): the id's pattern, every
    text within its column's limit without NUL or lone surrogates, a 居民身份证 number's check digit and the phone;
    the returned command holds the id number and phone normalised (NFKC)."""
    check_request_id(command.request_id, "id")
    for name in ("agency", "channel", "subject", "form_requested", "assisted_by", "procedure"):
        value = getattr(command, name)
        if isinstance(value, str):
            check_field(name, value)
    applicant = dict(command.applicant)
    check_values(applicant, "applicant")
    kind = applicant.get("kind")
    if applicant.get("id_number"):
        applicant["id_number"] = check_applicant_id_number(applicant["id_number"], kind, "applicant.id_number")
    if applicant.get("phone"):
        applicant["phone"] = check_phone(applicant["phone"], "applicant.phone")
    return replace(command, applicant=applicant) if applicant != command.applicant else command


def next_request_id(conn: Connection, agency: str, year: int, taken) -> str:
    """`{agency}-{year}-{NNNNN}` from a counter locked in the registering transaction; ids already used (say by an
    imported history of the same form) are skipped."""
    sequence = take_next(conn, document_numbers_table, {"agency": agency, "doc_type": REQUEST_ID_COUNTER, "year": year},
                         lambda number: taken(request_id_of(agency, year, number)))
    return request_id_of(agency, year, sequence)


def request_id_of(agency: str, year: int, sequence: int) -> str:
    return f"{agency}-{year}-{sequence:05d}"
