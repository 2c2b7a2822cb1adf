"""Released information (files given to the applicant with the reply): stored content-addressed by SHA-256 in the
folder of OGI_FILES_DIR (the embedded default: beside the SQLite file), the facts in `released_files`, the names
and digests in the log (`release_files`, workflows/foi/online.py) and in the case file.

A file is written to a temporary name and renamed into place, so a crash leaves no half file under a digest; a file
read back is checked against its digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from engine.clock import Clock
from workflows.documents.attachments import Upload
from workflows.foi.state import ReleasedFile
from workflows.people.accounts import User
from workflows.requests.service import RequestService


@dataclass
class FileStore:
    folder: Path

    def put(self, content: bytes) -> str:
        """Store the bytes (idempotent) and return their SHA-256."""
        raise NotImplementedError

    def read(self, sha256: str) -> bytes:
        """The bytes of `sha256`, checked; NotFound when absent, OgiError when they no longer match."""
        raise NotImplementedError


@dataclass
class ReleaseService:
    engine: Engine
    clock: Clock
    requests: RequestService
    files: FileStore

    def release(self, request_id: str, uploads: Sequence[Upload], actor: User) -> list[ReleasedFile]:
        """Staff attach the information's files to the request (one `release_files` event)."""
        raise NotImplementedError
