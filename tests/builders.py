"""Records of the import format (JSON Lines, DESIGN §6) for tests and benchmarks, built in one place.

    request_line("D-1", "2023-12-20", decided("2024-01-10"))                 # one request with its events
    event("review_filed", "2023-05-20", case="R1")                           # any event of the format
    import_lines(services.requests, as_lines(record, ...), actor)            # numbered lines for the importer
    load(services, record, ...)                                              # the same, as the administrator

Dates and moments may be given as text or as `date`/`datetime` (written in ISO 8601).
"""

from __future__ import annotations

import datetime as dt
import json

from bootstrap import App
from tests.world import AGENCY, user
from workflows.accounts import ADMIN_USERNAME
from workflows.importer import import_lines

Moment = str | dt.date  # a datetime is a date too


def _iso(moment: Moment) -> str:
    return moment if isinstance(moment, str) else moment.isoformat()


def request_line(id: str, received_at: Moment, *events: dict, agency: str = AGENCY, kind: str = "natural_person",
                 name: str = "张三", applicant: dict | None = None, channel: str = "in_person", subject: str = "s",
                 **fields) -> dict:
    """One request of the import format; `applicant` replaces the default {kind, name} whole; `fields` are added."""
    return {"id": id, "agency": agency, "applicant": {"kind": kind, "name": name} if applicant is None else applicant,
            "channel": channel, "received_at": _iso(received_at), "subject": subject, "events": list(events), **fields}


def event(type: str, at: Moment, **fields) -> dict:
    """One event of a request line: its type, its moment, and the fields of that type."""
    return {"type": type, "at": _iso(at), **fields}


def decided(at: Moment, outcome: str = "disclosed") -> dict:
    return event("decided", at, outcome=outcome)


def as_lines(*records: dict | str) -> list[tuple[int, str]]:
    """(line number, text) from 1, as `import_lines` takes them; a str is taken as the line's text unchanged."""
    return [(n, r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) for n, r in enumerate(records, 1)]


def load(services: App, *records: dict | str, by: str = ADMIN_USERNAME) -> int:
    """Import `records` as the user `by` (the administrator unless told); returns how many were imported."""
    return import_lines(services.requests, as_lines(*records), user(services, by))


def issued_reply(at: dt.datetime, outcome: str = "disclosed") -> tuple:
    """The document steps that let a live request's reply be served (DESIGN §9): drafted, approved, issued.

    For the pure tests that run commands through the workflow without the document service."""
    from workflows.foi import commands as c

    return (c.DraftDocument(at=at, doc_type="reply", text="答复书正文", outcome=outcome),
            c.ApproveDocument(at=at, doc_type="reply", approved_by="head"),
            c.IssueDocument(at=at, doc_type="reply", number="测试依申复〔2024〕1号", text_hash="0" * 64))
