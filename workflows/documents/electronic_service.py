"""电子送达: a document served electronically is published to the applicant's own page (the system the applicant
chose when applying, `Receive.electronic_service`), and served the moment it is published (docs/readings.md,
《电子签名法》第十一条: a data message sent to a system the recipient designated is received when it enters it).

So the service is never entered for another day: its day is the system's, taken now; the step records where and
when it was published and the digest of the issued text (`evidence`), which the carried `deliver` repeats. Without
the applicant's consent it is refused (国办公开办函〔2016〕235号); a history brought in by `ogi import` states its
own service and is not asked for a consent ogi never recorded.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from engine.errors import RuleViolation
from workflows.foi import commands as c
from workflows.foi.documents import latest
from workflows.foi.online import electronic_service_consented
from workflows.people import access
from workflows.people.access import Action
from workflows.people.accounts import User
from workflows.requests.service import RequestService

ELECTRONIC = "electronic"
CONSENT_RULE = "235号"
PLACE = "申请人网上查询页"


def evidence_of(request_id: str, moment: dt.datetime, text_hash: str) -> str:
    """Where and when the document was published, and the digest of the text that was (the service's proof)."""
    return (f"于{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M} 发布至{PLACE}（申请编号{request_id}），"
            f"文书摘要 SHA-256 {text_hash[:16]}…")


def served_electronically(conn: Connection, requests: RequestService, request_id: str, doc_type: str, actor: User,
                          moment: dt.datetime, now: dt.datetime, posted_on: dt.date | None,
                          signed_on: dt.date | None) -> c.ServeDocument:
    """The `serve_document` step of an electronic service now: received (signed_on) the day it is published.
    `moment`: the service's time as the form gave it; anything but today is refused, since the page shows the
    document from the moment it is served, not from a day entered afterwards."""
    state = requests.load(conn, request_id).state
    access.require(conn, actor, Action.WRITE_DOCUMENT, state.agency)  # before the request's consent is told
    refusal = electronic_service_consented(state, c.ServeDocument(at=now, doc_type=doc_type, method=ELECTRONIC))
    if refusal:  # before the day is judged: the workflow's own guard (online.py), asked first
        raise RuleViolation(refusal, CONSENT_RULE)
    today = now.date()
    for given in (moment.date(), posted_on, signed_on):
        if given is not None and given != today:
            raise RuleViolation(f"电子送达以文书发布至{PLACE}之时为送达之时，由系统在送达时记录，"
                                f"不能记为{given.year}年{given.month}月{given.day}日：请在发布当天记录，日期留空",
                                CONSENT_RULE)
    document = latest(state.documents, doc_type)
    evidence = evidence_of(request_id, now, document.text_hash) if document and document.text_hash else None
    return c.ServeDocument(at=now, doc_type=doc_type, method=ELECTRONIC, signed_on=today.isoformat(),
                           evidence=evidence)  # not issued: no digest yet, and the step's guard says why
