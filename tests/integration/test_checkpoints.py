"""Signed checkpoints (issue 9): a log rewritten after a checkpoint was handed out contradicts it — even a log
rewritten by someone holding the key — and `ogi audit verify --checkpoints` names how."""

from __future__ import annotations

import json

from sqlalchemy import delete, update

from engine.adapters.eventstore import GENESIS, events_table, log_head_table
from tests.conftest import run_ogi
from tests.world import user
from workflows.foi import commands as c
from workflows.tables import requests_table


def receive(services, request_id: str) -> None:
    services.requests.receive(c.Receive(at=services.clock.now(), request_id=request_id, agency="hedong-xzsp",
                                        applicant={"kind": "natural_person", "name": "张三"}, channel="in_person",
                                        subject="s"), user(services, "clerk"))


def test_a_log_that_grew_after_its_checkpoints_extends_them(sqlite_services, tmp_path):
    receive(sqlite_services, "C-1")
    sqlite_services.audit.checkpoint(tmp_path)
    receive(sqlite_services, "C-2")
    sqlite_services.audit.checkpoint(tmp_path)
    receive(sqlite_services, "C-3")
    assert sqlite_services.audit.verify_against(tmp_path) == []


def test_truncating_the_tail_and_moving_the_head_back_passes_verify_but_not_the_checkpoint(sqlite_services, tmp_path):
    receive(sqlite_services, "C-4")
    receive(sqlite_services, "C-5")
    sqlite_services.audit.checkpoint(tmp_path)
    with sqlite_services.engine.begin() as conn:
        last = conn.execute(events_table.select().order_by(events_table.c.seq.desc())).first()
        kept = conn.execute(events_table.select().where(events_table.c.stream_id == "request/C-4")
                            .order_by(events_table.c.seq.desc())).first()
        conn.execute(delete(events_table).where(events_table.c.stream_id == "request/C-5"))
        conn.execute(update(log_head_table).values(seq=kept.seq, log_hash=kept.log_hash))
    assert last.stream_id == "request/C-5"
    assert sqlite_services.audit.verify().ok  # the chains alone cannot see a cut tail
    [problem] = sqlite_services.audit.verify_against(tmp_path)
    assert "日志被截短或清空" in problem


def test_a_wiped_log_contradicts_every_checkpoint(sqlite_services, tmp_path):
    receive(sqlite_services, "C-6")
    sqlite_services.audit.checkpoint(tmp_path)
    with sqlite_services.engine.begin() as conn:
        conn.execute(delete(events_table))
        conn.execute(update(log_head_table).values(seq=0, log_hash=GENESIS))
    assert sqlite_services.audit.verify().ok
    assert "日志被截短或清空" in sqlite_services.audit.verify_against(tmp_path)[0]


def test_a_log_rewritten_with_the_key_contradicts_the_checkpoint(sqlite_services, tmp_path):
    """The insider holds the key too: they rewrite the first request's events through ogi itself."""
    receive(sqlite_services, "C-7")
    sqlite_services.audit.checkpoint(tmp_path)
    with sqlite_services.engine.begin() as conn:
        conn.execute(delete(events_table))
        conn.execute(delete(requests_table))
        conn.execute(update(log_head_table).values(seq=0, log_hash=GENESIS))
    sqlite_services.clock.advance_to(sqlite_services.clock.now().replace(hour=10))
    receive(sqlite_services, "C-7")  # the same request again, at another time: a different history, validly keyed
    assert sqlite_services.audit.verify().ok
    assert "或之前被改写" in sqlite_services.audit.verify_against(tmp_path)[0]


def test_a_forged_checkpoint_is_named(sqlite_services, tmp_path):
    receive(sqlite_services, "C-8")
    _, path = sqlite_services.audit.checkpoint(tmp_path)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "size": data["size"] - 1}))
    assert "签名不成立" in sqlite_services.audit.verify_against(tmp_path)[0]


def test_ogi_audit_checkpoint_and_verify_with_checkpoints(ready, tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    folder = tmp_path / "checkpoints"
    ready("request", "new", "--id", "C-9", "--agency", "hedong-xzsp", "--kind", "natural_person", "--name", "张三",
          "--channel", "in_person", "--subject", "s")
    assert "已签署检查点" in ready("audit", "checkpoint", "--dir", str(folder)).stdout
    assert "中的每个检查点相符" in run_ogi(url, "audit", "verify", "--checkpoints", str(folder)).stdout
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.db") as conn:
        conn.execute("DELETE FROM events")
        conn.execute(f"UPDATE log_head SET seq = 0, log_hash = '{GENESIS}'")
    refused = run_ogi(url, "audit", "verify", "--checkpoints", str(folder), ok=False)
    assert refused.returncode == 3 and "日志被截短或清空" in refused.stderr
