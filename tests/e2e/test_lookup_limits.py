"""The /lookup rate limit (issue 17): fixed-size keys, bounded in memory (keys expire with their window and are
capped), and shared by every web process through Redis. Redis is the real server at OGI_TEST_REDIS_URL (default
127.0.0.1:6379/0); without it the Redis tests are skipped, and with OGI_REQUIRE_SERVICES=1 they fail instead."""

from __future__ import annotations

import os
import re
import time
import uuid

import pytest
import redis
from fastapi.testclient import TestClient
from limits.storage import RedisStorage

from tests.conftest import user
from web.app import create_app
from web.lookup_limit import ATTEMPTS_PER_WINDOW, BoundedMemoryStorage, LookupLimiter

REDIS_URL = os.environ.get("OGI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        reason = f"Redis not reachable at {REDIS_URL}: {type(error).__name__}: {error}"
        if os.environ.get("OGI_REQUIRE_SERVICES") == "1":
            pytest.fail(reason + " (OGI_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture
def receipt_code(site):
    site.documents.draft("W-1", "receipt", user(site, "clerk"))
    with site.engine.connect() as conn:
        return site.documents.lookup_code(site.requests.load(conn, "W-1").state)


def _look(client: TestClient, request_id: str, code: str = "00000000") -> int:
    return client.post("/lookup", data={"request_id": request_id, "query_code": code}).status_code


def test_the_eleventh_try_on_one_request_id_is_refused_even_with_the_right_code(site, receipt_code):
    client = TestClient(create_app(site))
    answers = [_look(client, "W-1") for _ in range(ATTEMPTS_PER_WINDOW)]
    assert answers == [404] * ATTEMPTS_PER_WINDOW
    assert _look(client, "W-1", receipt_code) == 429


def test_a_megabyte_request_id_costs_a_fixed_size_key(site):
    limiter = LookupLimiter(BoundedMemoryStorage())
    assert limiter.allow("203.0.113.9", "x" * 1_000_000)
    assert len(limiter.storage.events) == 2 and all(len(key) <= 100 for key in limiter.storage.events)
    big = "x" * 900_000  # under the body limit: the page answers "wrong", does not echo it, and keeps a small key
    app = create_app(site)
    answer = TestClient(app).post("/lookup", data={"request_id": big, "query_code": "00000000"})
    assert 400 <= answer.status_code < 500 and big not in answer.text
    if answer.status_code == 404:  # it reached the lookup (not refused by the input boundary first)
        assert all(len(key) <= 100 for key in app.state.lookup_limiter.storage.events)


def test_the_memory_limiter_forgets_keys_whose_window_ended(site):
    limiter = LookupLimiter(BoundedMemoryStorage(), attempts=3, window_seconds=1)
    for n in range(300):
        assert limiter.allow(f"10.0.{n // 250}.{n % 250}", f"REQ-{n}")
    assert limiter.storage.live_keys() > 300
    time.sleep(2.2)  # the window and the library's expiry tick, then our sweep (at most once a second)
    assert limiter.storage.live_keys() == 0


def test_the_memory_limiter_holds_at_most_its_cap_of_keys_and_then_refuses(site):
    limiter = LookupLimiter(BoundedMemoryStorage(), attempts=10, window_seconds=600, max_keys=5)
    allowed = [limiter.allow("10.0.0.1", f"REQ-{n}") for n in range(10)]
    assert allowed == [True] * 4 + [False] * 6  # one key for the address, four for the ids
    assert limiter.storage.live_keys() == 5


def test_the_limiter_lives_in_redis_when_ogi_redis_url_is_set(monkeypatch, redis_url):
    monkeypatch.setenv("OGI_REDIS_URL", redis_url)
    assert isinstance(LookupLimiter.from_environment().storage, RedisStorage)
    monkeypatch.delenv("OGI_REDIS_URL")
    assert isinstance(LookupLimiter.from_environment().storage, BoundedMemoryStorage)


def test_two_web_processes_share_one_count_through_redis(site, redis_url, receipt_code):
    prefix = f"ogi-test-{uuid.uuid4().hex[:8]}"
    first, second = create_app(site), create_app(site)
    for app in (first, second):  # as two processes with the same OGI_REDIS_URL would make them
        app.state.lookup_limiter = LookupLimiter.shared(redis_url, key_prefix=prefix)
    a, b = TestClient(first), TestClient(second)
    try:
        assert [_look(a, "W-1") for _ in range(6)] == [404] * 6
        assert [_look(b, "W-1") for _ in range(ATTEMPTS_PER_WINDOW - 6)] == [404] * (ATTEMPTS_PER_WINDOW - 6)
        assert _look(b, "W-1", receipt_code) == 429 and _look(a, "W-1", receipt_code) == 429
        keys = redis.Redis.from_url(redis_url).keys(f"{prefix}*")
        assert keys and all(len(k) < 120 for k in keys)
    finally:
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


def test_an_unreachable_redis_refuses_the_lookup_with_503_not_500(site, receipt_code):
    app = create_app(site)
    app.state.lookup_limiter = LookupLimiter.shared("redis://127.0.0.1:1/0", key_prefix="ogi-nowhere")
    answer = TestClient(app).post("/lookup", data={"request_id": "W-1", "query_code": receipt_code})
    assert answer.status_code == 503 and "暂时不可用" in answer.text


def test_the_query_code_printed_on_a_receipt_before_a_key_rotation_still_opens_lookup_after_it(site, tmp_path):
    receipt = site.documents.draft("W-1", "receipt", user(site, "clerk"))
    printed = re.search(r"查询码\s*([0-9A-F]{8})", receipt.text).group(1)
    site.store.keyring.file = tmp_path / "ogi.keys"  # as a key file holds it: `ogi audit rotate-key` writes there
    old, new = site.audit.rotate_key(user(site, "admin"))
    assert old != new and site.store.keyring.current == new
    client = TestClient(create_app(site))
    found = client.post("/lookup", data={"request_id": "W-1", "query_code": printed})
    assert found.status_code == 200 and "W-1" in found.text
    redrafted = site.documents.draft("W-1", "receipt", user(site, "clerk"))
    assert printed in redrafted.text  # a receipt drafted again after the rotation carries the same code
    assert client.post("/lookup", data={"request_id": "W-1", "query_code": "00000000"}).status_code == 404
