"""Keys outside the store (issue 9): the chains are keyed, so an insider who rewrites the log with ogi's own
functions, but without the key, is caught; rotation keeps old segments verifiable; the key file is private."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from sqlalchemy import select, update

from engine.adapters.eventstore import GENESIS, chain_hash, event_hash, events_table, log_head_table
from engine.adapters.keys import Keyring
from tests.conftest import REPO_ROOT, run_ogi
from tests.world import user
from workflows.foi import commands as c


def receive(services, request_id: str) -> None:
    services.requests.receive(c.Receive(at=services.clock.now(), request_id=request_id, agency="hedong-xzsp",
                                        applicant={"kind": "natural_person", "name": "张三"}, channel="in_person",
                                        subject="s"), user(services, "clerk"))


def rehash_everything_without_the_key(conn) -> None:
    """What an insider with write access can do with the project's own functions: edit, then recompute both chains."""
    heads: dict[str, str] = {}
    log = GENESIS
    for row in conn.execute(select(events_table).order_by(events_table.c.seq)).all():
        stream = event_hash(heads.get(row.stream_id, GENESIS), row.stream_id, row.version, row.type, row.occurred_at,
                            row.recorded_at, row.actor, row.schema_version, row.payload)
        log = chain_hash(log, row.seq, stream)
        heads[row.stream_id] = stream
        conn.execute(update(events_table).where(events_table.c.seq == row.seq).values(stream_hash=stream, log_hash=log))
    conn.execute(update(log_head_table).values(log_hash=log))


def test_an_edit_rehashed_without_the_key_is_caught(sqlite_services):
    services = sqlite_services
    receive(services, "K-1")
    receive(services, "K-2")
    with services.engine.begin() as conn:
        conn.execute(update(events_table).where(events_table.c.seq == 1).values(actor="someone-else"))
        rehash_everything_without_the_key(conn)
    result = services.audit.verify()
    assert not result.ok and "seq 1" in result.problem


def test_an_edit_rehashed_as_unkeyed_rows_is_caught_after_the_first_keyed_one(sqlite_services):
    services = sqlite_services
    receive(services, "K-3")
    receive(services, "K-4")
    with services.engine.begin() as conn:
        conn.execute(update(events_table).where(events_table.c.seq > 1).values(key_id=""))
        rehash_everything_without_the_key(conn)  # the first row keeps its key and its keyed hash breaks
    assert not services.audit.verify().ok


def test_after_a_key_rotation_the_whole_log_verifies_with_every_key_and_not_without_the_old_one(sqlite_url, clock,
                                                                                                tmp_path, monkeypatch):
    from bootstrap import build
    from engine.adapters.database import make_engine
    from tests.world import seed_test_world

    monkeypatch.delenv("OGI_SECRET_KEY")
    monkeypatch.setenv("OGI_KEY_FILE", str(tmp_path / "log.keys"))
    services = build(make_engine(sqlite_url), clock)  # keys from the environment: the key file named above
    seed_test_world(services)
    receive(services, "K-5")
    old, new = services.audit.rotate_key(user(services))
    receive(services, "K-6")
    assert old != new and services.audit.verify().ok
    with services.engine.connect() as conn:
        ids = set(conn.execute(select(events_table.c.key_id)).scalars())
    assert ids == {old, new}  # before and after the rotation, the rotation event itself with the new key
    services.store.keyring = Keyring(new, {new: services.store.keyring.keys[new]})
    result = services.audit.verify()
    assert not result.ok and old in result.problem


def test_the_embedded_default_creates_a_private_key_file_beside_the_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("OGI_SECRET_KEY", "OGI_KEY_FILE")}
    env.update(OGI_DATABASE_URL=f"sqlite:///{tmp_path / 'ogi.db'}", OGI_ADMIN_PASSWORD="pw")
    done = subprocess.run([sys.executable, "-c", "import os, sys; os.umask(0o022); from cli.main import main; main()",
                           "init"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    key_file = tmp_path / "ogi.db.keys"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "生成日志密钥" in done.stderr and str(key_file) in done.stderr


def test_ogi_audit_verify_with_another_key_names_the_first_event(ready, tmp_path):
    ready("request", "new", "--id", "K-7", "--agency", "hedong-xzsp", "--kind", "natural_person", "--name", "张三",
          "--channel", "in_person", "--subject", "s")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run_ogi(url, "audit", "verify").returncode == 0
    other = run_ogi(url, "audit", "verify", ok=False, env={"OGI_SECRET_KEY": "not-the-key"})
    assert other.returncode == 3 and "seq 1" in other.stderr


def test_the_database_and_its_wal_are_private_under_umask_022(tmp_path):
    env = {**os.environ, "OGI_DATABASE_URL": f"sqlite:///{tmp_path / 'private.db'}", "OGI_ADMIN_PASSWORD": "pw"}
    done = subprocess.run([sys.executable, "-c", "import os; os.umask(0o022); from cli.main import main; main()", "init"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for path in tmp_path.glob("private.db*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
