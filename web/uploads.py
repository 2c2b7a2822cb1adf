"""Files chosen in a form's file inputs, as the attachments service takes them (workflows/documents/attachments.py)."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile

from workflows.documents.attachments import Upload


async def scans_of(form: FormData, kinds: dict[str, str]) -> list[Upload]:
    """The files chosen in the form's file inputs (an input left empty sends a nameless empty part: skipped)."""
    uploads = []
    for field_name, kind in kinds.items():
        for item in form.getlist(field_name):
            if isinstance(item, UploadFile) and (item.filename or item.size):
                uploads.append(Upload(item.filename or "", await item.read(), kind))  # the body limit bounds it
    return uploads
