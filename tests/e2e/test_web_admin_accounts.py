"""系统管理 › 用户 through the web (issue 19 item 8): an administrator resets a password (the old one refused, the new
one accepted, the user's sessions and API tokens ended), disables a user (no sign-in, tokens refused) and enables
them again; every form answers 303; a clerk or an auditor is refused (403) on every administrators' form. On SQLite
and PostgreSQL."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from tests.web_client import csrf, signed_in, site_world
from tests.world import PASSWORD
from web.app import create_app

NEW_PASSWORD = "a-new-password-2026"


@pytest.fixture
def world(services):
    return site_world(services)


def _client(world) -> TestClient:
    return TestClient(create_app(world))


def _sign_in(world, username: str, password: str):
    client = _client(world)
    answer = client.post("/login", data={"username": username, "password": password,
                                         "csrf_token": csrf(client.get("/login").text)}, follow_redirects=False)
    return client, answer


def _post(client: TestClient, path: str, data: dict | None = None, page: str = "/admin"):
    return client.post(path, data={"csrf_token": csrf(client.get(page).text), **(data or {})}, follow_redirects=False)


def _api(world, token: str) -> int:
    return _client(world).get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_reset_password_refuses_the_old_one_ends_the_sessions_and_revokes_the_tokens(world, caplog):
    clerk = signed_in(world, "clerk")
    assert clerk.get("/tasks").status_code == 200
    admin_user = world.directory.user("admin")
    token = world.web.create_token(admin_user, "clerk")
    assert _api(world, token) == 200
    admin = signed_in(world, "admin")
    with caplog.at_level(logging.WARNING, logger="ogi.security"):
        reset = _post(admin, "/admin/users/clerk/password", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert reset.status_code == 303 and reset.headers["location"].startswith("/admin?done=reset")
    shown = admin.get(reset.headers["location"]).text
    assert "已重置“clerk”的密码" in shown and "1 个登录会话已结束" in shown and "1 个接口令牌已吊销" in shown
    assert NEW_PASSWORD not in shown  # set by the administrator, never shown back
    assert any("password of 'clerk' reset by 'admin'" in r.getMessage() for r in caplog.records)  # who and when
    assert clerk.get("/tasks", follow_redirects=False).status_code in (303, 401)  # the old session ended
    assert _api(world, token) == 401  # the token revoked
    [listed] = world.web.tokens(admin_user, "clerk")
    assert listed.revoked_by == "admin" and listed.revoked_at is not None
    _, old = _sign_in(world, "clerk", PASSWORD)
    assert old.status_code != 303 or old.headers.get("location", "").startswith("/login")
    new_client, new = _sign_in(world, "clerk", NEW_PASSWORD)
    assert new.status_code == 303 and new_client.get("/tasks").status_code == 200


@pytest.mark.parametrize(("password", "again", "said"), [
    ("short", "short", "新密码至少 8 个字符"),
    (NEW_PASSWORD, NEW_PASSWORD + "x", "两次输入的新密码不一致"),
    ("x" * 201, "x" * 201, "新密码最多 200 个字符"),
    (" spaced-password ", " spaced-password ", "首尾不能是空格"),
    ("", "", "请填写新密码"),
])
def test_a_wrong_new_password_is_refused_in_chinese_and_the_old_one_still_works(world, password, again, said):
    admin = signed_in(world, "admin")
    refused = admin.post("/admin/users/clerk/password", data={"csrf_token": csrf(admin.get("/admin").text),
                                                              "password": password, "password_again": again},
                         follow_redirects=False)
    assert refused.status_code == 303
    page = admin.get(refused.headers["location"]).text
    assert said in page and 'data-refused="reset:clerk"' in page
    assert password not in re.findall(r'value="([^"]*)"', page) or not password  # never carried back
    assert _sign_in(world, "clerk", PASSWORD)[1].status_code == 303


def test_the_administrator_resetting_their_own_password_signs_in_again(world):
    admin = signed_in(world, "admin")
    reset = _post(admin, "/admin/users/admin/password", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert reset.status_code == 303 and reset.headers["location"] == "/login"
    assert _sign_in(world, "admin", NEW_PASSWORD)[1].status_code == 303


def test_a_disabled_user_cannot_sign_in_nor_use_a_token_and_an_enabled_one_can(world):
    clerk = signed_in(world, "clerk")
    token = world.web.create_token(world.directory.user("admin"), "clerk")
    admin = signed_in(world, "admin")
    disabled = _post(admin, "/admin/users/clerk/disable")
    assert disabled.status_code == 303
    page = admin.get(disabled.headers["location"]).text
    assert "用户“clerk”已停用" in page
    row = page.split('data-user="clerk"')[1].split("</tr>")[0]
    assert "已停用" in row and "/admin/users/clerk/enable" in row
    assert clerk.get("/tasks", follow_redirects=False).status_code in (303, 401)
    assert _api(world, token) == 401
    _, refused = _sign_in(world, "clerk", PASSWORD)
    assert refused.status_code != 303 or refused.headers.get("location", "").startswith("/login")
    again = _post(admin, "/admin/users/clerk/disable")  # twice: said so, nothing changes
    assert again.status_code == 303 and "已经是停用状态" in admin.get(again.headers["location"]).text
    enabled = _post(admin, "/admin/users/clerk/enable")
    assert enabled.status_code == 303 and "已启用" in admin.get(enabled.headers["location"]).text
    assert _sign_in(world, "clerk", PASSWORD)[1].status_code == 303
    assert _api(world, token) == 200  # not revoked: refused only while disabled


def test_the_administrator_cannot_disable_themselves_nor_an_unknown_user(world):
    admin = signed_in(world, "admin")
    own = _post(admin, "/admin/users/admin/disable")
    assert own.status_code == 303 and "不能停用自己的账号" in admin.get(own.headers["location"]).text
    assert not world.directory.user("admin").disabled
    unknown = _post(admin, "/admin/users/nobody/password", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert unknown.status_code == 404 and "没有用户名为“nobody”的用户" in unknown.text


ADMIN_FORMS = [
    ("/admin/users", {"username": "sneaky", "role": "admin", "password": "pw-pw-pw-pw"}),
    ("/admin/users/head/disable", {}),
    ("/admin/users/head/enable", {}),
    ("/admin/users/head/password", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}),
    ("/admin/agencies", {"slug": "sneaky-agency", "name": "冒名机关"}),
    ("/admin/agencies/hedong-xzsp/settings", {"doc_prefix": "冒名"}),
    ("/admin/departments", {"agency": "hedong-xzsp", "code": "sneaky", "name": "冒名科"}),
    ("/admin/outbox/1/retry", {}),
    ("/admin/calendar/2027", {"holidays": "2027-01-01", "workdays": "", "source": "冒名通知"}),
]


@pytest.mark.parametrize("username", ["clerk", "auditor"])
def test_a_clerk_or_an_auditor_is_refused_every_administrators_form(world, username):
    client = signed_in(world, username)
    token = csrf(client.get("/tasks").text)
    for path, data in ADMIN_FORMS:
        refused = client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)
        assert refused.status_code == 403, (path, refused.status_code)
        assert "只有系统管理员可以" in refused.text, path
    assert client.get("/admin").status_code == 403 and client.get("/admin/calendar/2027").status_code == 403
    assert "sneaky" not in {u.username for u in world.directory.users()}
    assert _sign_in(world, "head", PASSWORD)[1].status_code == 303  # not disabled, password unchanged
    assert not world.queries.calendar().has_year(2027) or "冒名通知" not in world.queries.calendar().years[2027].source


def test_a_new_users_agencies_are_ticked_by_name_and_kept_when_refused(world):
    admin = signed_in(world, "admin")
    page = admin.get("/admin").text
    assert 'type="checkbox" name="agencies" value="hedong-xzsp"' in page and "另一机关</label>" in page
    token = csrf(page)
    refused = admin.post("/admin/users", data={"csrf_token": token, "username": "x", "role": "staff",
                                               "password": "pw-pw-pw-pw", "agencies": ["hedong-xzsp", "other-agency"]},
                         follow_redirects=False)
    assert refused.status_code == 303
    shown = admin.get(refused.headers["location"]).text
    assert "用户名“x”须为 2–100 个英文字母" in shown
    assert shown.count('name="agencies" value="hedong-xzsp" checked') == 1
    assert shown.count('name="agencies" value="other-agency" checked') == 1
    added = admin.post("/admin/users", data={"csrf_token": token, "username": "zhao", "role": "staff",
                                             "password": "pw-pw-pw-pw", "agencies": ["hedong-xzsp", "other-agency"]},
                       follow_redirects=False)
    assert added.status_code == 303
    assert world.directory.user("zhao").agencies == {"hedong-xzsp", "other-agency"}
