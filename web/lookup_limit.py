"""The rate limit of the applicant's lookup (`/lookup`): attempts per client address and per request id in a moving
window, counted by the `limits` library.

With `OGI_REDIS_URL` set the counts live in Redis, so every web process shares them (a guesser gains nothing by
landing on another process); without it they live in this process's memory. Either way each key is a fixed-size
digest (a 1 MB request id costs 64 characters) and expires with its window; in memory the number of keys is capped
too, so the server cannot be grown by a flood of distinct ids.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time

from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger("ogi.security")

ATTEMPTS_PER_WINDOW = 10  # per address and per request id
WINDOW_SECONDS = 600
MAX_TRACKED_KEYS = 100_000  # in memory: beyond this many live keys every lookup waits (about 20 MB at most)


class LimiterUnavailable(Exception):
    """The shared counts (Redis) cannot be reached: the lookup is refused rather than left unlimited."""


class BoundedMemoryStorage(MemoryStorage):
    """limits' MemoryStorage trims a moving window only while it is being hit, and keeps the key of an emptied one;
    this drops every key whose entries have all expired (at most once a second) and says how many live keys remain."""

    def __init__(self) -> None:
        super().__init__()
        self._last_sweep = 0.0
        self._sweep_lock = threading.Lock()

    def live_keys(self) -> int:
        now = time.monotonic()
        if now - self._last_sweep >= 1 and self._sweep_lock.acquire(blocking=False):
            try:
                self._last_sweep = now
                wall = time.time()  # the library's entries carry wall-clock expiries

                def ended(entries) -> bool:
                    return all(entry.expiry <= wall for entry in entries)

                for key in [k for k, entries in list(self.events.items()) if ended(entries)]:
                    with self.locks[key]:
                        if ended(self.events.get(key, ())):
                            self.events.pop(key, None)
                            self.locks.pop(key, None)
            finally:
                self._sweep_lock.release()
        return len(self.events)


class LookupLimiter:
    def __init__(self, storage: Storage, attempts: int = ATTEMPTS_PER_WINDOW, window_seconds: int = WINDOW_SECONDS,
                 max_keys: int = MAX_TRACKED_KEYS):
        self.storage = storage
        self.item = RateLimitItemPerSecond(attempts, window_seconds)
        self.strategy = MovingWindowRateLimiter(storage)
        self.max_keys = max_keys

    @classmethod
    def from_environment(cls) -> LookupLimiter:
        url = os.environ.get("OGI_REDIS_URL")
        return cls.shared(url) if url else cls(BoundedMemoryStorage())

    @classmethod
    def shared(cls, redis_url: str, key_prefix: str = "ogi-lookup", **limits_: int) -> LookupLimiter:
        """Counts in Redis at `redis_url`, shared by every process that uses the same URL and prefix."""
        storage = RedisStorage(redis_url, key_prefix=key_prefix, wrap_exceptions=True, socket_timeout=2,
                               socket_connect_timeout=2)
        return cls(storage, **limits_)

    @staticmethod
    def keys(address: str, request_id: str) -> tuple[str, str]:
        """Fixed-size keys, whatever was sent."""
        def digest(kind: str, value: str) -> str:
            return hashlib.sha256(f"{kind}\x1f{value}".encode("utf-8", "surrogatepass")).hexdigest()
        return digest("addr", address), digest("id", request_id)

    def allow(self, address: str, request_id: str) -> bool:
        """One attempt, if neither the address nor the request id has used up its window; a refused attempt is not
        counted (so a flood of refusals makes no keys)."""
        keys = self.keys(address, request_id)
        try:
            if isinstance(self.storage, BoundedMemoryStorage) and self.storage.live_keys() >= self.max_keys:
                log.warning("lookup refused: %d live rate-limit keys (the cap)", self.max_keys)
                return False
            if not all(self.strategy.test(self.item, key) for key in keys):
                return False
            return all([self.strategy.hit(self.item, key) for key in keys])
        except StorageError as error:  # Redis down or too slow: refuse, never unlimited
            log.error("lookup refused: the shared rate limit cannot be reached: %s", type(error).__name__)
            raise LimiterUnavailable(str(error)) from None
