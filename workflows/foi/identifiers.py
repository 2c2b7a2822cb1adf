"""What an identifier or a text may be, at every door (web forms, API JSON, query and path parameters, CLI arguments,
import lines): request ids, 居民身份证 numbers (GB 11643-1999), phone numbers, and text free of NUL, control
characters and lone surrogates within its limit. Pure: the limits of the database's columns are passed in
(workflows/requests/input_limits.py reads them from the tables)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from engine.errors import OgiError
from workflows.foi.field_names import field_named


class InputRefused(OgiError):
    """A value no door takes (422), naming the field and what is wrong with it."""

    rule = "input"

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field_named(field)}：{problem}")
        self.field, self.problem = field, problem


# -- request ids -----------------------------------------------------------------------------------------------------
# The request id goes into URLs (/requests/ID) and stream names (request/ID, assignment/ID in a String(200) column).
# 150 leaves room for the longest prefix; tests/e2e/test_hostile_input.py checks it against the tables.
REQUEST_ID_MAX = 150
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs: Extension A, Unified, Compatibility
REQUEST_ID_PATTERN = re.compile(f"[A-Za-z0-9{_CJK}._-]+")
REQUEST_ID_RULE = f"ASCII letters, digits, CJK characters, '-', '_' and '.', 1–{REQUEST_ID_MAX} characters, not '.' or '..'"


def check_request_id(value: str, field: str = "id") -> str:
    """The id as given, or InputRefused: no '/', '?', '#', spaces, control characters, not '.' or '..'."""
    if not value:
        raise InputRefused(field, "不能为空")
    if len(value) > REQUEST_ID_MAX:
        raise InputRefused(field, f"最长 {REQUEST_ID_MAX} 个字符，这里有 {len(value)} 个")
    if value in (".", "..") or not REQUEST_ID_PATTERN.fullmatch(value):
        bad = next((ch for ch in value if not REQUEST_ID_PATTERN.fullmatch(ch)), value)
        raise InputRefused(field, f"只能由字母、数字、汉字和 - _ . 组成，不能是 . 或 ..（不允许 {_shown(bad)}）")
    return value


def _shown(ch: str) -> str:
    return f"U+{ord(ch):04X}" if len(ch) == 1 and (ch.isspace() or not ch.isprintable()) else repr(ch)


# -- text ------------------------------------------------------------------------------------------------------------
def text_problem(value: str, limit: int | None, multiline: bool = True) -> str | None:
    """What is wrong with `value` as stored text, or None: NUL and other control characters (tab and line breaks
    allowed where `multiline`), lone surrogates (not Unicode, no database stores them), more than `limit` characters."""
    for ch in value:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            return f"含有孤立的代理字符 U+{code:04X}，不是有效的 Unicode 文本，请重新输入"
        if code < 32 or code == 0x7F:
            if not (multiline and ch in "\t\n\r"):
                return f"含有不可见的控制字符 U+{code:04X}，请删除后重新填写"
    if limit is not None and len(value) > limit:
        return f"最长 {limit} 个字符，这里有 {len(value)} 个，请删减"
    return None


def check_text(field: str, value: str, limit: int | None, multiline: bool = True) -> str:
    problem = text_problem(value, limit, multiline)
    if problem:
        raise InputRefused(field, problem)
    return value


# -- 居民身份证 numbers (GB 11643-1999) ------------------------------------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_LOOKS_LIKE_ID_CARD = re.compile(r"\d{15}|\d{17}[\dX]")


def id_check_digit(first17: str) -> str:
    """The 18th character of a citizen identity number: ISO 7064 MOD 11-2 over the first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalised(value: str) -> str:
    """NFKC (full-width digits and letters become ASCII: １３８ → 138), trimmed."""
    return unicodedata.normalize("NFKC", value).strip()


def check_id_card_number(value: str, field: str = "id_number") -> str:
    """An 18-character 居民身份证 number, normalised (NFKC, 'x' → 'X'): 17 digits, a valid birth date, the GB 11643
    check digit. The 15-digit numbers of the first-generation cards (void since 2013) are refused."""
    number = normalised(value).upper()
    if len(number) == 15 and number.isdigit():
        raise InputRefused(field, "15 位的旧身份证号码已停用，请填写 18 位号码")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise InputRefused(field, "居民身份证号码应为 18 位：17 位数字加 1 位数字或 X")
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InputRefused(field, f"号码中的出生日期 {number[6:14]} 不存在，请核对") from None
    if born.year < 1900:
        raise InputRefused(field, f"号码中的出生日期 {number[6:14]} 不可能，请核对")
    if id_check_digit(number[:17]) != number[17]:
        raise InputRefused(field, "居民身份证号码的校验码不对，请核对")
    return number


def check_applicant_id_number(value: str, kind: str | None, field: str = "id_number") -> str:
    """A natural person's number that looks like a 居民身份证 number (15 or 18 characters of digits, X last) is checked
    as one; other documents (passports, permits, a company's credit code) are kept as given, normalised."""
    number = normalised(value).upper()
    if kind == "natural_person" and _LOOKS_LIKE_ID_CARD.fullmatch(number):
        return check_id_card_number(number, field)
    return normalised(value)


# -- phone numbers ---------------------------------------------------------------------------------------------------
_MOBILE = re.compile(r"(?:\+?86)?1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}(?:(?:转|ext|x)\d{1,6})?")


def _compact(number: str) -> str:
    return re.sub(r"[\s\-()]", "", number)  # spaces, '-' and brackets are only layout


def mobile_number(phone: str) -> str | None:
    """The number of a mainland mobile without its layout (an SMS can reach it), else None (a landline)."""
    compact = _compact(normalised(phone))
    return compact if _MOBILE.fullmatch(compact) else None


def check_phone(value: str, field: str = "phone") -> str:
    """A mainland mobile (1[3-9] and 9 digits, +86 allowed) or a landline with its area code (010-12345678, an
    extension after 转). Full-width digits are normalised (NFKC) first; spaces, '-' and brackets are only layout.
    Returns the number normalised, layout kept."""
    shown = normalised(value)
    compact = _compact(shown)
    if not (_MOBILE.fullmatch(compact) or _LANDLINE.fullmatch(compact)):
        raise InputRefused(field, "电话号码应为手机号（11 位，1 开头）或带区号的固话（如 010-12345678）")
    return shown
