"""The request id and the 查询码 as an applicant types them: full-width letters and digits (ＨＤ－２０２６－０００１),
a Chinese input method's dashes (－ — – ‐ −), spaces anywhere (the receipt prints the code in groups), lower case."""

from __future__ import annotations

import re
import unicodedata

LONGEST_REQUEST_ID = 200  # the column's width: a longer id is no request's
LONGEST_QUERY_CODE = 40
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


def fits(request_id: str, query_code: str) -> bool:
    """Both typed and neither longer than any request's id or 查询码 (worth asking the database about)."""
    return 0 < len(request_id) <= LONGEST_REQUEST_ID and 0 < len(query_code) <= LONGEST_QUERY_CODE
