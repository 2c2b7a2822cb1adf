"""What a person reads on a page, checked for what they should never read: English words, raw codes and internal
references (issue 19). The identifiers a person does use are allowed: request ids, document numbers, 查询码, dates,
amounts, e-mail addresses and the names the test itself typed in."""

from __future__ import annotations

import re

# a request id (HD-2026-0001, hedong-xzsp-2026-00001 is a slug+number: its words are not English, but the slug is
# allowed only inside an id), an e-mail address, a URL path, a time, a file name a person uploaded
_ALLOWED_PATTERNS = [
    r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*-\d{4}-\d{3,6}",  # request ids
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # e-mail addresses
    r"\b\d{1,2}:\d{2}(?::\d{2})?\b",
    r"\b(?:PDF|DOCX|HTML|ID|SHA-256|JPEG|PNG)\b",  # formats a clerk knows by these names
    r"\bWord 文档",  # the DOCX download, as an office calls it
    r"\b[0-9a-f]{64}\b",  # a SHA-256 checksum shown beside a scan or the log's head
]
_INTERNAL = re.compile(r"DESIGN\s*§|Art\.\s*\d|OgiError|RuleViolation|Traceback|None\b|True\b|False\b|ogi [a-z]+ |"
                       r"\{\{|\}\}|\{%|undefined|null\b|\[[a-z_]+\]")
_WORD = re.compile(r"[A-Za-z_][A-Za-z_]{2,}")


def foreign_words(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """The English words and internal references in `text` (what the person typed themselves, `allowed`, excepted)."""
    for value in sorted(allowed, key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    found = [match.group(0) for match in _INTERNAL.finditer(text)]
    for pattern in _ALLOWED_PATTERNS:
        text = re.sub(pattern, " ", text)
    found += [word for word in _WORD.findall(text) if word != "ogi"]  # the product's own name in the header
    return found
