"""A refusal on the applicant's own pages is answered in their look (issue 20): what was wrong, that the browser's
back button keeps what was typed, and the way back to the form — not the staff site's error page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.test_portal_apply import apply, open_online, visible
from tests.visible_text import foreign_words
from web.app import create_app


def test_a_nul_in_the_form_is_refused_at_the_boundary_in_the_portals_words(site):
    open_online(site)
    visitor = TestClient(create_app(site))
    answer = apply(visitor, applicant_name="王\x00五")
    text = visible(answer.text)
    assert answer.status_code == 422 and 'class="portal"' in answer.text
    assert "姓名" in text and "返回申请表" in text and "浏览器的“返回”一般会保留您已填写的内容" in text
    assert "工作人员登录" not in text and not foreign_words(text), foreign_words(text)


def test_an_unknown_page_under_apply_or_my_is_the_portals_not_found(site):
    visitor = TestClient(create_app(site))
    for path, back in (("/apply/nothing-here", "返回申请表"), ("/my/nothing-here", "返回我的申请")):
        answer = visitor.get(path)
        assert answer.status_code == 404 and back in answer.text and 'class="portal"' in answer.text, path
        assert not foreign_words(visible(answer.text))
