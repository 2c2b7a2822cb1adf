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
from workflows.people.accounts import ADMIN_USERNAME
from workflows.requests.importer import import_lines

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


def issued_document(at: dt.datetime, doc_type: str, outcome: str | None = None, fee: dict | None = None) -> tuple:
    """The document steps that let a live request's paper be served (DESIGN §9): drafted, approved, issued.

    For the pure tests that run commands through the workflow without the document service."""
    from workflows.foi import commands as c
    from workflows.foi.documents import TYPE_WORDS

    return (c.DraftDocument(at=at, doc_type=doc_type, text="正文", outcome=outcome, fee=fee),
            c.ApproveDocument(at=at, doc_type=doc_type, approved_by="head"),
            c.IssueDocument(at=at, doc_type=doc_type, number=f"测试{TYPE_WORDS[doc_type]}〔{at.year}〕1号",
                            text_hash="0" * 64))


def issued_reply(at: dt.datetime, outcome: str = "disclosed") -> tuple:
    return issued_document(at, "reply", outcome)


def through_replies(commands) -> list:
    """Each decision preceded by its issued reply, as the document service records a live request's decision
    (DESIGN §9: 起草答复书 → 负责人审核 → 印发 records `decided`); a decision with an unknown outcome is left alone,
    for the workflow to refuse. For the pure tests of the decision rules."""
    from workflows.foi import commands as c
    from workflows.foi.vocabulary import Outcome

    out: list = []
    for command in commands:
        if isinstance(command, c.Decide) and command.outcome in {o.value for o in Outcome}:
            out.extend(issued_reply(command.at, command.outcome))
        out.append(command)
    return out


def noticed_correction(at: dt.datetime, period_days: int | None = None) -> tuple:
    """The issued 补正告知书 and the step it carries (Art. 30): what `request_correction` needs on a live request."""
    from workflows.foi import commands as c

    return (*issued_document(at, "correction_notice"), c.ServeDocument(at=at, doc_type="correction_notice", method="personal"),
            c.RequestCorrection(at=at, period_days=period_days))


def noticed_fee(at: dt.datetime, amount_yuan: float, method: str = "per_request") -> tuple:
    """The issued 收费通知书 and the fee it charges (109号)."""
    from workflows.foi import commands as c

    return (*issued_document(at, "fee_notice"), c.ServeDocument(at=at, doc_type="fee_notice", method="personal"),
            c.NotifyFee(at=at, amount_yuan=amount_yuan, method=method))
