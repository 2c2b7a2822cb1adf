"""A message to an applicant, as the portal asks for it: notifications/applicant_notices.py renders and writes it
to the outbox in the caller's transaction (bootstrap wires `write_applicant_message` in as `Send`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection

VERIFY_KIND = "portal.verify"  # the code that files an application made on /apply
SIGN_IN_KIND = "portal.sign_in"  # the code that opens the applicant's page


@dataclass(frozen=True)
class ApplicantMessage:
    dedupe_key: str  # unique per message meant (a second writer writes nothing): portal|<id>|<kind>|<n>
    channel: str  # sms | email
    address: str  # the phone or e-mail address of the application
    agency: str
    kind: str  # VERIFY_KIND | SIGN_IN_KIND
    request_id: str | None = None
    context: Mapping[str, object] = field(default_factory=dict)  # code, minutes, agency_name, request_id…


Send = Callable[[Connection, ApplicantMessage, dt.datetime], None]
