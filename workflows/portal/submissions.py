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
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.clock import Clock
from engine.errors import NotFound, PermissionDenied, RuleViolation, TooManyAttempts
from workflows.documents.attachments import AttachmentService, Upload
from workflows.documents.service import DocumentService
from workflows.foi.identifiers import InputRefused
from workflows.foi.online import ChooseNotices
from workflows.people.accounts import APPLICANT_ONLINE, User, platform_actor
from workflows.portal.form import ApplicationForm, checked_form, checked_uploads
from workflows.portal.keys import keyed, masked_email, masked_phone, new_code, new_token, same
from workflows.portal.limits import RESEND_SPAN, require_within_limits, sends_of
from workflows.portal.messages import VERIFY_KIND, ApplicantMessage, Send
from workflows.requests.registration import next_request_id
from workflows.requests.service import RequestService
from workflows.streams import request_stream
from workflows.tables import agencies_table, portal_submissions_table, portal_uploads_table

CODE_MINUTES = 15  # a code sent is good for this long
MAX_CODE_ATTEMPTS = 5  # wrong codes typed before the submission (or sign-in) must start again
MAX_RESENDS = 3  # codes sent again for one submission
ONLINE_RULE = "Art. 29"  # an application in writing, data messages included
SUBMISSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
IDEMPOTENCY_KEY = re.compile(r"[\x20-\x7e]{1,200}")
APPLY_AGAIN = "请重新填写并提交申请"
_S, _U = portal_submissions_table.c, portal_uploads_table.c


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


def _envelope(form: ApplicationForm, sent: list[dt.datetime]) -> str:
    """The stored `fields`: the checked form and the moments its codes were sent (limits.py counts them)."""
    return json.dumps({"form": form.as_json(), "sent": [moment.isoformat() for moment in sent]}, ensure_ascii=False)


def _form_of(row) -> ApplicationForm:
    return ApplicationForm.from_json(json.loads(row.fields)["form"])


def _masked(channel: str, contact: str) -> str:
    return masked_phone(contact) if channel == "sms" else masked_email(contact)


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
        a = agencies_table.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(a.slug, a.name).where(a.accepts_online.is_(True)).order_by(a.name, a.slug))
            return [(row.slug, row.name) for row in rows]

    def submit(self, fields: Mapping[str, str], uploads: Sequence[Upload], client_address: str) -> Submitted:
        """Check the form and the files, count the attempt (TooManyAttempts), hold the submission and send its code.
        Nothing is held when anything is refused."""
        form = checked_form(fields)
        files = checked_uploads(uploads, form)
        with self.engine.begin() as conn:
            agency_name = self._online_agency(conn, form.agency)
            now = self.clock.now()
            address_key, contact_key = self._address_key(client_address), self._contact_key(form)
            require_within_limits(conn, address_key, contact_key, now)
            submission_id, code = new_token(), new_code()
            expires_at = now + dt.timedelta(minutes=CODE_MINUTES)
            conn.execute(insert(portal_submissions_table).values(
                id=submission_id, agency=form.agency, fields=_envelope(form, [now]), address_key=address_key,
                contact_key=contact_key, code_hash=keyed(self.secret, "verify", code), code_channel=form.code_channel,
                attempts=0, created_at=now, expires_at=expires_at))
            for upload, _media_type, filename in files:
                conn.execute(insert(portal_uploads_table).values(submission_id=submission_id, kind=str(upload.kind),
                                                                 filename=filename, content=upload.content))
            self._send_code(conn, submission_id, 1, form, code, agency_name, now)
        return Submitted(submission_id, form.code_channel, _masked(form.code_channel, form.contact), expires_at,
                         agency_name)

    def pending(self, submission_id: str) -> Submitted | None:
        """The submission still waiting for its code (None: unknown, expired or filed)."""
        if not SUBMISSION_ID.fullmatch(submission_id or ""):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(portal_submissions_table).where(_S.id == submission_id)).first()
            if (row is None or row.platform is not None or row.filed_at is not None
                    or row.attempts >= MAX_CODE_ATTEMPTS or row.expires_at <= self.clock.now()):
                return None
            return Submitted(row.id, row.code_channel, _masked(row.code_channel, _form_of(row).contact),
                             row.expires_at, self._agency_name(conn, row.agency))

    def resend(self, submission_id: str, client_address: str) -> Submitted:
        """A new code for a submission not yet filed (the one sent before is no longer good), within the limits."""
        with self.engine.begin() as conn:
            row = self._locked(conn, submission_id)
            now = self.clock.now()
            if row.filed_at is not None:
                raise RuleViolation("这份申请已经提交成功，无须再获取验证码", ONLINE_RULE)
            self._require_alive(row)
            sent = sends_of(row.fields)
            if len(sent) > MAX_RESENDS:
                raise TooManyAttempts(f"验证码最多重新发送 {MAX_RESENDS} 次，{APPLY_AGAIN}")
            if now > row.created_at + RESEND_SPAN:
                raise RuleViolation(f"这份申请提交已超过一天仍未验证，{APPLY_AGAIN}", ONLINE_RULE)
            require_within_limits(conn, self._address_key(client_address), row.contact_key, now)
            form, code = _form_of(row), new_code()
            expires_at = now + dt.timedelta(minutes=CODE_MINUTES)
            conn.execute(update(portal_submissions_table).where(_S.id == row.id).values(
                code_hash=keyed(self.secret, "verify", code), expires_at=expires_at,
                fields=_envelope(form, [*sent, now])))
            agency_name = self._agency_name(conn, row.agency)
            self._send_code(conn, row.id, len(sent) + 1, form, code, agency_name, now)
        return Submitted(row.id, row.code_channel, _masked(row.code_channel, form.contact), expires_at, agency_name)

    def verify(self, submission_id: str, code: str, client_address: str) -> Filed:
        """The code typed: the request is filed (once, however often the form is sent again) with its scans."""
        typed = re.sub(r"\s", "", str(code or ""))[:20]
        wrong: str | None = None
        with self.engine.begin() as conn:
            row = self._locked(conn, submission_id)  # a second verify waits here, then finds it filed
            right = same(self.secret, "verify", typed, row.code_hash)
            if row.filed_at is not None and right:
                return self._filed(conn, row, created=False)
            self._require_alive(row)
            if not right:
                attempts = row.attempts + 1
                conn.execute(update(portal_submissions_table).where(_S.id == row.id).values(attempts=attempts))
                left = MAX_CODE_ATTEMPTS - attempts
                wrong = (f"验证码不正确，还可以再试 {left} 次" if left > 0
                         else f"验证码已连续输错 {MAX_CODE_ATTEMPTS} 次，这份申请已失效，{APPLY_AGAIN}")
            elif row.expires_at <= self.clock.now():
                wrong = "验证码已过期，请点击“重新获取验证码”"
            else:
                return self._file(conn, row, _form_of(row), APPLICANT_ONLINE)
        raise InputRefused("验证码", wrong)  # after the commit: the wrong attempt stays counted

    def file_for_platform(self, platform: PlatformToken, idempotency_key: str, fields: Mapping[str, object],
                          uploads: Sequence[Upload] = ()) -> Filed:
        """A 政务服务网's filing for its verified user: no code; one request per idempotency key, however often (or
        however many at once) the same key arrives."""
        key = idempotency_key if isinstance(idempotency_key, str) else ""
        if not IDEMPOTENCY_KEY.fullmatch(key):
            raise InputRefused("幂等键", "应为 1–200 个可打印的英文字母、数字或符号（ASCII）")
        earlier = self._platform_filing(platform, key)
        if earlier is not None:
            return earlier
        form = checked_form(fields)
        files = checked_uploads(uploads, form)
        if form.agency not in platform.agencies:
            raise PermissionDenied(f"{platform.display_name}无权向该机关提交申请：平台令牌只能向登记时指定的机关提交")
        try:
            with self.engine.begin() as conn:
                self._online_agency(conn, form.agency)
                now = self.clock.now()
                submission_id = new_token()
                conn.execute(insert(portal_submissions_table).values(  # the unique (platform, key) claims the filing
                    id=submission_id, agency=form.agency, fields=_envelope(form, []),
                    address_key=self._address_key(f"platform:{platform.name}"), contact_key=self._contact_key(form),
                    code_hash=None, code_channel=None, attempts=0, created_at=now, expires_at=now,
                    platform=platform.name, idempotency_key=key))
                for upload, _media_type, filename in files:
                    conn.execute(insert(portal_uploads_table).values(
                        submission_id=submission_id, kind=str(upload.kind), filename=filename, content=upload.content))
                row = conn.execute(select(portal_submissions_table).where(_S.id == submission_id)).one()
                return self._file(conn, row, form, platform_actor(platform.name, platform.display_name))
        except IntegrityError:  # the same key arrived at the same moment and was filed first
            winner = self._platform_filing(platform, key)
            if winner is None:
                raise
            return winner

    # -- inside ---------------------------------------------------------------------------------------------------
    def _file(self, conn: Connection, row, form: ApplicationForm, actor: User) -> Filed:
        """The request filed from the submission, its scans moved to the request, the submission marked filed: all
        in the caller's transaction."""
        store = self.requests.store
        store.start_write(conn)
        now = self.clock.now()
        request_id = next_request_id(conn, form.agency, now.year,
                                     lambda candidate: store.stream_version(conn, request_stream(candidate)) > 0)
        marked = conn.execute(update(portal_submissions_table)
                              .where(_S.id == row.id, _S.filed_at.is_(None))
                              .values(filed_at=now, request_id=request_id)).rowcount
        if marked != 1:  # filed by another transaction meanwhile (the row lock should have made it wait)
            raise RuleViolation("这份申请已经提交", ONLINE_RULE)
        state = self.requests.receive_in(conn, form.receive(request_id, now), actor)
        held = conn.execute(select(_U.kind, _U.filename, _U.content).where(_U.submission_id == row.id)
                            .order_by(_U.id)).all()
        if held:
            self.attachments.add_in(conn, request_id, [Upload(h.filename, h.content, h.kind) for h in held],
                                    APPLICANT_ONLINE)
            conn.execute(delete(portal_uploads_table).where(_U.submission_id == row.id))
        if not form.notices:  # the applicant's own choice, whoever conveyed the form
            self.requests.act_in(conn, request_id, ChooseNotices(at=now, enabled=False), APPLICANT_ONLINE)
        return Filed(request_id, self.documents.lookup_code(state, conn), form.agency,
                     self._agency_name(conn, form.agency))

    def _filed(self, conn: Connection, row, created: bool) -> Filed:
        loaded = self.requests.load(conn, row.request_id)
        return Filed(row.request_id, self.documents.lookup_code(loaded.state, conn), row.agency,
                     self._agency_name(conn, row.agency), created)

    def _platform_filing(self, platform: PlatformToken, key: str) -> Filed | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(portal_submissions_table).where(
                _S.platform == platform.name, _S.idempotency_key == key, _S.filed_at.is_not(None))).first()
            return None if row is None else self._filed(conn, row, created=False)

    def _locked(self, conn: Connection, submission_id: str):
        if not SUBMISSION_ID.fullmatch(submission_id or ""):
            raise NotFound(f"没有找到这份网上申请，{APPLY_AGAIN}")
        row = conn.execute(select(portal_submissions_table).where(_S.id == submission_id, _S.platform.is_(None))
                           .with_for_update()).first()
        if row is None:
            raise NotFound(f"没有找到这份网上申请，{APPLY_AGAIN}")
        return row

    @staticmethod
    def _require_alive(row) -> None:
        if row.attempts >= MAX_CODE_ATTEMPTS:
            raise RuleViolation(f"验证码已连续输错 {MAX_CODE_ATTEMPTS} 次，这份申请已失效，{APPLY_AGAIN}", ONLINE_RULE)

    def _online_agency(self, conn: Connection, slug: str) -> str:
        """The agency's name, if it takes online applications; the refusal names no other agency."""
        a = agencies_table.c
        row = conn.execute(select(a.name, a.accepts_online).where(a.slug == slug)).first()
        if row is None or not row.accepts_online:
            raise RuleViolation("所选机关暂不受理网上申请：请从列表中选择受理机关，或通过当面、邮寄等方式提出申请",
                                ONLINE_RULE)
        return str(row.name)

    @staticmethod
    def _agency_name(conn: Connection, slug: str) -> str:
        return str(conn.execute(select(agencies_table.c.name).where(agencies_table.c.slug == slug)).scalar_one())

    def _address_key(self, client_address: str) -> str:
        return keyed(self.secret, "address", str(client_address or ""))

    def _contact_key(self, form: ApplicationForm) -> str:
        return keyed(self.secret, "contact", form.contact.lower())

    def _send_code(self, conn: Connection, submission_id: str, number: int, form: ApplicationForm, code: str,
                   agency_name: str, now: dt.datetime) -> None:
        self.send(conn, ApplicantMessage(
            dedupe_key=f"portal|{submission_id}|verify|{number}", channel=form.code_channel, address=form.contact,
            agency=form.agency, kind=VERIFY_KIND,
            context={"code": code, "minutes": CODE_MINUTES, "agency_name": agency_name}), now)
