"""A request's attachments (附件): the scans the 受理窗口 received with the application — the application itself,
the applicant's 身份证明 (Art. 29), the materials of a correction (Art. 30) — stored as received, each with its
SHA-256, which the case file's manifest lists (workflows/documents/case_file.py).

What is taken: PDF, JPEG or PNG, told by the file's first bytes (not by its name or the browser's media type), at
most MAX_ATTACHMENT_BYTES each and MAX_ATTACHMENTS a request. Anything else is refused in words before a row is
written. The files hold personal data (an ID card's scan): only the agency's staff read them; others (an auditor,
a head of another agency) see the list without the content.

Each row is recorded with who added it and when; the log has no event for it yet (its type is the workflow's to
add), so the SHA-256 in the row and in the exported case file is what shows a file unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection, Engine, func, insert, select

from engine.clock import Clock
from engine.errors import NotFound, RuleViolation
from workflows.foi.identifiers import InputRefused, text_problem
from workflows.people import access
from workflows.people.access import Action
from workflows.people.accounts import User
from workflows.people.personal_data import require_staff
from workflows.requests.service import RequestService
from workflows.tables import attachments_table

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # a scanned application of a few dozen pages at 300 dpi
MAX_ATTACHMENTS = 30  # a request's files; more is a bundle better handed in on paper
MAX_FILENAME = 255
ATTACHMENT_RULE = "Art. 29"  # the application in writing (data messages included) with the applicant's 身份证明


class AttachmentKind(StrEnum):
    APPLICATION = "application"  # 申请书扫描件
    IDENTITY = "identity"  # 身份证明 (Art. 29 ¶2 (1))
    CORRECTION = "correction"  # 补正材料 (Art. 30)
    AUTHORISATION = "authorisation"  # 授权委托书: an agent applies for the applicant (the online form asks for it)
    OTHER = "other"


ATTACHMENT_KIND_LABELS: dict[str, str] = {
    AttachmentKind.APPLICATION: "申请书扫描件",
    AttachmentKind.IDENTITY: "身份证明",
    AttachmentKind.CORRECTION: "补正材料",
    AttachmentKind.AUTHORISATION: "授权委托书",
    AttachmentKind.OTHER: "其他材料",
}
# the media types taken, by the bytes a file of the type begins with
MEDIA_TYPES: dict[str, tuple[bytes, str]] = {
    "application/pdf": (b"%PDF-", "PDF"),
    "image/jpeg": (b"\xff\xd8\xff", "JPEG"),
    "image/png": (b"\x89PNG\r\n\x1a\n", "PNG"),
}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@dataclass(frozen=True)
class Upload:
    """A file as a door received it: the name the applicant's computer gave it, and its bytes."""

    filename: str
    content: bytes
    kind: str = AttachmentKind.OTHER


@dataclass(frozen=True)
class Attachment:
    id: int
    request_id: str
    kind: str
    filename: str
    media_type: str
    size: int
    sha256: str
    added_at: dt.datetime
    added_by: str

    @property
    def kind_label(self) -> str:
        return ATTACHMENT_KIND_LABELS.get(self.kind, "其他材料")

    @property
    def size_label(self) -> str:
        return f"{self.size / 1024 / 1024:.1f} MB" if self.size >= 1024 * 1024 else f"{max(1, self.size // 1024)} KB"

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "kind_label": self.kind_label, "filename": self.filename,
                "media_type": self.media_type, "size": self.size, "sha256": self.sha256,
                "added_at": self.added_at.isoformat(), "added_by": self.added_by}


@dataclass(frozen=True)
class Shelf:
    attachments: list[Attachment]
    may_open: bool
    may_add: bool


def media_type_of(content: bytes) -> str | None:
    return next((media for media, (magic, _) in MEDIA_TYPES.items() if content.startswith(magic)), None)


def checked_filename(filename: str, media_type: str) -> str:
    """The file's own name without any folder, NFC, within the column; a name that is empty or holds control
    characters is refused. A name without the type's extension gets it, so a download opens as what it is."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if not name:
        raise InputRefused("附件", "附件没有文件名，请重新选择文件")
    problem = text_problem(name, MAX_FILENAME - 5, multiline=False)
    if problem:
        raise InputRefused("附件文件名", problem)
    if not name.lower().endswith(EXTENSIONS[media_type]) and not (media_type == "image/jpeg"
                                                                  and name.lower().endswith(".jpeg")):
        name += EXTENSIONS[media_type]
    return name


def shown_name(filename: str | None) -> str:
    """A file's name as a refusal quotes it: without folders or NUL, at most 60 characters."""
    return (filename or "").replace("\x00", "").rsplit("/", 1)[-1][:60] or "（无名文件）"


def checked_upload(upload: Upload) -> tuple[str, str]:
    """(media type, file name) of a file that may be stored; RuleViolation naming the file otherwise."""
    shown = shown_name(upload.filename)
    if upload.kind not in set(AttachmentKind):
        raise InputRefused("附件类别", "请选择附件类别：" + "、".join(ATTACHMENT_KIND_LABELS.values()))
    if not upload.content:
        raise RuleViolation(f"附件“{shown}”是空文件，请重新选择", ATTACHMENT_RULE)
    if len(upload.content) > MAX_ATTACHMENT_BYTES:
        raise RuleViolation(f"附件“{shown}”有 {len(upload.content) / 1024 / 1024:.1f} MB，超过每件 "
                            f"{MAX_ATTACHMENT_BYTES // 1024 // 1024} MB 的上限：请分成几个文件或降低扫描分辨率",
                            ATTACHMENT_RULE)
    media_type = media_type_of(upload.content)
    if media_type is None:
        raise RuleViolation(f"附件“{shown}”不是 PDF、JPEG 或 PNG 文件：申请书、身份证明和补正材料的扫描件只收这三种"
                            "格式", ATTACHMENT_RULE)
    return media_type, checked_filename(upload.filename, media_type)


@dataclass
class AttachmentService:
    engine: Engine
    clock: Clock
    requests: RequestService

    def add(self, request_id: str, uploads: Iterable[Upload], actor: User) -> list[Attachment]:
        """Store the files of one request in one transaction: all or none."""
        with self.engine.begin() as conn:
            return self.add_in(conn, request_id, uploads, actor)

    def require_writer(self, request_id: str, actor: User) -> None:
        """PermissionDenied unless `actor` may add to the request (before a form's content is judged)."""
        access.require_role(actor, Action.WRITE_REQUEST)
        with self.engine.connect() as conn:
            access.require(conn, actor, Action.WRITE_REQUEST, self.requests.agency_of(conn, request_id))

    def add_in(self, conn: Connection, request_id: str, uploads: Iterable[Upload], actor: User) -> list[Attachment]:
        """`add` in the caller's transaction (registration: the request and its scans together)."""
        access.require_role(actor, Action.WRITE_REQUEST)
        access.require(conn, actor, Action.WRITE_REQUEST, self.requests.agency_of(conn, request_id))
        checked = [(upload, *checked_upload(upload)) for upload in uploads]
        if not checked:
            raise RuleViolation("请选择要上传的附件", ATTACHMENT_RULE)
        held = conn.execute(select(func.count()).select_from(attachments_table)
                            .where(attachments_table.c.request_id == request_id)).scalar_one()
        if held + len(checked) > MAX_ATTACHMENTS:
            raise RuleViolation(f"一件申请最多附 {MAX_ATTACHMENTS} 个文件，已有 {held} 个", ATTACHMENT_RULE)
        now = self.clock.now()
        added = []
        for upload, media_type, filename in checked:
            row = {"request_id": request_id, "kind": str(upload.kind), "filename": filename, "media_type": media_type,
                   "size": len(upload.content), "sha256": hashlib.sha256(upload.content).hexdigest(),
                   "content": upload.content, "added_at": now, "added_by": actor.username}
            new_id = conn.execute(insert(attachments_table).values(**row)
                                  .returning(attachments_table.c.id)).scalar_one()
            added.append(_attachment({**row, "id": new_id}))
        return added

    def listing(self, request_id: str, viewer: User) -> list[Attachment]:
        """The request's attachments (without their content) for whoever may read its documents."""
        with self.engine.connect() as conn:
            access.require(conn, viewer, Action.READ_DOCUMENT, self.requests.agency_of(conn, request_id))
            return attachments_of(conn, request_id)

    def shelf(self, request_id: str, viewer: User) -> Shelf:
        """The list and what `viewer` may do with it: open the files (the agency's staff), add files (its writers)."""
        with self.engine.connect() as conn:
            agency = self.requests.agency_of(conn, request_id)
            access.require(conn, viewer, Action.READ_DOCUMENT, agency)
            return Shelf(attachments_of(conn, request_id),
                         may_open=access.may(conn, viewer, Action.EXPORT_CASE_FILE, agency),
                         may_add=access.may(conn, viewer, Action.WRITE_REQUEST, agency))

    def read(self, request_id: str, attachment_id: int, viewer: User) -> tuple[Attachment, bytes]:
        """One attachment with its bytes: the agency's staff only (it holds personal data, as the case file does)."""
        with self.engine.connect() as conn:
            agency = self.requests.agency_of(conn, request_id)
            access.require(conn, viewer, Action.READ_DOCUMENT, agency)
            require_staff(conn, viewer, agency, "an attachment", "附件")
            row = conn.execute(select(attachments_table).where(attachments_table.c.request_id == request_id,
                                                               attachments_table.c.id == attachment_id)).first()
        if row is None:
            raise NotFound(f"申请 {request_id} 没有编号为 {attachment_id} 的附件")
        return _attachment(row._mapping), row.content


def attachments_of(conn: Connection, request_id: str) -> list[Attachment]:
    columns = [c for c in attachments_table.c if c.name != "content"]
    rows = conn.execute(select(*columns).where(attachments_table.c.request_id == request_id)
                        .order_by(attachments_table.c.id)).all()
    return [_attachment(r._mapping) for r in rows]


def attachment_contents(conn: Connection, request_id: str) -> list[tuple[Attachment, bytes]]:
    """Every attachment with its bytes, for the case file (its caller checks the reader)."""
    rows = conn.execute(select(attachments_table).where(attachments_table.c.request_id == request_id)
                        .order_by(attachments_table.c.id)).all()
    return [(_attachment(r._mapping), r.content) for r in rows]


def _attachment(row) -> Attachment:
    return Attachment(**{name: row[name] for name in Attachment.__dataclass_fields__})
