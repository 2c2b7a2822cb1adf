"""Released information (files given to the applicant with the reply): stored content-addressed by SHA-256 in the
folder of OGI_FILES_DIR (the embedded default: beside the SQLite file), the facts in `released_files`, the names
and digests in the log (`release_files`, workflows/foi/online.py) and in the case file.

A file is written to a temporary name and renamed into place, so a crash leaves no half file under a digest; a file
read back is checked against its digest.

What is taken: any type. The information is provided in the form the agency holds it (Art. 40), a table, a text, a
scan or a bundle, so the scans' narrow list (workflows/documents/attachments.py) would refuse what the law asks to
give. The file's name is checked as an attachment's is (no folder, no control characters, within the column); its
media type is told by its first bytes where they say it (PDF, JPEG, PNG, ZIP and the Office files built on it) and
otherwise by the name's extension, else application/octet-stream. A download is always sent as an attachment with
`nosniff`, so a file that is markup never runs as a page of the site.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from engine.clock import Clock
from engine.errors import NotFound, OgiError, RuleViolation
from workflows.documents.attachments import MAX_FILENAME, Upload, media_type_of, shown_name
from workflows.foi.identifiers import InputRefused, text_problem
from workflows.foi.online import SHA256, ReleaseFiles, files_fit
from workflows.foi.state import ReleasedFile, RequestState
from workflows.people import access
from workflows.people.access import Action
from workflows.people.accounts import User
from workflows.people.personal_data import require_staff
from workflows.requests.service import RequestService
from workflows.tables import released_files_table

MAX_RELEASED_BYTES = 50 * 1024 * 1024  # one file of a reply; a larger body of information goes on a disc
RELEASE_RULE = "Art. 40"  # provided in the form the agency holds it
BY_EXTENSION = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".zip": "application/zip", ".txt": "text/plain", ".csv": "text/csv", ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel", ".ofd": "application/ofd", ".wps": "application/vnd.ms-works",
}
ZIP_MAGIC = b"PK\x03\x04"
ZIP_BASED = {".docx", ".xlsx", ".pptx", ".ofd", ".zip"}


@dataclass
class FileStore:
    folder: Path

    def path_of(self, sha256: str) -> Path:
        """Where the bytes of `sha256` live: folder/ab/cd/<digest>; NotFound for anything that is not a digest, so
        no name from outside ever becomes a path."""
        if not isinstance(sha256, str) or not SHA256.fullmatch(sha256):
            raise NotFound(f"没有摘要为“{str(sha256)[:20]}”的信息文件：摘要须为 64 位十六进制 SHA-256")
        return self.folder / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes) -> str:
        """Store the bytes (idempotent) and return their SHA-256."""
        digest = hashlib.sha256(content).hexdigest()
        target = self.path_of(digest)
        if target.is_file() and _digest_of(target) == digest:
            return digest  # the same bytes are kept once
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)  # atomic: the digest names whole bytes or nothing
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _sync_folder(target.parent)
        return digest

    def read(self, sha256: str) -> bytes:
        """The bytes of `sha256`, checked; NotFound when absent, OgiError when they no longer match."""
        path = self.path_of(sha256)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"信息文件 {sha256[:16]}… 不在文件存储中（{self.folder}）：请从备份恢复") from None
        if hashlib.sha256(content).hexdigest() != sha256:
            raise OgiError(f"信息文件 {sha256[:16]}… 的内容与提供时记录的 SHA-256 不一致，文件已被改动或损坏："
                           "请从备份恢复，不要把改动后的文件交给申请人")
        return content


def _digest_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sync_folder(folder: Path) -> None:
    """The rename itself made durable (POSIX); a system without directory handles skips it."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def released_name(filename: str) -> str:
    """The file's own name without any folder, NFC; empty, control characters or too long: refused."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if not name:
        raise InputRefused("信息文件", "信息文件没有文件名，请重新选择文件")
    problem = text_problem(name, MAX_FILENAME, multiline=False)
    if problem:
        raise InputRefused("信息文件文件名", problem)
    return name


def media_type_for(name: str, content: bytes) -> str:
    """The type the bytes say (PDF, JPEG, PNG; a ZIP-based file by its name); else the name's; else octet-stream."""
    extension = os.path.splitext(name.lower())[1]
    told = media_type_of(content)
    if told:
        return told
    if content.startswith(ZIP_MAGIC):
        return BY_EXTENSION[extension] if extension in ZIP_BASED else "application/zip"
    if extension in ZIP_BASED:
        return "application/octet-stream"  # a .docx that is not a ZIP is not what its name says
    return BY_EXTENSION.get(extension, "application/octet-stream")


def checked_files(uploads: Sequence[Upload], already: Sequence[ReleasedFile]) -> list[dict]:
    """The `release_files` entries of the uploads ({name, sha256, size, media_type}), or a refusal naming the file."""
    if not uploads:
        raise RuleViolation("请选择要提供给申请人的信息文件", RELEASE_RULE)
    held = {f.sha256: f for f in already}
    entries: list[dict] = []
    for upload in uploads:
        shown = shown_name(upload.filename)
        if not upload.content:
            raise RuleViolation(f"信息文件“{shown}”是空文件，请重新选择", RELEASE_RULE)
        if len(upload.content) > MAX_RELEASED_BYTES:
            raise RuleViolation(f"信息文件“{shown}”有 {len(upload.content) / 1024 / 1024:.1f} MB，超过每个 "
                                f"{MAX_RELEASED_BYTES // 1024 // 1024} MB 的上限：请分成几个文件，或刻录光盘提供",
                                RELEASE_RULE)
        name = released_name(upload.filename)
        digest = hashlib.sha256(upload.content).hexdigest()
        if digest in held:
            raise RuleViolation(f"信息文件“{name}”与{held[digest].released_on:%Y年%m月%d日}已提供的“{held[digest].name}”"
                                "内容相同，不再重复提供", RELEASE_RULE)
        if any(e["sha256"] == digest for e in entries):
            raise RuleViolation(f"信息文件“{name}”在本次选择中重复了，请只选一次", RELEASE_RULE)
        entries.append({"name": name, "sha256": digest, "size": len(upload.content),
                        "media_type": media_type_for(name, upload.content)})
    return entries


@dataclass(frozen=True)
class ReleasedShelf:
    files: list[ReleasedFile]
    may_open: bool  # the agency's staff (the information may concern the applicant's own affairs)
    may_add: bool


@dataclass
class ReleaseService:
    engine: Engine
    clock: Clock
    requests: RequestService
    files: FileStore

    def release(self, request_id: str, uploads: Sequence[Upload], actor: User) -> list[ReleasedFile]:
        """Staff attach the information's files to the request (one `release_files` event)."""
        access.require_role(actor, Action.WRITE_DOCUMENT)
        with self.engine.connect() as conn:  # who and whether, before a byte reaches the disk
            state = self._writable(conn, request_id, actor)
            entries = checked_files(uploads, state.released)
            refusal = files_fit(state, ReleaseFiles(at=self.clock.now(), files=tuple(entries)))
            if refusal:
                raise RuleViolation(refusal, "Art. 36, 37, 40")
        for upload in uploads:  # the bytes first: an orphan file is harmless, a row without its file is not
            self.files.put(upload.content)
        with self.engine.begin() as conn:
            self.requests.store.start_write(conn)
            self._writable(conn, request_id, actor)
            now = self.clock.now()
            for entry in entries:
                _record_file(conn, entry, now)
            state = self.requests.act_in(conn, request_id, ReleaseFiles(at=now, files=tuple(entries)), actor)
        return list(state.released[-len(entries):])

    def _writable(self, conn: Connection, request_id: str, actor: User) -> RequestState:
        state = self.requests.load(conn, request_id).state
        access.require(conn, actor, Action.WRITE_DOCUMENT, state.agency)
        return state

    def shelf(self, request_id: str, viewer: User) -> ReleasedShelf:
        """The files released and what `viewer` may do: open them (the agency's staff), add files (its writers)."""
        with self.engine.connect() as conn:
            state = self.requests.load(conn, request_id).state
            return self._shelf(conn, state.agency, list(state.released), viewer)

    def shelf_of(self, history: dict, viewer: User) -> ReleasedShelf:
        """The shelf of a history already read and folded (the request page's view): no second fold."""
        files = [ReleasedFile(f["name"], f["sha256"], f["size"], f["media_type"], dt.date.fromisoformat(f["released_on"]))
                 for f in history.get("released", ())]
        with self.engine.connect() as conn:
            return self._shelf(conn, history["agency"], files, viewer)

    @staticmethod
    def _shelf(conn: Connection, agency: str, files: list[ReleasedFile], viewer: User) -> ReleasedShelf:
        access.require(conn, viewer, Action.READ_DOCUMENT, agency)
        return ReleasedShelf(files, may_open=access.may(conn, viewer, Action.EXPORT_CASE_FILE, agency),
                             may_add=access.may(conn, viewer, Action.WRITE_DOCUMENT, agency))

    def read(self, request_id: str, sha256: str, viewer: User) -> tuple[ReleasedFile, bytes]:
        """One released file with its bytes, checked: the agency's staff only; a digest not released is not found."""
        with self.engine.connect() as conn:
            state = self.requests.load(conn, request_id).state
            access.require(conn, viewer, Action.READ_DOCUMENT, state.agency)
            require_staff(conn, viewer, state.agency, "a released file", "信息文件")
        found = next((f for f in state.released if f.sha256 == sha256), None)
        if found is None:
            raise NotFound(f"申请 {request_id} 没有提供过摘要为“{str(sha256)[:20]}”的信息文件")
        return found, self.files.read(sha256)


def _record_file(conn: Connection, entry: dict, now) -> None:
    """The file's row unless the same bytes were stored before (for this or another request)."""
    t = released_files_table.c
    if conn.execute(select(t.sha256).where(t.sha256 == entry["sha256"])).first() is not None:
        return
    try:
        with conn.begin_nested():
            conn.execute(insert(released_files_table).values(sha256=entry["sha256"], size=entry["size"],
                                                             media_type=entry["media_type"], stored_at=now))
    except IntegrityError:
        pass  # another release stored the same bytes meanwhile: one row is what is wanted
