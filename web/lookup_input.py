"""The request id and the 查询码 as an applicant types them: full-width letters and digits (ＨＤ－２０２６－０００１),
a Chinese input method's dashes (－ — – ‐ −), spaces anywhere (the receipt prints the code in groups), lower case."""

from __future__ import annotations

import re
import unicodedata

_DASHES = re.compile("[\u2010-\u2015\u2212\u2e3a\u2e3b\u30fc\ufe58\ufe63\uff0d\uff70]")  # after NFKC: still not '-'
_SPACES = re.compile(r"\s+")
_NOT_HEX = str.maketrans({"O": "0", "I": "1", "L": "1"})  # letters a code of 0-9A-F never holds, read as digits


def typed_request_id(text: str) -> str:
    """NFKC (full-width → ASCII), every dash '-', no spaces; the case as typed (the lookup tries capitals too)."""
    return _SPACES.sub("", _DASHES.sub("-", unicodedata.normalize("NFKC", text)))


def typed_query_code(text: str) -> str:
    """NFKC, no spaces or dashes, in capitals, O/I/L read as 0/1."""
    plain = _SPACES.sub("", _DASHES.sub("", unicodedata.normalize("NFKC", text))).replace("-", "")
    return plain.upper().translate(_NOT_HEX)
