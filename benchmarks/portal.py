"""The online door under load (issue 20): the /apply form's POST and the applicant's page `/my/request` with 200
concurrent applicants, each pausing as a person does between pages, on PostgreSQL behind two `ogi web` processes.

    python -m benchmarks.portal [--applicants 200] [--seconds 60] [--pause 1.0-3.0] [--databases postgresql]

Each applicant alternates: reads the form (GET /apply) and sends it (POST /apply, with a small scan), or reloads
their own page (GET /my/request, signed in beforehand with the 查询码 and the code from the outbox). Each POST
comes from its own address and phone (X-Forwarded-For, believed from 127.0.0.1 through OGI_TRUSTED_PROXIES), as
real applicants do, so the rate limits (5 an hour an address) are not what is measured. Calls alternate between
the two web processes. The baseline, run the same way in the same script, is `GET /healthz` (the stack and one
database round trip). Nothing is asserted about time; the figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import random
import re
import statistics
import time

import httpx
from sqlalchemy import select, update

from benchmarks.common import add_database_options, fresh_database, load_average, make_services, parse_databases
from benchmarks.web import SECRET, free_port, start_web
from engine.clock import VirtualClock
from tests.world import AGENCY
from workflows.foi import commands as c
from workflows.foi.identifiers import id_check_digit
from workflows.people.accounts import APPLICANT_ONLINE
from workflows.tables import agencies_table, outbox_table

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_serial = itertools.count(1)


def id_number(serial: int) -> str:
    first17 = f"11010119900101{serial % 1000:03d}"  # region, birth day, sequence
    return first17 + id_check_digit(first17)


def latest_code(services, address: str, kind: str) -> str:
    o = outbox_table.c
    with services.engine.connect() as conn:
        body = conn.execute(select(o.body).where(o.address == address, o.kind == kind)
                            .order_by(o.created_at.desc()).limit(1)).scalar_one()
    found = CODE.search(body)
    if found is None:
        raise SystemExit(f"no code in the {kind} message")
    return found.group(1)


def form_fields(serial: int) -> dict[str, str]:
    return {"agency": AGENCY, "applicant_kind": "natural_person", "applicant_name": f"申请人{serial}",
            "id_type": "resident_id", "id_number": id_number(serial), "phone": f"139{serial:08d}",
            "code_channel": "sms", "address": "河东区人民路1号", "subject": f"2025年度部门预算第{serial}项",
            "form_requested": "electronic", "obtain_method": "online", "electronic_service": "yes", "notices": "yes"}


def forwarded(serial: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"10.{serial // 62500 % 250}.{serial // 250 % 250}.{serial % 250 + 1}"}


async def csrf_of(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> tuple[str, float]:
    answer = await client.get(path, headers=headers)
    found = CSRF.search(answer.text)
    if answer.status_code != 200 or found is None:
        raise SystemExit(f"GET {path}: {answer.status_code} without a csrf_token")
    return found.group(1), 0.0


async def sign_in(base: str, services, request_id: str, query_code: str, phone: str, serial: int) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    headers = forwarded(serial)
    token, _ = await csrf_of(client, "/my", headers)
    answer = await client.post("/my", headers=headers, data={"request_id": request_id, "query_code": query_code,
                                                             "channel": "sms", "csrf_token": token})
    if answer.status_code != 303:
        raise SystemExit(f"POST /my: {answer.status_code} {answer.text[:300]}")
    token, _ = await csrf_of(client, "/my/code", headers)
    code = await asyncio.to_thread(latest_code, services, phone, "portal.sign_in")
    answer = await client.post("/my/code", headers=headers, data={"code": code, "csrf_token": token})
    if answer.status_code != 303:
        raise SystemExit(f"POST /my/code: {answer.status_code} {answer.text[:300]}")
    return client


async def applicant(index: int, clients: list[httpx.AsyncClient], bases: list[str], until: float,
                    pause: tuple[float, float], timings: dict[str, list[float]], baseline: bool) -> None:
    rng = random.Random(index)
    mine = clients[index]
    anonymous = [httpx.AsyncClient(base_url=base, timeout=60) for base in bases]
    try:
        turn = index
        while time.perf_counter() < until:
            await asyncio.sleep(rng.uniform(*pause))  # a person reading or typing
            turn += 1
            if baseline:
                started = time.perf_counter()
                answer = await anonymous[turn % 2].get("/healthz")
                timings["GET /healthz (baseline)"].append((time.perf_counter() - started) * 1000)
                continue
            if rng.random() < 0.5:
                started = time.perf_counter()
                answer = await mine.get("/my/request")
                timings["GET /my/request"].append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    raise SystemExit(f"GET /my/request: {answer.status_code} {answer.text[:200]}")
                continue
            client, serial = anonymous[turn % 2], next(_serial) + 1_000_000
            client.cookies.clear()
            headers = forwarded(serial)
            token, _ = await csrf_of(client, "/apply", headers)
            started = time.perf_counter()
            answer = await client.post("/apply", headers=headers, data={**form_fields(serial), "csrf_token": token},
                                       files={"identity_files": ("身份证.png", PNG, "image/png")})
            timings["POST /apply"].append((time.perf_counter() - started) * 1000)
            if answer.status_code != 303:
                raise SystemExit(f"POST /apply: {answer.status_code} {answer.text[:300]}")
    finally:
        for client in anonymous:
            await client.aclose()


def percentiles(values: list[float]) -> tuple[float, float, int]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[max(int(len(ordered) * 0.95) - 1, 0)], len(ordered)


async def run(services, bases: list[str], applicants: int, seconds: float, pause: tuple[float, float]) -> None:
    requests = []
    for n in range(applicants):
        phone = f"138{n:08d}"
        state = services.requests.receive(c.Receive(
            at=services.clock.now(), request_id=f"P-{n:05d}", agency=AGENCY, channel="online",
            subject=f"申请{n}", electronic_service=True,
            applicant={"kind": "natural_person", "name": f"网上申请人{n}", "phone": phone}), APPLICANT_ONLINE)
        requests.append((state.request_id, services.documents.lookup_code(state), phone))
    clients = []
    for n, (request_id, code, phone) in enumerate(requests):  # one at a time: the sign-in codes are not measured
        clients.append(await sign_in(bases[n % 2], services, request_id, code, phone, n))
    try:
        for baseline in (True, False):
            timings: dict[str, list[float]] = {"GET /healthz (baseline)": [], "POST /apply": [], "GET /my/request": []}
            until = time.perf_counter() + seconds
            await asyncio.gather(*(applicant(i, clients, bases, until, pause, timings, baseline)
                                   for i in range(applicants)))
            for name, values in timings.items():
                if values:
                    p50, p95, count = percentiles(values)
                    print(f"{name:<26} {count:6d} calls   p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    finally:
        for client in clients:
            await client.aclose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60, help="each phase's length (default %(default)s)")
    parser.add_argument("--pause", default="1.0-3.0", help="a person's pause between calls, seconds (from-to)")
    add_database_options(parser, "postgresql")
    parser.set_defaults(databases="postgresql")
    args = parser.parse_args(argv)
    pause = tuple(float(part) for part in args.pause.split("-", 1))
    os.environ["OGI_SECRET_KEY"] = SECRET
    print(f"{args.applicants} concurrent applicants, pause {args.pause} s, {args.seconds:.0f} s a phase, "
          f"two web processes; {load_average()}")
    for kind in parse_databases(args.databases):
        with fresh_database(kind, args.postgres_url) as url:
            services, _ = make_services(url, VirtualClock(dt.datetime.now().replace(microsecond=0)))
            with services.engine.begin() as conn:
                conn.execute(update(agencies_table).where(agencies_table.c.slug == AGENCY).values(accepts_online=True))
            ports = [free_port(), free_port()]
            webs = [start_web(url, port, OGI_TRUSTED_PROXIES="127.0.0.1") for port in ports]
            try:
                print(f"{kind}:")
                asyncio.run(run(services, [f"http://127.0.0.1:{p}" for p in ports], args.applicants, args.seconds,
                                (pause[0], pause[-1])))
            finally:
                for web in webs:
                    web.terminate()
                    web.wait(timeout=30)
                services.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
