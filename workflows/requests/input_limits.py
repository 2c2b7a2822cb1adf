"""The limits of every text a door takes, read from the columns that store it (workflows/tables.py,
engine/adapters/eventstore.py), so a value is refused with its field named before the database sees it.

Fields are known by their name wherever they come from (a form, API JSON at any depth, an import line, a query or
path parameter): `name` is 200 whether it is an applicant's, an agency's or a department's. Text kept only in an
event's JSON (a subject, reasons, a note) is bounded by FREE_TEXT_MAX."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Column

from workflows.foi.identifiers import REQUEST_ID_MAX, InputRefused, text_problem
from workflows.readmodels.log import EVENT_COLUMNS
from workflows.tables import agencies_table, departments_table, requests_table, tasks_table, users_table

FREE_TEXT_MAX = 20_000  # characters: a subject or a reason, far above any real one, far below the 1 MB body
PARAMETER_MAX = 2_000  # characters of one path or query value (no id, date or name is longer)


def _length(column: Column) -> int:
    length = getattr(column.type, "length", None)
    assert length, f"{column} has no length"
    return int(length)


_a, _u, _r, _d = agencies_table.c, users_table.c, requests_table.c, departments_table.c
FIELD_LIMITS: dict[str, int] = {
    # people and the directory
    "username": _length(_u.username), "display_name": _length(_u.display_name), "email": _length(_u.email),
    "phone": _length(_u.phone), "approved_by": _length(EVENT_COLUMNS.actor), "assignee": _length(_u.username),
    "name": _length(_r.applicant_name),  # applicant, agency and department names alike
    "applicant_name": _length(_r.applicant_name),
    "contact_person": _length(_r.applicant_name), "agent_name": _length(_r.applicant_name),  # an online applicant's
    "agency": _length(_r.agency), "slug": _length(_a.slug), "parent": _length(_a.parent),
    "responsible_agency": _length(_a.name), "competent_agency": _length(_a.name),
    "doc_prefix": _length(_a.doc_prefix), "review_body": _length(_a.review_body), "court": _length(_a.court),
    "webhook_url": _length(_a.webhook_url), "webhook_secret": _length(_a.webhook_secret),
    "reminders": _length(_a.reminder_days), "code": _length(_d.code), "department": _length(_d.code),
    # the request
    "kind": _length(_r.applicant_kind), "applicant_kind": _length(_r.applicant_kind), "channel": _length(_r.channel),
    "procedure": _length(_r.procedure), "outcome": _length(_r.outcome), "stage": _length(_r.stage),
    "state": _length(_r.stage), "role": _length(tasks_table.c.role), "type": _length(EVENT_COLUMNS.type),
    "doc_type": 40, "id_number": 40, "id_type": 40, "organisation_code": 40, "case": 200,  # kept in the event's JSON only
    "password": 1_000,  # hashed; a longer one is no password but a way to make the server work
    "content_base64": 1_000_000,  # a platform's scan in the API body (web/api_online.py), bounded by the body's 1 MB
}
ID_FIELDS = ("id", "request_id")  # a request id wherever it is named so


def limit_of(field: str) -> int:
    return REQUEST_ID_MAX if field in ID_FIELDS else FIELD_LIMITS.get(field, FREE_TEXT_MAX)


def check_field(field: str, value: str, path: str | None = None) -> str:
    """`value` as the text of `field` (`path` names it in the message, e.g. applicant.name)."""
    problem = text_problem(value, limit_of(field))
    if problem:
        raise InputRefused(path or field, problem)
    return value


def check_values(values: Any, path: str = "") -> None:
    """Every string in `values` (a mapping or list at any depth, as JSON or a form gives them), keys included,
    checked against its field's limit; the first wrong one is refused, named by its path."""
    if isinstance(values, Mapping):
        for key, item in values.items():
            key_text = str(key)
            check_field("key", key_text, f"{path}(key)" if path else "(key)")
            check_values(item, f"{path}.{key_text}" if path else key_text)
    elif isinstance(values, list | tuple):
        for index, item in enumerate(values):
            check_values(item, f"{path}[{index}]")
    elif isinstance(values, str):
        leaf = path.rsplit(".", 1)[-1].split("[")[0]
        check_field(leaf, values, path or "(value)")
