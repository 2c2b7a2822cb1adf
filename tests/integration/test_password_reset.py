"""A password reset by an administrator (issue 19 item 8), in the directory and as `ogi user reset-password NAME`:
the old password is refused, the new one accepted, the user's sessions end and API tokens are revoked (with who and
when); only an administrator resets; the CLI takes OGI_NEW_USER_PASSWORD or prints a generated one once."""

from __future__ import annotations

import re

import pytest

from engine.errors import NotFound, OgiError, PermissionDenied
from tests.conftest import user
from tests.world import PASSWORD
from workflows.people.sign_in import LoginRefused


def test_a_reset_ends_every_session_and_revokes_every_token(services):
    admin = user(services, "admin")
    session = services.web.sign_in("clerk", PASSWORD)
    token = services.web.create_token(admin, "clerk")
    other = services.web.sign_in("head", PASSWORD)
    done = services.directory.reset_password(admin, "clerk", "brand-new-password")
    assert (done.generated_password, done.sessions_ended, done.tokens_revoked) == (None, 1, 1)
    assert services.web.session(session.id) is None and services.web.token_user(token) is None
    assert services.web.session(other.id) is not None  # another user's session is untouched
    [listed] = services.web.tokens(admin, "clerk")
    assert listed.revoked_by == "admin" and listed.revoked_at == services.clock.now()
    with pytest.raises(LoginRefused):
        services.web.sign_in("clerk", PASSWORD)
    assert services.web.sign_in("clerk", "brand-new-password").user.username == "clerk"


def test_a_generated_password_is_returned_once_and_works(services):
    done = services.directory.reset_password(user(services, "admin"), "clerk")
    assert done.generated_password and len(done.generated_password) >= 12
    assert services.web.sign_in("clerk", done.generated_password).user.username == "clerk"


def test_only_an_administrator_resets_and_the_user_must_exist(services):
    for name in ("head", "clerk", "auditor"):
        with pytest.raises(PermissionDenied, match="无权重置密码：只有系统管理员可以办理"):
            services.directory.reset_password(user(services, name), "clerk", "brand-new-password")
    with pytest.raises(NotFound, match="没有用户名为“nobody”的用户"):
        services.directory.reset_password(user(services, "admin"), "nobody", "brand-new-password")
    with pytest.raises(OgiError, match="新密码至少 8 个字符"):
        services.directory.reset_password(user(services, "admin"), "clerk", "short")
    assert services.web.sign_in("clerk", PASSWORD).user.username == "clerk"  # nothing changed


def test_ogi_user_reset_password_prints_a_generated_password_once(ready):
    ready("user", "add", "zhao", "--role", "staff", "--agency", "hedong-xzsp", env={"OGI_NEW_USER_PASSWORD": "first-pw-1"})
    printed = ready("user", "reset-password", "zhao", env={"OGI_NEW_USER_PASSWORD": None}).stdout
    assert "已重置用户“zhao”的密码" in printed and "0 个登录会话已结束" in printed
    assert re.search(r"新密码（只显示这一次）：(\S+?)；", printed)
    given = ready("user", "reset-password", "zhao", env={"OGI_NEW_USER_PASSWORD": "chosen-pw-2026"}).stdout
    assert "新密码取自 OGI_NEW_USER_PASSWORD" in given and "chosen-pw-2026" not in given
    short = ready("user", "reset-password", "zhao", env={"OGI_NEW_USER_PASSWORD": "short"}, ok=False)
    assert short.returncode == 1 and "OGI_NEW_USER_PASSWORD 中的新密码至少 8 个字符" in short.stderr
    ready("user", "add", "reader", "--role", "auditor", env={"OGI_NEW_USER_PASSWORD": "reader-pw-1"})
    refused = ready("user", "reset-password", "zhao", "--as", "reader", ok=False)
    assert refused.returncode == 77 and "无权重置密码：只有系统管理员可以办理" in refused.stderr
