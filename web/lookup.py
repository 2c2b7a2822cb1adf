"""The applicant's progress lookup `/lookup` (DESIGN §10): request id + 查询码 from the receipt; state, dates and
served documents of that request only, nothing personal; rate-limited per address and per request id."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.auth import services
from web.templating import page

router = APIRouter(include_in_schema=False)

ATTEMPTS_PER_WINDOW = 10  # per address and per request id
WINDOW_SECONDS = 600


class RateLimit:
    """Attempts in a sliding window, in this process (a web process each; enough to stop guessing 查询码 online)."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                seen = self._seen[key]
                while seen and seen[0] < now - self.window:
                    seen.popleft()
            if any(len(self._seen[key]) >= self.limit for key in keys):
                return False
            for key in keys:
                self._seen[key].append(now)
            return True


LIMIT = RateLimit(ATTEMPTS_PER_WINDOW, WINDOW_SECONDS)


@router.get("/lookup")
def lookup_form(request: Request) -> Response:
    return page(request, "lookup.html.j2", found=None, error=None, request_id="")


@router.post("/lookup")
def lookup(request: Request, request_id: Annotated[str, Form()], query_code: Annotated[str, Form()]) -> Response:
    address = request.client.host if request.client else "?"
    if not LIMIT.allow(f"addr:{address}", f"id:{request_id.strip()}"):
        return page(request, "lookup.html.j2", found=None, request_id=request_id, status_code=429,
                    error="查询过于频繁，请十分钟后再试。")
    found = services(request).documents.progress(request_id.strip(), query_code.strip())
    if found is None:
        return page(request, "lookup.html.j2", found=None, request_id=request_id, status_code=404,
                    error="申请编号或查询码不正确。")
    return page(request, "lookup.html.j2", found=found, request_id=request_id, error=None)
