"""Every field a refusal names is named in Chinese (issue 19 items 1, 8): a label already in words passes through,
a form's field is named by its label, a field no form has is 提交的内容 — never a bare 输入 or a machine name."""

import pathlib
import re

import pytest

from web.errors import field_words, for_people
from workflows.foi.field_names import FIELD_NAMES, field_named
from workflows.foi.identifiers import InputRefused


@pytest.mark.parametrize("label", ["上传内容", "征求对象名称（第三方或机关）", "附件 PDF"])
def test_a_label_already_in_chinese_passes_through(label):
    assert field_named(label) == label
    assert field_words(label) == label


def test_a_machine_name_gets_its_label_and_keeps_the_name_for_the_cli():
    assert field_named("content") == "补正内容（content）"
    assert str(InputRefused("party_name", "不能为空")) == "征求对象名称（party_name）：不能为空"


def test_every_form_field_of_the_pages_has_a_chinese_name():
    names = set()
    for template in pathlib.Path("templates/web").rglob("*.j2"):
        names |= set(re.findall(r'name="([a-z_][a-z0-9_.]*)"', template.read_text()))
    unnamed = sorted(n for n in names if n != "viewport" and field_words(n) == "提交的内容")
    assert unnamed == []


@pytest.mark.parametrize("name, words", [("slug", "机关代码"), ("applicant_name", "申请人姓名或名称"),
                                         ("(key)", "字段名"), ("zz_unknown", "提交的内容"), ("", "提交的内容")])
def test_the_page_names_the_field_in_words(name, words):
    assert field_words(name) == words


def test_a_field_no_form_has_is_not_shown_by_its_machine_name():
    assert for_people(str(InputRefused("zz_unknown", "含有不可见的控制字符 U+0000"))) == "提交的内容：含有不可见的控制字符 U+0000"
    assert all(re.search(r"[\u3400-\u9fff]", label) for label in FIELD_NAMES.values())
