"""Rule codes cited as an agency cites them (issue 19: 《条例》第三十三条, 国办函〔2020〕109号; no internal references)."""

import pytest

from workflows.foi.citations import chinese_number, cite


@pytest.mark.parametrize("code, words", [
    ("Art. 30", "《条例》第三十条"),
    ("Art. 33 ¶2", "《条例》第三十三条第二款"),
    ("Art. 32, 34", "《条例》第三十二条、第三十四条"),
    ("Art. 36–39", "《条例》第三十六条至第三十九条"),
    ("Art. 29(3)", "《条例》第二十九条第（三）项"),
    ("Art. 33: 负责人同意", "《条例》第三十三条"),
    ("109号", "国办函〔2020〕109号"),
    ("109号 Art. 3–5", "国办函〔2020〕109号第三条至第五条"),
    ("Art. 33; 235号", "《条例》第三十三条；国办公开办函〔2016〕235号"),
])
def test_rule_codes_are_cited_in_chinese(code, words):
    assert cite(code) == words


@pytest.mark.parametrize("code", ["chronology", "input", "DESIGN §9", "import format (DESIGN §6)", "OgiError", "", None])
def test_internal_codes_cite_nothing(code):
    assert cite(code) == ""


def test_numbers_read_as_articles_are_numbered():
    assert [chinese_number(n) for n in (1, 10, 11, 20, 27, 45, 51)] == ["一", "十", "十一", "二十", "二十七", "四十五", "五十一"]
