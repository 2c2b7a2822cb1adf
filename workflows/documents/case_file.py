"""The case file for archiving (归档, issue 11 §7): one zip with everything the office holds of a request.

- `README.txt` says what the file contains (personal data included: it is for the agency's archive) and how to
  check it;
- `history.json` and `history.txt`: the request replayed (as `ogi history` shows it to the exporting user);
- `events.jsonl`: the request's events exactly as stored, with the hashes of both chains and the key id of each,
  so the chain can be recomputed by anyone who holds the log's key (`ogi audit verify` does it for the whole log);
- `documents/`: every document as text, HTML and DOCX, named by its number;
- `attachments/`: the scans received with the request or its correction, byte for byte, and `attachments.json`
  listing each with its kind, who added it when, and the SHA-256 recorded when it was stored (issue 19): the
  manifest's hash of the file must equal it;
- `released/`: the information's files given to the applicant (issue 20), byte for byte from the file store, each
  read back against its digest, and `released.json` listing each with the SHA-256 the log recorded when it was
  released: the manifest's hash of the file must equal it;
- `manifest.json`: the SHA-256 of every other file in the zip.

It holds the applicant's personal data as recorded (the events as stored, the documents as issued), so it is
exported only for staff of the request's agency or of an agency above it (workflows/people/personal_data.py); an
administrator or auditor who works for neither is refused — masking it would break what it is for (the stored
events and their hashes, the documents as they left the office).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Sequence

from engine.adapters.rendering import render
from workflows.documents.attachments import attachment_contents
from workflows.documents.rendering import to_docx, to_html
from workflows.foi.state import ReleasedFile
from workflows.people.accounts import User
from workflows.people.personal_data import require_staff
from workflows.readmodels.log import stored_rows

README = """本案卷由 ogi 导出，供本机关归档。
This case file was exported by ogi for the agency's archive. It contains personal data of the applicant
(name, contact details, as recorded); keep it as the agency keeps its paper files. Only the agency's staff export it.

Contents: history.json / history.txt (the request replayed), events.jsonl (the events as stored, with the
per-request and whole-log chain hashes and the id of the key that made them), documents/ (each document as
.txt, .html and .docx, named by its number), attachments/ (the scans as received; attachments.json lists each
with the SHA-256 recorded when it was stored), released/ (the information's files given to the applicant;
released.json lists each with the SHA-256 the log recorded), manifest.json (the SHA-256 of every file).

To check it: compare each file with manifest.json; recompute the per-request chain of events.jsonl with the
log's key (key ids are given per event), or run `ogi audit verify --checkpoints DIR` on the live system, whose
signed checkpoints cover these events.
"""


def _safe(name: str) -> str:
    return "".join(ch if ch not in '/\\\\:*?"<>|' else "_" for ch in name)


def case_file(conn, history: dict, documents: list, agency: dict, viewer: User | None = None,
              released: Sequence[ReleasedFile] = (), read_file: Callable[[str], bytes] | None = None) -> bytes:
    """The zip of one request; `history` as shown to the exporting user, `documents` its DocumentRecords.
    `viewer`: who exports it (None: the services themselves); only staff of the agency (PermissionDenied else).
    `released`: the files given to the applicant, `read_file` their checked bytes by SHA-256 (FileStore.read)."""
    require_staff(conn, viewer, history["agency"], "the case file", "案卷")
    files: dict[str, bytes] = {"README.txt": README.encode("utf-8"),
                               "history.json": json.dumps(history, ensure_ascii=False, indent=1).encode("utf-8"),
                               "history.txt": render("cli/history.txt.j2", h={**history, "events": [
                                   {**e, "summary": ""} for e in history["events"]]}).encode("utf-8")}
    stored = stored_rows(conn, history["id"])
    # every column as stored (the payload as its exact text): what the chain hashes were computed over
    rows = [{key: value.isoformat() if isinstance(value, dt.datetime) else value for key, value in row._mapping.items()}
            for row in stored]
    files["events.jsonl"] = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    for index, document in enumerate(documents, start=1):
        name = f"documents/{_safe(document.number or f'{index:02d}-{document.type}-draft')}"
        files[f"{name}.txt"] = document.text.encode("utf-8")
        files[f"{name}.html"] = to_html(document, agency)
        files[f"{name}.docx"] = to_docx(document, agency)
    files.update(_attachment_files(conn, history["id"]))
    files.update(_released_files(released, read_file))
    manifest = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _attachment_files(conn, request_id: str) -> dict[str, bytes]:
    """The scans under attachments/ (numbered, so two files of one name both stay) and their list as stored."""
    stored = attachment_contents(conn, request_id)
    if not stored:
        return {}
    files, listed = {}, []
    for attachment, content in stored:
        name = f"attachments/{attachment.id:03d}-{_safe(attachment.filename)}"
        files[name] = content
        listed.append({"file": name, **attachment.as_dict()})
    files["attachments.json"] = json.dumps(listed, ensure_ascii=False, indent=1).encode("utf-8")
    return files


def _released_files(released: Sequence[ReleasedFile], read_file: Callable[[str], bytes] | None) -> dict[str, bytes]:
    """The information's files under released/ (numbered, so two files of one name both stay) and their list; a
    store that is missing or changed a file stops the export (FileStore.read says which) rather than archive less.
    Without a store (a service built without one) the list alone, each entry saying its bytes are not included."""
    if not released:
        return {}
    files, listed = {}, []
    for index, item in enumerate(released, start=1):
        name = None
        if read_file is not None:
            name = f"released/{index:03d}-{_safe(item.name)}"
            files[name] = read_file(item.sha256)
        listed.append({"file": name, "name": item.name, "sha256": item.sha256, "size": item.size,
                       "media_type": item.media_type, "released_on": item.released_on.isoformat()})
    files["released.json"] = json.dumps(listed, ensure_ascii=False, indent=1).encode("utf-8")
    return files
