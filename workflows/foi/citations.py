"""A rule's code in the words a clerk cites it: "Art. 33 ¶2" → 《条例》第三十三条第二款, "109号" →
国办函〔2020〕109号. The code stays what machines read (the API's `rule`); people read the citation.

The remedies cite the other laws by their full names: "行政复议法 Art. 20" → 《中华人民共和国行政复议法》第二十条,
"行政诉讼法 Art. 45, 46" → 《中华人民共和国行政诉讼法》第四十五条、第四十六条.

A code that names no published rule (the workflow's own, such as "chronology" or "input", or one in Chinese words
such as 归档, 内部办理, 记录更正) cites nothing: its refusal says in words what is wrong, and neither an internal
reference nor "依据：归档" reaches a page.
"""

from __future__ import annotations

import re

REGULATION = "《条例》"  # 《中华人民共和国政府信息公开条例》(2019), the rules' usual short name in an agency's papers
_DOCUMENTS = {
    "109号": "国办函〔2020〕109号",  # 《政府信息公开信息处理费管理办法》
    "235号": "国办公开办函〔2016〕235号",  # 关于政府信息公开处理决定送达问题的解释
}
_LAWS = {
    "行政复议法": "《中华人民共和国行政复议法》",  # as revised in 2023, in force 2024-01-01
    "行政诉讼法": "《中华人民共和国行政诉讼法》",
    "电子签名法": "《中华人民共和国电子签名法》",  # Art. 11: when a data message sent to a chosen system is received
}
_DIGITS = "零一二三四五六七八九"
_ARTICLE = re.compile(r"Art\.\s*(\d+)(?:\s*[–-]\s*(\d+))?((?:\s*,\s*\d+)*)(?:\s*¶\s*(\d+))?(?:\((\d+)\))?")
_DOCUMENT_ARTICLE = re.compile(r"(109号|235号)(?:\s+Art\.\s*(\d+)(?:\s*[–-]\s*(\d+))?)?")
_LAW_ARTICLE = re.compile(r"(行政复议法|行政诉讼法|电子签名法)(?:\s+(Art\..*))?")


def chinese_number(n: int) -> str:
    """1–99 as an article is numbered in Chinese: 十, 十二, 二十, 三十三."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}" if n < 100 else str(n)


def _articles(match: re.Match) -> str:
    """The article part alone: 第三十三条第二款."""
    first, last, more, paragraph, item = match.groups()
    numbers = [int(first)] + [int(n) for n in re.findall(r"\d+", more or "")]
    if last:
        text = f"第{chinese_number(int(first))}条至第{chinese_number(int(last))}条"
    else:
        text = "、".join(f"第{chinese_number(n)}条" for n in numbers)
    if paragraph:
        text += f"第{chinese_number(int(paragraph))}款"
    if item:
        text += f"第（{chinese_number(int(item))}）项"
    return text


def _article(match: re.Match) -> str:
    return REGULATION + _articles(match)


def _law(match: re.Match) -> str:
    """行政复议法 Art. 20 → 《中华人民共和国行政复议法》第二十条 (the law alone when no article is named)."""
    law, articles = match.groups()
    if not articles:
        return _LAWS[law]
    article = _ARTICLE.fullmatch(articles)
    return _LAWS[law] + (_articles(article) if article else "")


def _document(match: re.Match) -> str:
    number, first, last = match.groups()
    text = _DOCUMENTS[number]
    if first:
        text += f"第{chinese_number(int(first))}条" + (f"至第{chinese_number(int(last))}条" if last else "")
    return text


def cite(rule: str | None) -> str:
    """The citation of a rule code, or "" when it names no published rule."""
    if not rule:
        return ""
    parts = []
    for part in re.split(r"\s*;\s*", rule):
        head = part.split(":", 1)[0].strip()
        if _DOCUMENT_ARTICLE.fullmatch(head):
            parts.append(_DOCUMENT_ARTICLE.sub(_document, head))
        elif _LAW_ARTICLE.fullmatch(head):
            parts.append(_LAW_ARTICLE.sub(_law, head))
        elif _ARTICLE.fullmatch(head):
            parts.append(_ARTICLE.sub(_article, head))
        # anything else (chronology, 归档, 内部办理, 记录更正, DESIGN §9) is the workflow's own: no citation
    return "；".join(parts)
