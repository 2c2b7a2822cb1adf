"""The reader of visible text finds what a person should never read, and lets the identifiers they use pass."""

from tests.visible_text import foreign_words


def test_english_codes_and_internal_references_are_found():
    assert foreign_words("送达方式：post_signed") == ["post_signed"]
    assert "DESIGN §" in "".join(foreign_words("依据：DESIGN §9"))
    assert foreign_words("依据：Art. 31") and foreign_words("查看：ogi history HD-1 ") and foreign_words("None")


def test_identifiers_a_person_uses_pass():
    text = ("申请 hedong-xzsp-2026-00001 已送达；邮箱 zhang@example.cn；附件 PDF、Word 文档；"
            "校验值 " + "ab" * 32 + "；10:30")
    assert foreign_words(text) == []
    assert foreign_words("文件 shenqing.pdf", allowed=("shenqing.pdf",)) == []
