"""The web UI under load (issue 12): the queue page and the request page over many open requests, p50/p95 latency
with a bounded number of concurrent signed-in users on loopback.

    python -m benchmarks.web [--requests 100000] [--users 20] [--calls 2000] [--databases postgresql]

`ogi web` runs as its own process (uvicorn, one worker) on a fresh database holding `--requests` open requests;
`--users` threads each sign in and then call the pages in turn. The baseline, run the same way in the same script,
is `GET /healthz` (the stack and one database round trip): the pages' cost above it is ogi's own. Nothing is
asserted about time; the figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from benchmarks.common import add_database_options, fresh_database, load_average, make_services, parse_databases
from benchmarks.sweep import START, lines
from engine.clock import VirtualClock
from tests.world import PASSWORD
from workflows.requests.importer import import_lines

SECRET = "benchmark-web-secret-key-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_web(url: str, port: int, **more_env: str) -> subprocess.Popen:
    env = {**os.environ, "OGI_DATABASE_URL": url, "OGI_SECRET_KEY": SECRET, "OGI_LOG_LEVEL": "WARNING", **more_env}
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "web", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"ogi web did not start: {process.stderr.read().decode() if process.stderr else ''}")


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    form = client.get("/login").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', form)
    if found is None:
        raise SystemExit("the sign-in page has no csrf_token")
    token = found.group(1)
    answer = client.post("/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": token})
    if answer.status_code != 303:
        raise SystemExit(f"sign-in failed: {answer.status_code}")
    return client


def load(base: str, users: int, calls: int, paths, think: float = 0.0) -> list[float]:
    """`calls` requests spread over `users` signed-in clients at once; each call's latency in ms."""
    clients = [signed_in(base) for _ in range(users)]
    latencies: list[float] = []
    lock = threading.Lock()

    def user_calls(index: int) -> None:
        rng, client, mine = random.Random(index), clients[index], []
        for _ in range(calls // users):
            path = paths(rng)
            started = time.perf_counter()
            answer = client.get(path)
            mine.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"{path}: {answer.status_code} {answer.text[:200]}")
            time.sleep(rng.uniform(0, 2 * think))  # a person reading the page (0: closed loop)
        with lock:
            latencies.extend(mine)

    with ThreadPoolExecutor(users) as pool:
        list(pool.map(user_calls, range(users)))
    for client in clients:
        client.close()
    return latencies


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--calls", type=int, default=2000, help="calls per page kind (default %(default)s)")
    parser.add_argument("--think-ms", type=float, default=0, help="mean pause of each user between calls (0: none)")
    add_database_options(parser, "postgresql")
    args = parser.parse_args(argv)
    os.environ["OGI_SECRET_KEY"] = SECRET
    print(f"{args.requests} open requests, {args.users} concurrent users, {args.calls} calls per page, "
          f"think time {args.think_ms:.0f} ms; "
          f"load {load_average()}")
    for kind in parse_databases(args.databases):
        with fresh_database(kind, args.postgres_url) as url:
            services, clerk = make_services(url, VirtualClock(START))
            started = time.perf_counter()
            import_lines(services.requests, lines(args.requests, 0), clerk)
            print(f"{kind}: {args.requests} requests imported in {time.perf_counter() - started:.0f} s")
            services.engine.dispose()
            port = free_port()
            web = start_web(url, port)
            base = f"http://127.0.0.1:{port}"
            try:
                ids = [f"B-{n:06d}" for n in range(args.requests)]
                for name, paths in (("GET /healthz (baseline)", lambda rng: "/healthz"),
                                    ("GET /requests (queue page)", lambda rng: "/requests"),
                                    ("GET /requests/{id} (request page)", lambda rng, ids=ids: f"/requests/{rng.choice(ids)}")):
                    p50, p95 = percentiles(load(base, args.users, args.calls, paths, args.think_ms / 1000))
                    print(f"{kind:<11} {name:<36} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
            finally:
                web.terminate()
                web.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
