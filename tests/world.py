"""The world every test and benchmark starts from: four users and the seed agency on a migrated database.

tests/conftest.py builds its `services` fixtures with `make_services`, and benchmarks/common.py builds its runs
with it too, so both work with the same users and agency. Importing this module connects to nothing.
"""

from __future__ import annotations

import os

from bootstrap import App, build
from engine.adapters.database import make_engine
from engine.adapters.keys import Keyring
from engine.clock import Clock
from workflows.integrity.seals import RowSealer
from workflows.people.accounts import ADMIN_USERNAME, Role, User, add_agency, add_user, get_user
from workflows.people.departments import add_department
from workflows.readmodels.requests import projection_row
from workflows.report.facts import cases_json_of

AGENCY = "hedong-xzsp"
AGENCY_NAME = "河东区行政审批服务局"
HEAD = "head"  # 负责人: approves extensions (Art. 33)
CLERK = "clerk"  # staff who record the steps
AUDITOR = "auditor"  # may read, never write
PASSWORD = "pw"


def seed_test_world(services: App) -> None:
    """Add the agency hedong-xzsp with two departments (bangongshi 办公室, zhengce 政策法规科) and the users admin, head
    and clerk (of that agency) and auditor, at the services' clock."""
    now = services.clock.now()
    with services.engine.begin() as conn:
        admin = add_user(conn, ADMIN_USERNAME, Role.ADMIN, PASSWORD, "管理员", now)
        add_agency(conn, AGENCY, AGENCY_NAME, None, admin, now)
        add_department(conn, AGENCY, "bangongshi", "办公室")
        add_department(conn, AGENCY, "zhengce", "政策法规科")
        add_user(conn, HEAD, Role.HEAD, PASSWORD, "李主任", now, [AGENCY])
        add_user(conn, CLERK, Role.STAFF, PASSWORD, "经办人", now, [AGENCY])
        add_user(conn, AUDITOR, Role.AUDITOR, PASSWORD, "审计", now)


def make_services(url: str, clock: Clock) -> App:
    """The App on the migrated database at `url`, seeded with `seed_test_world`."""
    # the key of the tests and benchmarks (tests/conftest.py puts the same one in the environment for `ogi` processes)
    services = build(make_engine(url), clock, Keyring.single(os.environ.get("OGI_SECRET_KEY", "ogi-test-key")))
    seed_test_world(services)
    return services


def user(services: App, name: str = ADMIN_USERNAME) -> User:
    with services.engine.connect() as conn:
        return get_user(conn, name)


def sealed_row(services: App, state, version: int, stream_hash: str) -> dict:
    """The requests row the projection writes for `state` at `version`, sealed with the services' key."""
    return projection_row(state, version, stream_hash, RowSealer(services.store), cases_json_of)
