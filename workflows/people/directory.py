"""Who and where: setting up the database with its administrator, users and agencies (for the CLI and web alike)."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select, update

from engine.adapters.database import migrate
from engine.clock import Clock
from engine.errors import OgiError
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
    check_new_password,
    find_user,
    get_user,
    list_agencies,
    set_agency,
    set_password,
)
from workflows.people.departments import Department, add_department, list_departments
from workflows.people.sign_in import WebAccounts
from workflows.people.user_departments import set_user_department
from workflows.tables import api_tokens_table, user_agencies_table, users_table, web_sessions_table

log = logging.getLogger("ogi.security")  # where sign-in and the administrators' changes of accounts are recorded


@dataclass(frozen=True)
class Initialised:
    created_admin: bool
    generated_password: str | None  # shown once; None when it came from OGI_ADMIN_PASSWORD or the admin existed


@dataclass(frozen=True)
class PasswordReset:
    username: str
    generated_password: str | None  # shown once; None when the administrator gave the password
    sessions_ended: int
    tokens_revoked: int


@dataclass
class Directory:
    engine: Engine
    clock: Clock

    def initialise(self, password: str | None = None) -> Initialised:
        """Create or migrate the schema, then the first administrator (password given, e.g. the demo's, else from
        OGI_ADMIN_PASSWORD, else generated)."""
        migrate(self.engine)
        with self.engine.begin() as conn:
            if find_user(conn, ADMIN_USERNAME) is not None:
                return Initialised(False, None)
            password = password or os.environ.get("OGI_ADMIN_PASSWORD")
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
        """accounts.set_agency in a transaction of its own; `documents` also carries the online door's
        `accepts_online` and `payment_info`."""
        with self.engine.begin() as conn:
            set_agency(conn, slug, actor, reminders, webhook_url, webhook_secret, **documents)

    def ensure_user(self, actor: User, username: str, role: Role, display_name: str,
                    agencies: Iterable[str] = (), password: str | None = None) -> bool:
        """Add the user unless one of that name exists (the demo set-up is idempotent); True when it was added.
        The password is the one given, else OGI_NEW_USER_PASSWORD; one of them is needed."""
        with self.engine.begin() as conn:
            if find_user(conn, username) is not None:
                return False
        password = password or os.environ.get("OGI_NEW_USER_PASSWORD")
        if not password:
            raise OgiError(f"添加用户“{username}”须给出密码")
        self.add_user(actor, username, role, password, display_name, agencies)
        return True

    # -- the administrators' controls of an account -------------------------------------------------------------
    def reset_password(self, actor: User, username: str, password: str | None = None) -> PasswordReset:
        """A new password for `username` (given, else generated and returned to be shown once); every session of
        the user ends and every API token is revoked (by the administrator, now), in one transaction. Recorded in
        the security log with who and when, as disabling is."""
        actor.require_admin("reset passwords")
        generated = None if password else secrets.token_urlsafe(12)
        password = check_new_password(password) if password else str(generated)
        now = self.clock.now()
        t, s = api_tokens_table.c, web_sessions_table.c
        with self.engine.begin() as conn:
            set_password(conn, username, password)
            sessions = conn.execute(delete(web_sessions_table).where(s.username == username)).rowcount
            tokens = conn.execute(update(api_tokens_table)
                                  .where((t.username == username) & t.revoked_at.is_(None))
                                  .values(revoked_at=now, revoked_by=actor.username)).rowcount
        log.warning("password of %r reset by %r at %s: %d sessions ended, %d API tokens revoked", username,
                    actor.username, now.isoformat(), sessions, tokens)
        return PasswordReset(username, generated, sessions, tokens)

    def set_disabled(self, actor: User, username: str, disabled: bool) -> User:
        """停用 (or 启用 again): refused in words first, then done as sign-in does it (workflows/people/sign_in.py:
        the sessions end at once, the tokens are refused while disabled; recorded in the security log)."""
        actor.require_admin("disable or enable users")
        if disabled and username == actor.username:
            raise OgiError("不能停用自己的账号，须由另一位系统管理员停用")
        target = self.user(username)  # NotFound in words
        if target.disabled == disabled:
            raise OgiError(f"用户“{username}”已经是{'停用' if disabled else '启用'}状态")
        return WebAccounts(self.engine, self.clock).set_disabled(actor, username, disabled)

    def add_department(self, actor: User, agency: str, code: str, name: str) -> Department:
        actor.require_admin("add departments")
        with self.engine.begin() as conn:
            return add_department(conn, agency, code, name)

    def set_department(self, actor: User, username: str, department: str) -> Department | None:
        """Put a user in a department of their agency (部门待办 lists its requests' tasks); "" takes them out."""
        actor.require_admin("设置用户所在部门")
        with self.engine.begin() as conn:
            chosen = set_user_department(conn, username, department)
        log.warning("department of %r set to %r by %r", username, chosen.code if chosen else None, actor.username)
        return chosen

    def user_departments(self) -> dict[str, str]:
        """username -> the code of the department they work in, for those who have one."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(users_table.c.username, users_table.c.department)
                                .where(users_table.c.department.is_not(None))).all()
        return {r.username: r.department for r in rows}

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
