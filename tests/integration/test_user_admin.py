"""Users and tokens under the administrators' control (issue 17): a disabled user signs in nowhere and their
sessions and tokens stop at once; tokens expire, are listed without the token and are revoked; `ogi user list`
shows no password hash and masks contacts; migration 0013 gives old tokens an expiry and goes back down."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from engine.errors import NotFound, OgiError, PermissionDenied
from tests.conftest import user
from tests.web_client import csrf, signed_in
from tests.world import PASSWORD
from web.app import create_app
from workflows.people.sign_in import TOKEN_DAYS, LoginRefused
from workflows.tables import api_tokens_table


def _later(services, **delta) -> None:
    services.clock.advance_to(services.clock.now() + dt.timedelta(**delta))


def test_a_disabled_user_cannot_sign_in_and_their_session_and_token_stop_at_once(services):
    admin = user(services, "admin")
    session = services.web.sign_in("clerk", PASSWORD)
    token = services.web.create_token(admin, "clerk")
    assert services.web.session(session.id) is not None and services.web.token_user(token) is not None
    services.web.set_disabled(admin, "clerk", True)
    assert services.web.session(session.id) is None
    assert services.web.token_user(token) is None
    with pytest.raises(LoginRefused, match="已停用"):
        services.web.sign_in("clerk", PASSWORD)
    with pytest.raises(LoginRefused, match="用户名或密码错误"):  # a wrong password says nothing about the account
        services.web.sign_in("clerk", "wrong")
    with pytest.raises(OgiError, match="已停用，不能为其创建接口令牌"):
        services.web.create_token(admin, "clerk")
    services.web.set_disabled(admin, "clerk", False)
    assert services.web.token_user(token).username == "clerk"  # the token was refused, not revoked
    assert services.web.session(session.id) is None  # the session ended for good
    assert services.web.sign_in("clerk", PASSWORD).user.username == "clerk"


def test_only_an_administrator_disables_users_and_not_themselves(services):
    with pytest.raises(PermissionDenied):
        services.web.set_disabled(user(services, "head"), "clerk", True)
    with pytest.raises(OgiError, match="不能停用自己的账户"):
        services.web.set_disabled(user(services, "admin"), "admin", True)
    with pytest.raises(NotFound):
        services.web.set_disabled(user(services, "admin"), "no-such-user", True)
    with pytest.raises(PermissionDenied):
        services.web.tokens(user(services, "clerk"))
    with pytest.raises(PermissionDenied):
        services.web.users(user(services, "auditor"))


def test_a_token_expires_after_its_days_and_a_revoked_one_stops_at_once(services):
    admin = user(services, "admin")
    short = services.web.create_token(admin, "clerk", days=1)
    default = services.web.create_token(admin, "head")
    listed = {t.username: t for t in services.web.tokens(admin)}
    assert listed["head"].expires_at == services.clock.now() + dt.timedelta(days=TOKEN_DAYS)
    assert services.web.token_user(short).username == "clerk"
    _later(services, days=1)
    assert services.web.token_user(short) is None
    assert services.web.token_user(default).username == "head"
    revoked = services.web.revoke_token(admin, listed["head"].id)
    assert revoked.revoked_by == "admin" and revoked.status(services.clock.now()) == "revoked"
    assert services.web.token_user(default) is None
    with pytest.raises(OgiError):
        services.web.create_token(admin, "clerk", days=0)
    with pytest.raises(NotFound):
        services.web.revoke_token(admin, "0" * 12)
    with pytest.raises(OgiError, match="十六进制数字"):
        services.web.revoke_token(admin, "not-an-id")


def test_the_token_list_shows_when_a_token_was_last_used_and_never_the_token(services):
    admin = user(services, "admin")
    token = services.web.create_token(admin, "clerk")
    (before,) = services.web.tokens(admin, "clerk")
    assert before.last_used_at is None
    services.web.token_user(token)
    (after,) = services.web.tokens(admin, "clerk")
    assert after.last_used_at == services.clock.now()
    shown = json.dumps(after.as_json(services.clock.now()))
    with services.engine.connect() as conn:
        digest = conn.execute(select(api_tokens_table.c.token_hash)).scalar_one()
    assert token not in shown and digest not in shown and after.id == digest[:12]


def test_the_cli_lists_users_without_hashes_disables_them_and_lists_and_revokes_tokens(ogi):
    ogi("init")
    ogi("agency", "add", "hd", "--name", "河东")
    ogi("user", "add", "zhang", "--role", "staff", "--agency", "hd", "--phone", "13812345678",
        "--email", "zhang@example.cn", env={"OGI_NEW_USER_PASSWORD": "pw-zhang-1"})
    made = ogi("token", "create", "zhang", "--days", "30").stdout
    assert re.fullmatch(r"ogi_\S+\n", made)  # the token alone on one line (DESIGN §10)
    users = json.loads(ogi("user", "list", "--format", "json").stdout)
    zhang = next(u for u in users if u["username"] == "zhang")
    assert zhang["phone"] == "138****5678" and zhang["disabled"] is False and "zhang@" not in zhang["email"]
    assert not any("password" in key for u in users for key in u)
    assert "argon2" not in ogi("user", "list").stdout
    tokens = json.loads(ogi("token", "list", "zhang", "--format", "json").stdout)
    assert len(tokens) == 1 and tokens[0]["status"] == "active" and made.strip() not in json.dumps(tokens)
    ogi("user", "disable", "zhang")
    assert json.loads(ogi("user", "list", "--format", "json").stdout)[-1]["disabled"] is True
    assert "已停用" in ogi("user", "list").stdout
    ogi("user", "enable", "zhang")
    assert "已吊销用户“zhang”的接口令牌" in ogi("token", "revoke", tokens[0]["id"]).stdout
    assert "已吊销（admin 于" in ogi("token", "list").stdout
    refused = ogi("user", "disable", "admin", "--as", "zhang", ok=False)
    assert refused.returncode != 0 and "只有系统管理员可以办理" in refused.stderr


def test_the_admin_page_disables_a_user_whose_open_session_then_goes_to_the_login(site):
    clerk = signed_in(site, "clerk")
    assert clerk.get("/tasks", follow_redirects=False).status_code == 200
    admin = signed_in(site, "admin")
    page = admin.get("/admin")
    assert 'action="/admin/users/clerk/disable"' in page.text
    answer = admin.post("/admin/users/clerk/disable", data={"csrf_token": csrf(page.text)}, follow_redirects=False)
    assert answer.status_code == 303
    assert clerk.get("/tasks", follow_redirects=False).status_code == 303  # back to the login page
    assert 'action="/admin/users/clerk/enable"' in admin.get("/admin").text
    bearer = site.web.create_token(user(site, "admin"), "head")
    site.web.set_disabled(user(site, "admin"), "head", True)
    refused = TestClient(create_app(site)).get("/api/v1/tasks", headers={"Authorization": f"Bearer {bearer}"})
    assert refused.status_code == 401


def test_migration_0013_gives_old_tokens_an_expiry_and_goes_back_down(tmp_path):
    from alembic import command
    from sqlalchemy import text

    from engine.adapters.database import alembic_config, make_engine, migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    config = alembic_config(url)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0012")
    made = dt.datetime(2026, 10, 1, 9)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (username, display_name, role, password_hash, created_at) "
                          "VALUES ('zhang', '张', 'staff', 'x', :t)"), {"t": made})
        conn.execute(text("INSERT INTO api_tokens (token_hash, username, created_at, created_by) "
                          "VALUES ('ab', 'zhang', :t, 'admin')"), {"t": made})
    migrate(engine)
    with engine.connect() as conn:
        row = conn.execute(select(api_tokens_table.c.expires_at, api_tokens_table.c.revoked_at)).one()
        disabled = conn.execute(text("SELECT disabled FROM users")).scalar_one()
    assert row.expires_at == made + dt.timedelta(days=90) and row.revoked_at is None and not disabled
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0012")
    with engine.connect() as conn:
        columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(api_tokens)")]
        kept = conn.execute(text("SELECT username FROM users")).scalar_one()
    engine.dispose()
    assert "expires_at" not in columns and kept == "zhang"

