"""What the applicant sees of a request with the 查询码 of the receipt (`/lookup`): its stage and dates, the outcome
once the reply is served, and the documents that were sent to the applicant (served) — never the 征求意见书 to a third
party or another agency, the 第三方告知书, the 送达回证 or a draft — each one downloadable as PDF.

Every read takes the request id and the 查询码 together and answers None when either is wrong (the same answer for
both, compared in constant time); the caller counts the attempts (web/lookup_limit.py).
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from engine.errors import NotFound
from workflows.documents.service import DocumentService
from workflows.foi.documents import DOCUMENT_TITLES, DocumentRecord, DocumentType
from workflows.foi.state import STAGE_LABELS, RequestState, Stage
from workflows.foi.vocabulary import CONFIRMABLE_CHANNELS, OUTCOME_LABELS, Outcome
from workflows.people.accounts import get_agency
from workflows.requests.service import RequestService

# the papers an agency sends to the applicant; the others go to a third party or an agency, or stay in the file
TO_THE_APPLICANT = frozenset({DocumentType.RECEIPT, DocumentType.CORRECTION_NOTICE, DocumentType.EXTENSION_NOTICE,
                              DocumentType.CONSULTATION_NOTICE, DocumentType.FEE_NOTICE, DocumentType.REPLY})
Renderer = Callable[[DocumentRecord, dict], bytes]


def outcome_in_words(outcome: str) -> str:
    """The report's row label as a sentence for the applicant: "（三）不予公开 1.属于国家秘密" → "不予公开（属于国家秘密）";
    the counting instruction of the partial row ("区分处理的，只计这一情形…") is the report's, not the applicant's."""
    label = OUTCOME_LABELS[Outcome(outcome)]
    label = label.split("）", 1)[1] if label.startswith("（") else label
    label = label.split("（", 1)[0].strip()
    family, _, reason = label.partition(" ")
    reason = reason.split(".", 1)[-1].strip()
    return f"{family}（{reason}）" if reason else family


@dataclass(frozen=True)
class SentDocument:
    position: int  # its place among the request's documents: the download names it, never the number alone
    title: str
    number: str | None
    issued_on: dt.date | None
    served_on: dt.date | None


@dataclass(frozen=True)
class ApplicantView:
    request_id: str
    stage_label: str
    received_on: dt.date | None
    reply_due: dt.date | None  # while the request is open
    concluded_on: dt.date | None
    delivered_on: dt.date | None
    outcome: str | None  # in words, once the reply is served
    documents: tuple[SentDocument, ...]
    # Art. 31(3): an application made online, by plain letter or fax is received the day both sides confirm it
    confirmed_on: dt.date | None = None
    confirmable: bool = False


@dataclass(frozen=True)
class SentFile:
    filename: str
    content: bytes


@dataclass
class ApplicantProgress:
    engine: Engine
    requests: RequestService
    documents: DocumentService  # the 查询码 is keyed there (DocumentService.lookup_code)

    def view(self, request_id: str, query_code: str) -> ApplicantView | None:
        found = self._authorised(request_id, query_code)
        return None if found is None else self.view_of(found)

    @staticmethod
    def view_of(state: RequestState) -> ApplicantView:
        """The view of a request the caller has already opened (the applicant's page after its sign-in)."""
        reply = state.deadlines.get("reply")
        served = tuple(SentDocument(i, DOCUMENT_TITLES[d.type], d.number, d.issued_on, d.served_on)
                       for i, d in _sent_to_applicant(state))
        reply_served = any(d.type == DocumentType.REPLY for _, d in _sent_to_applicant(state))
        outcome = outcome_in_words(state.outcome) if state.outcome and (reply_served or state.delivered_on) else None
        return ApplicantView(state.request_id, STAGE_LABELS[state.stage], state.received_on,
                             reply.due if reply and state.is_open else None, state.concluded_on,
                             state.delivered_on, outcome, served, state.confirmed_on,
                             state.channel in CONFIRMABLE_CHANNELS)

    def sent_file(self, request_id: str, query_code: str, position: int, render: Renderer,
                  extension: str = "pdf") -> SentFile | None:
        """The document at `position` rendered by `render` (workflows/documents/rendering.py), if it was served to
        the applicant; None otherwise, and when the id or the code is wrong."""
        state = self._authorised(request_id, query_code)
        return None if state is None else self.sent_file_of(state, position, render, extension)

    def sent_file_of(self, state: RequestState, position: int, render: Renderer,
                     extension: str = "pdf") -> SentFile | None:
        """`sent_file` of a request the caller has already opened."""
        document = dict(_sent_to_applicant(state)).get(position)
        if document is None:
            return None
        with self.engine.connect() as conn:
            agency = get_agency(conn, state.agency)
        content = render(document, {"name": agency.name, "prefix": agency.doc_prefix})
        name = f"{DOCUMENT_TITLES[document.type]}{document.number or ''}.{extension}"
        return SentFile(name, content)

    def authorised_in(self, conn: Connection, request_id: str, query_code: str) -> RequestState | None:
        """The request, when `query_code` is its 查询码, read in the caller's transaction (the sign-in counts its
        tries in the same one); the id as typed, else in capitals; None for either wrong, the same answer."""
        for candidate in dict.fromkeys((request_id, request_id.upper())):
            try:
                state = self.requests.load(conn, candidate).state
            except NotFound:
                continue
            if state.stage == Stage.NEW:
                return None
            if hmac.compare_digest(self.documents.lookup_code(state, conn).encode(), query_code.upper().encode()):
                return state
            return None
        return None

    def _authorised(self, request_id: str, query_code: str) -> RequestState | None:
        """The request, when `query_code` is its 查询码; the id as typed, else in capitals (hd-2026-1 for HD-2026-1)."""
        with self.engine.connect() as conn:
            return self.authorised_in(conn, request_id, query_code)


def _sent_to_applicant(state: RequestState) -> list[tuple[int, DocumentRecord]]:
    return [(i, d) for i, d in enumerate(state.documents) if d.type in TO_THE_APPLICANT and d.state == "served"]
