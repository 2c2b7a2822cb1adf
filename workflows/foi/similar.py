"""Art. 44: several applicants asking one agency for the same information — a candidate for proactive disclosure.

Pure: which requests ask for "the same information" is decided on their subjects, normalised so that wording
around the request (申请公开…, punctuation, spaces, full-width forms) does not hide a match.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from workflows.foi.vocabulary import Outcome

# the phrases that frame a request rather than name the information
_FRAMING = re.compile(r"^(我|本人|本公司|本单位)?(现)?(依法)?(申请|请求|要求)?(公开|提供|获取)?(贵(局|单位|机关|委|办)的?)?")
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
DISCLOSABLE = frozenset({Outcome.DISCLOSED, Outcome.PARTIAL})  # "属于可以公开的"


def normalise_subject(subject: str) -> str:
    text = unicodedata.normalize("NFKC", subject).strip().lower()
    text = _FRAMING.sub("", text, count=1)
    return _NOISE.sub("", text)


@dataclass(frozen=True)
class AskedRequest:
    request_id: str
    agency: str
    subject: str
    applicant: str  # the applicant's name (distinct names count as distinct applicants)
    outcome: str | None


@dataclass(frozen=True)
class DisclosureProposal:
    """Requests of several applicants for the same information, at least one of them answered with it."""

    agency: str
    subject: str
    request_ids: tuple[str, ...]
    applicants: int

    article: str = "Art. 44"


def proposals(requests: Iterable[AskedRequest]) -> list[DisclosureProposal]:
    groups: dict[tuple[str, str], list[AskedRequest]] = defaultdict(list)
    for request in requests:
        key = normalise_subject(request.subject)
        if key:
            groups[(request.agency, key)].append(request)
    found = []
    for (agency, _), members in groups.items():
        applicants = {m.applicant for m in members}
        if len(applicants) >= 2 and any(m.outcome in DISCLOSABLE for m in members):
            found.append(DisclosureProposal(agency, members[0].subject, tuple(sorted(m.request_id for m in members)),
                                            len(applicants)))
    return sorted(found, key=lambda p: (-p.applicants, p.agency, p.subject))
