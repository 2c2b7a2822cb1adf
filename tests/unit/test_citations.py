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


@pytest.mark.parametrize("code, words", [
    ("行政复议法 Art. 20", "《中华人民共和国行政复议法》第二十条"),
    ("行政复议法", "《中华人民共和国行政复议法》"),
    ("行政诉讼法 Art. 45, 46", "《中华人民共和国行政诉讼法》第四十五条、第四十六条"),
    ("行政诉讼法 Art. 46", "《中华人民共和国行政诉讼法》第四十六条"),
    ("行政诉讼法", "《中华人民共和国行政诉讼法》"),
])
def test_remedy_laws_are_cited_by_their_full_names(code, words):
    assert cite(code) == words


@pytest.mark.parametrize("code", ["归档", "内部办理", "记录更正（不修改、不删除）", "approval"])
def test_workflow_words_are_not_cited_as_rules(code):
    """归档 is what the step does, not a rule: a refusal under it must not say （依据：归档）."""
    assert cite(code) == ""


def test_a_refusal_under_a_workflow_word_carries_no_basis():
    from engine.errors import RuleViolation
    from workflows.foi.refusal_text import refusal_text

    assert refusal_text(RuleViolation("尚有未审结的行政复议", rule="归档")) == "尚有未审结的行政复议"
    assert refusal_text(RuleViolation("须写明案号", rule="行政复议法 Art. 20")) == (
        "须写明案号（依据：《中华人民共和国行政复议法》第二十条）")
