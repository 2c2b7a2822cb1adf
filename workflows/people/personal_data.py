"""The one rule for the applicant's personal data, at every door (the history in the CLI, the web and the API, a
document downloaded or rendered, the case file):

- staff, heads and administrators who work for the request's agency, or an agency above it, see the applicant's
  name and contact details (`sees_personal_data`); an administrator or auditor who does not is "everyone else";
- everyone else sees the name masked (王*) and the other contact details hidden, in the applicant's record and in
  every text that quotes them (a document's text in the log, a downloaded document);
- ID numbers and phones are masked in the applicant's record for everyone (lists and histories);
- the case file (归档) is the agency's own archive: only its staff may export it (`require_staff`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection

from engine.errors import PermissionDenied
from workflows.foi.documents import DocumentRecord
from workflows.people import access
from workflows.people.access import Action
from workflows.people.accounts import User, ancestors, mask_id_number, mask_name, mask_phone

HIDDEN = "（仅本机关工作人员可见）"
_ALWAYS_MASKED = {"id_number": mask_id_number, "phone": mask_phone}
_NOT_PERSONAL = frozenset({"kind", "id_type"})  # what kind of person, what kind of card: no one in particular


def sees_personal_data(conn: Connection, viewer: User | None, agency: str) -> bool:
    """Staff, heads or administrators of `agency` or of an agency above it; nobody else (nor no one)."""
    return viewer is not None and viewer.works_for(agency, ancestors(conn, agency))


def require_staff(conn: Connection, viewer: User | None, agency: str, what: str, what_zh: str) -> None:
    """PermissionDenied unless the policy's case-file row (workflows/people/access.py) lets `viewer` have `agency`'s
    applicants' personal data (`None`: the services); the refusal says why in those words."""
    if viewer is not None and not access.may(conn, viewer, Action.EXPORT_CASE_FILE, agency):
        raise PermissionDenied(
            f"{what_zh}含申请人的个人信息，只有{agency}或其上级机关的工作人员可以使用，{viewer.username}"
            f"（{access.ROLE_LABELS.get(viewer.role, viewer.role)}）不在该机关工作")


def masked_applicant(applicant: Mapping[str, Any], in_full: bool = True) -> dict:
    """ID numbers and phones masked for everyone; unless `in_full`, the name masked and every other contact
    detail (e-mail, address…) hidden."""
    out = dict(applicant)
    for name, mask in _ALWAYS_MASKED.items():
        if out.get(name):
            out[name] = mask(out[name])
    if in_full:
        return out
    for name, value in out.items():
        if name == "name":
            out[name] = mask_name(value)
        elif name not in _NOT_PERSONAL and name not in _ALWAYS_MASKED and value not in (None, ""):
            out[name] = HIDDEN
    return out


def replacements(applicants: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Each personal value of the applicant (as recorded at any time) → what everyone else sees instead."""
    out: dict[str, str] = {}
    for applicant in applicants:
        for name, value in applicant.items():
            if name in _NOT_PERSONAL or not isinstance(value, str) or not value.strip():
                continue
            if name == "name":
                out[value] = mask_name(value)
            elif name in _ALWAYS_MASKED:
                out[value] = _ALWAYS_MASKED[name](value)
            else:
                out[value] = HIDDEN
    return out


def masked_text(text: str, replaced: Mapping[str, str]) -> str:
    for original in sorted(replaced, key=len, reverse=True):  # the longest first: an address that holds the name
        text = text.replace(original, replaced[original])
    return text


def masked_value(value: Any, replaced: Mapping[str, str]) -> Any:
    """`value` (a payload: dicts, lists, strings) with every personal value in every string replaced."""
    if isinstance(value, str):
        return masked_text(value, replaced)
    if isinstance(value, Mapping):
        return {key: masked_value(item, replaced) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [masked_value(item, replaced) for item in value]
    return value


@dataclasses.dataclass(frozen=True)
class MaskedDocument(DocumentRecord):
    """A copy of a document with the applicant's personal data masked, for someone who is not staff of the agency:
    not the original (its text no longer matches the issued text's hash), and it says so when rendered."""


def masked_document(document: DocumentRecord, replaced: Mapping[str, str]) -> MaskedDocument:
    fields = {f.name: getattr(document, f.name) for f in dataclasses.fields(DocumentRecord)}
    for name in ("text", "return_reason", "review_opinion"):
        if isinstance(fields.get(name), str):
            fields[name] = masked_text(fields[name], replaced)
    return MaskedDocument(**fields)
