"""The applicant's own page: opened with the request id and the 查询码 and a code sent to the phone or e-mail of the
application; then the progress in words, every paper served, the correction answered item by item with its
materials, the fee notice with the amount and how to pay, withdrawal, and the reply with the released files.

Every read and write takes the request id the sign-in opened (the web keeps it in a signed cookie); the steps are
recorded as the applicant (accounts.APPLICANT_ONLINE); each download is a `record_download` event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from engine.clock import Clock
from workflows.documents.attachments import AttachmentService, Upload
from workflows.documents.progress import ApplicantProgress, ApplicantView
from workflows.documents.released import FileStore
from workflows.documents.service import DocumentService
from workflows.portal.messages import Send
from workflows.requests.service import RequestService


@dataclass(frozen=True)
class CodeSent:
    code_id: str  # the browser holds it between the two steps
    channel: str  # sms | email
    destination: str  # masked
    expires_at: dt.datetime


@dataclass(frozen=True)
class ReleasedItem:
    name: str
    sha256: str
    size: int
    media_type: str


@dataclass(frozen=True)
class ApplicantPage:
    """Everything the page shows; the words of each part are the template's."""

    view: ApplicantView  # stage, dates, outcome, the documents served (workflows/documents/progress.py)
    agency_name: str
    subject: str
    story: Sequence[str]  # the progress in words, oldest first, no staff names, no internal codes
    awaiting_confirmation: bool  # an online application the agency has not confirmed yet (Art. 31(3))
    correction_items: Sequence[str]  # while a correction is awaited: the notice's items, to answer one by one
    correction_due: dt.date | None
    fee_amount_yuan: float | None  # while a fee is awaited
    payment_due: dt.date | None
    payment_info: str  # the agency's `payment_info`: how to pay
    may_withdraw: bool
    released: Sequence[ReleasedItem]  # the files of the information given, once the reply is served
    notices_enabled: bool
    contact_channels: Sequence[str]  # sms / email the application gave


@dataclass
class ApplicantDesk:
    engine: Engine
    clock: Clock
    requests: RequestService
    documents: DocumentService
    progress: ApplicantProgress
    attachments: AttachmentService
    files: FileStore
    secret: bytes
    send: Send

    def start_sign_in(self, request_id: str, query_code: str, channel: str, client_address: str) -> CodeSent | None:
        """The id and 查询码 right: a code to the phone (channel sms) or e-mail of the application; None when either
        is wrong (the same answer for both). Counted per address and per request (TooManyAttempts)."""
        raise NotImplementedError

    def finish_sign_in(self, code_id: str, code: str, client_address: str) -> str | None:
        """The request id the code opens (once), or None."""
        raise NotImplementedError

    def page(self, request_id: str) -> ApplicantPage:
        raise NotImplementedError

    def submit_correction(self, request_id: str, answers: Sequence[str], uploads: Sequence[Upload]) -> None:
        """Art. 30: the answers to the notice's items (and its materials) received today; the reply period restarts."""
        raise NotImplementedError

    def withdraw(self, request_id: str, reason: str = "") -> None:
        raise NotImplementedError

    def choose_notices(self, request_id: str, enabled: bool) -> None:
        raise NotImplementedError

    def document(self, request_id: str, position: int) -> tuple[str, bytes]:
        """(file name, PDF) of a paper served to the applicant; the download is recorded."""
        raise NotImplementedError

    def released_file(self, request_id: str, sha256: str) -> tuple[ReleasedItem, bytes]:
        """A released file, checked against its SHA-256; the download is recorded."""
        raise NotImplementedError
