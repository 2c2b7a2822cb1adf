"""`ogi platform add|list|revoke`: the tokens of the 政务服务网 that file through the API (administrators only)."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from engine.adapters.database import make_engine
from tests.conftest import AGENCY
from workflows.tables import platform_tokens_table


def stored(ogi) -> list:
    url = ogi.args[0]
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(platform_tokens_table)).all()
    finally:
        engine.dispose()


def test_add_prints_the_token_alone_and_keeps_only_its_digest(ready):
    out = ready("platform", "add", "hedong-zwfw", "--agency", AGENCY, "--display-name", "河东区政务服务网").stdout
    token = out.strip()
    assert out == token + "\n" and token.startswith("ogip_") and len(token) > 40
    rows = stored(ready)
    assert [r.token_hash for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert rows[0].display_name == "河东区政务服务网" and rows[0].agencies == AGENCY and rows[0].created_by == "admin"


def test_list_shows_name_agencies_created_and_revoked_never_the_token(ready):
    token = ready("platform", "add", "hedong-zwfw", "--agency", AGENCY).stdout.strip()
    listed = ready("platform", "list").stdout
    assert "hedong-zwfw" in listed and AGENCY in listed and "有效" in listed and token not in listed
    ready("platform", "revoke", "hedong-zwfw")
    as_json = json.loads(ready("platform", "list", "--format", "json").stdout)
    assert as_json[0]["name"] == "hedong-zwfw" and as_json[0]["agencies"] == [AGENCY]
    assert as_json[0]["revoked_at"] and token not in json.dumps(as_json)
    assert "已吊销" in ready("platform", "list").stdout


def test_revoke_says_so_and_a_second_token_may_then_be_added(ready):
    ready("platform", "add", "hedong-zwfw", "--agency", AGENCY)
    refused = ready("platform", "add", "hedong-zwfw", "--agency", AGENCY, ok=False)
    assert refused.returncode == 1 and "已有有效的令牌" in refused.stderr
    assert "立即失效" in ready("platform", "revoke", "hedong-zwfw").stdout
    assert "此前已吊销" in ready("platform", "revoke", "hedong-zwfw").stdout
    ready("platform", "add", "hedong-zwfw", "--agency", AGENCY)
    assert len(stored(ready)) == 2


def test_only_an_administrator_may_add_list_or_revoke(ready):
    ready("user", "add", "clerk", "--role", "staff", "--agency", AGENCY)
    for args in (("add", "p", "--agency", AGENCY), ("list",), ("revoke", "p")):
        refused = ready("platform", *args, "--as", "clerk", ok=False)
        assert refused.returncode == 77 and "只有系统管理员" in refused.stderr, refused.stderr
    assert stored(ready) == []


def test_wrong_names_and_agencies_are_refused_in_chinese_and_nothing_is_written(ready):
    for args, words in [
        (("add", "Hedong ZWFW", "--agency", AGENCY), "平台代码"),
        (("add", "<b>x</b>", "--agency", AGENCY), "平台代码"),
        (("add", "x" * 200, "--agency", AGENCY), "平台代码"),
        (("add", "hedong-zwfw", "--agency", "no-such"), "没有代码为“no-such”的机关"),
        (("add", "hedong-zwfw", "--agency", AGENCY, "--display-name", "x" * 300), "最长 200 个字符"),
        (("add", "hedong-zwfw", "--agency", AGENCY, "--display-name", "河东\n区"), "平台名称"),
        (("revoke", "no-such"), "没有名为“no-such”"),
    ]:
        refused = ready("platform", *args, ok=False)
        assert refused.returncode != 0 and words in refused.stderr, (args, refused.stderr)
        assert "Traceback" not in refused.stderr
    assert stored(ready) == []


def test_an_agency_is_required(ready):
    refused = ready("platform", "add", "hedong-zwfw", ok=False)
    assert refused.returncode == 2 and stored(ready) == []
