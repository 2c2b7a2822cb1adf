"""Who and where: setting up the database with its administrator, users and agencies (for the CLI and web alike)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, select

from engine.adapters.database import migrate
from engine.clock import Clock
from workflows.people import access
from workflows.people.access import Action
from workflows.people.accounts import (
    ADMIN_USERNAME,
    DEFAULT_CORRECTION_PERIOD_DAYS,
    Role,
    User,
    add_agency,
    add_user,
    agency_exists,
    find_user,
    get_user,
    list_agencies,
    set_agency,
)
from workflows.people.departments import Department, add_department, list_departments
from workflows.tables import user_agencies_table, users_table


@dataclass(frozen=True)
class Initialised:
    created_admin: bool
    generated_password: str | None  # shown once; None when it came from OGI_ADMIN_PASSWORD or the admin existed


@dataclass
class Directory:
    engine: Engine
    clock: Clock

    def initialise(self) -> Initialised:
        """Create or migrate the schema, then the first administrator (password from OGI_ADMIN_PASSWORD or generated)."""
        migrate(self.engine)
        with self.engine.begin() as conn:
            if find_user(conn, ADMIN_USERNAME) is not None:
                return Initialised(False, None)
            password = os.environ.get("OGI_ADMIN_PASSWORD")
            generated = None if password else secrets.token_urlsafe(12)
            add_user(conn, ADMIN_USERNAME, Role.ADMIN, password or str(generated), "系统管理员", self.clock.now())
        return Initialised(True, generated)

    def user(self, username: str) -> User:
        with self.engine.connect() as conn:
            return get_user(conn, username)

    def add_user(self, actor: User, username: str, role: Role, password: str, display_name: str | None = None,
                 agencies: Iterable[str] = (), email: str | None = None, phone: str | None = None) -> User:
        actor.require_admin("add users")
        with self.engine.begin() as conn:
            return add_user(conn, username, role, password, display_name, self.clock.now(), agencies, email, phone)

    def add_agency(self, actor: User, slug: str, name: str, parent: str | None = None,
                   correction_period_days: int = DEFAULT_CORRECTION_PERIOD_DAYS) -> None:
        with self.engine.begin() as conn:
            add_agency(conn, slug, name, parent, actor, self.clock.now(), correction_period_days)

    def ensure_agency(self, actor: User, slug: str, name: str) -> bool:
        """Add the agency unless it exists; True when it was added (the demo set-up is idempotent)."""
        with self.engine.begin() as conn:
            if agency_exists(conn, slug):
                return False
            add_agency(conn, slug, name, None, actor, self.clock.now())
            return True

    def set_agency(self, actor: User, slug: str, reminders: str | None = None, webhook_url: str | None = None,
                   webhook_secret: str | None = None, **documents: str | bool | None) -> None:
        with self.engine.begin() as conn:
            set_agency(conn, slug, actor, reminders, webhook_url, webhook_secret, **documents)

    def ensure_user(self, actor: User, username: str, role: Role, display_name: str,
                    agencies: Iterable[str] = ()) -> str | None:
        """Add the user unless one of that name exists (the demo set-up is idempotent); returns the generated
        password when it was added (OGI_NEW_USER_PASSWORD, when set, is used instead and not returned)."""
        with self.engine.begin() as conn:
            if find_user(conn, username) is not None:
                return None
        given = os.environ.get("OGI_NEW_USER_PASSWORD")
        password = given or secrets.token_urlsafe(12)
        self.add_user(actor, username, role, password, display_name, agencies)
        return None if given else password

    def add_department(self, actor: User, agency: str, code: str, name: str) -> Department:
        actor.require_admin("add departments")
        with self.engine.begin() as conn:
            return add_department(conn, agency, code, name)

    def departments(self, agency: str | None = None) -> list[Department]:
        with self.engine.connect() as conn:
            return list_departments(conn, agency)

    def check_access(self, user: User, agency: str, write: bool = False) -> None:
        """Who may read or act on an agency's requests (workflows/people/access.py, the one rule; PermissionDenied else)."""
        with self.engine.connect() as conn:
            access.require(conn, user, Action.WRITE_REQUEST if write else Action.READ_REQUEST, agency)

    def visible_agencies(self, user: User, action: Action = Action.READ_REQUEST) -> list[str] | None:
        """Whose items a list shows the user: None (all) for administrators and auditors, else their agencies and
        those below them ([] for staff of no agency)."""
        with self.engine.connect() as conn:
            return access.reachable_agencies(conn, user, action)

    def agencies(self) -> list:
        with self.engine.connect() as conn:
            return list_agencies(conn)

    def users(self) -> list[User]:
        """Every user with the agencies they work for, by user name (the administrators' page)."""
        with self.engine.connect() as conn:
            links = conn.execute(select(user_agencies_table.c.username, user_agencies_table.c.agency)).all()
            rows = conn.execute(select(users_table).order_by(users_table.c.username)).all()
        agencies: dict[str, set[str]] = {}
        for link in links:
            agencies.setdefault(link.username, set()).add(link.agency)
        return [User(r.username, r.display_name, Role(r.role), frozenset(agencies.get(r.username, ())), r.email, r.phone,
                     bool(r.disabled)) for r in rows]
