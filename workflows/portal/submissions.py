"""Applications made online: the /apply form checked (form.py), held as a submission until the applicant types the
code sent to the phone (else the e-mail) of the application, then filed as a request with channel `online`,
awaiting the agency's confirmation (Art. 31(3): the receipt date is the day both sides confirm).

A 政务服务网 files through the API with its platform token instead (platforms.py): it has verified its user, so no
code is sent; its idempotency key makes one submission one request however often it is sent.

Spam and abuse without a third-party service: submissions per client address and per phone (or e-mail) are
counted in a window (limits.py, keyed hashes: no address or phone is kept for counting).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from engine.clock import Clock
from workflows.documents.attachments import AttachmentService, Upload
from workflows.documents.service import DocumentService
from workflows.portal.messages import Send
from workflows.requests.service import RequestService

CODE_MINUTES = 15  # a code sent is good for this long
MAX_CODE_ATTEMPTS = 5  # wrong codes typed before the submission (or sign-in) must start again


@dataclass(frozen=True)
class Submitted:
    """A submission waiting for its code."""

    submission_id: str
    channel: str  # sms | email: where the code went
    destination: str  # masked: 138****8000, z***@example.cn
    expires_at: dt.datetime
    agency_name: str


@dataclass(frozen=True)
class Filed:
    request_id: str
    query_code: str  # the 查询码 (DocumentService.lookup_code): shown on the page at once and sent with the receipt
    agency: str
    agency_name: str
    created: bool = True  # False: the platform's idempotency key named a request filed before


@dataclass(frozen=True)
class PlatformToken:
    """A 政务服务网 that may file into ogi (platforms.py): its name and the agencies it files with."""

    name: str
    display_name: str
    agencies: frozenset[str]


@dataclass
class PortalService:
    engine: Engine
    clock: Clock
    requests: RequestService
    documents: DocumentService
    attachments: AttachmentService
    secret: bytes  # keys the hashes of codes, addresses and contacts (derived from the log's key in bootstrap)
    send: Send  # writes a code message to the outbox in the caller's transaction

    def online_agencies(self) -> list[tuple[str, str]]:
        """(slug, name) of the agencies that accept online applications (`accepts_online`), by name."""
        raise NotImplementedError

    def submit(self, fields: Mapping[str, str], uploads: Sequence[Upload], client_address: str) -> Submitted:
        """Check the form and the files, count the attempt (TooManyAttempts), hold the submission and send its code.
        Nothing is held when anything is refused."""
        raise NotImplementedError

    def pending(self, submission_id: str) -> Submitted | None:
        """The submission still waiting for its code (None: unknown, expired or filed)."""
        raise NotImplementedError

    def resend(self, submission_id: str, client_address: str) -> Submitted:
        raise NotImplementedError

    def verify(self, submission_id: str, code: str, client_address: str) -> Filed:
        """The code typed: the request is filed (once, however often the form is sent again) with its scans."""
        raise NotImplementedError

    def file_for_platform(self, platform: PlatformToken, idempotency_key: str, fields: Mapping[str, object],
                          uploads: Sequence[Upload] = ()) -> Filed:
        raise NotImplementedError
