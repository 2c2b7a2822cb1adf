"""What the services say when something is missing is Chinese at the source (issue 19 item 1): a request that does
not exist, a period that is not running, a database `ogi init` has not prepared, a message the outbox cannot retry."""

import datetime as dt

import pytest
from sqlalchemy import create_engine

from engine.adapters.database import require_migrated
from engine.errors import NotFound, NotMigrated, OgiError
from notifications import outbox
from tests.builders import load, request_line


def test_a_missing_request_is_named_in_chinese(services):
    with pytest.raises(NotFound, match="^没有编号为“NO-SUCH”的申请，请核对申请编号$"):
        services.queries.history("NO-SUCH")
    with pytest.raises(NotFound, match="^没有编号为“NO-SUCH”的申请"):
        services.queries.deadline("NO-SUCH")


def test_a_period_that_is_not_running_is_named_by_its_label(services):
    load(services, request_line("Q-1", "2024-03-01T09:00:00+08:00"))
    with pytest.raises(NotFound, match="^申请“Q-1”没有正在计算的补正期限$"):
        services.queries.deadline("Q-1", "correction")


def test_an_uninitialised_database_says_to_run_ogi_init_in_chinese(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    with pytest.raises(NotMigrated, match="^数据库尚未初始化：请先运行 ogi init"):
        require_migrated(engine)
    engine.dispose()


def test_the_outbox_refuses_to_retry_in_chinese(services):
    now = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    with services.engine.begin() as conn:
        with pytest.raises(NotFound, match="^没有编号为“nope”的待发消息$"):
            outbox.retry(conn, "nope", now)
        with pytest.raises(OgiError, match="消息状态“bogus”不存在，可选：等待发送（pending）"):
            outbox.listing(conn, "bogus")


def test_a_failed_delivery_says_why_in_chinese_for_the_admin_page():
    """/admin's 发送失败的消息 shows a parked message's last error: the reason in Chinese, the address masked."""
    from notifications.message import DeliveryError, OutgoingMessage, http_post

    message = OutgoingMessage("m1", "webhook", "ftp://example.cn/x", "提醒", "正文")
    with pytest.raises(DeliveryError, match="^不是 http 或 https 网址：") as failed:
        http_post(message, message.to, b"{}", {})
    assert failed.value.permanent


def test_a_missing_log_key_is_refused_in_chinese(monkeypatch):
    """An administrator reads this at `ogi init` on PostgreSQL without a key: what to set, in words."""
    from engine.adapters.keys import KeyringError, keyring_from_environment

    monkeypatch.delenv("OGI_SECRET_KEY", raising=False)
    monkeypatch.delenv("OGI_KEY_FILE", raising=False)
    with pytest.raises(KeyringError, match="^使用 SQLite 以外的数据库时须设置 OGI_SECRET_KEY"):
        keyring_from_environment(None)
