"""`ogi demo load` and the sample shown by `ogi up`: set-up of the embedded default, idempotent."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from pathlib import Path

from sqlalchemy import func, select

from engine.database import make_engine, migrate
from workflows.accounts import ADMIN_USERNAME, Role, add_agency, add_user, agency_exists, get_user
from workflows.demo import DEMO_AGENCY, demo_lines
from workflows.foi.state import OPEN_STAGES
from workflows.importer import import_file, import_lines
from workflows.service import Services
from workflows.tables import requests_table, users_table

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_CANDIDATES = [REPO.parent / "shared" / "examples" / "hedong-2023.jsonl", REPO / "examples" / "hedong-2023.jsonl"]


def load_demo(example: Path | None = None) -> str:
    engine = make_engine()
    migrate(engine)
    svc = Services(engine)
    said = []
    with engine.begin() as conn:
        if not conn.execute(select(users_table.c.username).where(users_table.c.username == ADMIN_USERNAME)).first():
            password = os.environ.get("OGI_ADMIN_PASSWORD")
            shown = "from OGI_ADMIN_PASSWORD" if password else None
            password = password or secrets.token_urlsafe(12)
            add_user(conn, ADMIN_USERNAME, Role.ADMIN, password, "系统管理员", svc.clock.now())
            said.append(f"administrator '{ADMIN_USERNAME}' added; password {shown or f'(shown once): {password}'}")
        admin = get_user(conn, ADMIN_USERNAME)
        if not agency_exists(conn, DEMO_AGENCY[0]):
            add_agency(conn, DEMO_AGENCY[0], DEMO_AGENCY[1], None, admin, svc.clock.now())
            said.append(f"agency {DEMO_AGENCY[0]} added")
        existing = conn.execute(select(func.count()).select_from(requests_table)).scalar_one()
    if existing:
        return f"demo data already loaded ({existing} requests in {engine.url})"
    example = example or next((p for p in EXAMPLE_CANDIDATES if p.exists()), None)
    if example:
        count = import_file(svc, example, admin)
        said.append(f"imported {count} requests from {example}")
    lines = [(n, json.dumps(line, ensure_ascii=False)) for n, line in enumerate(demo_lines(svc.clock.now().date()), 1)]
    count = import_lines(svc, lines, admin, source="demo")
    said.append(f"generated {count} open and recent requests around today")
    return "\n".join(said)


def sample_request_id(svc: Services) -> str | None:
    """The request with the most history, an open one first, to show what a replay looks like."""
    is_open = requests_table.c.stage.in_([s.value for s in OPEN_STAGES])
    with svc.engine.connect() as conn:
        return conn.execute(
            select(requests_table.c.request_id)
            .order_by(is_open.desc(), requests_table.c.version.desc(), requests_table.c.request_id).limit(1)
        ).scalar()


def sample_report(svc: Services) -> tuple[int, str] | None:
    """(year, agency) of the latest complete year with requests, to show the annual report."""
    this_year = svc.clock.now().year
    with svc.engine.connect() as conn:
        row = conn.execute(
            select(requests_table.c.agency, func.max(requests_table.c.received_on))
            .where(requests_table.c.received_on < dt.date(this_year, 1, 1))
            .group_by(requests_table.c.agency).order_by(func.max(requests_table.c.received_on).desc()).limit(1)
        ).first()
    if row is None or row[1] is None:
        return None
    return row[1].year, row[0]
