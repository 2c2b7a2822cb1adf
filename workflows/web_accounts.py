"""Signing in to the web UI and the API: sessions, CSRF tokens, API tokens and the lockout after repeated failures.

Only SHA-256 digests of session ids and tokens are stored, so the database alone opens no session. Every refusal is
logged (without the password) for the security log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, update

from engine.clock import Clock
from engine.errors import OgiError
from workflows.accounts import User, check_password, find_user, get_user
from workflows.tables import api_tokens_table, login_failures_table, users_table, web_sessions_table

log = logging.getLogger("ogi.security")

SESSION_HOURS = 10  # a working day; the cookie ends with the browser too
MAX_FAILURES = 5  # wrong passwords in a row before the name is locked
LOCK_MINUTES = 15


class LoginRefused(OgiError):
    """Wrong name or password, or a locked name: the message never says which name exists."""


@dataclass(frozen=True)
class Session:
    id: str  # the cookie value (shown once, at sign-in)
    user: User
    csrf_token: str


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass
class WebAccounts:
    engine: Engine
    clock: Clock

    def sign_in(self, username: str, password: str, address: str = "") -> Session:
        now = self.clock.now()
        refusal = None
        with self.engine.begin() as conn:  # a failure is committed before the refusal is raised
            f = login_failures_table.c
            failed = conn.execute(select(login_failures_table).where(f.username == username)).first()
            row = conn.execute(select(users_table.c.password_hash).where(users_table.c.username == username)).first()
            if failed is not None and failed.locked_until is not None and failed.locked_until > now:
                log.warning("sign-in refused: %s is locked until %s (from %s)", username, failed.locked_until, address)
                refusal = f"该账号因多次密码错误已被锁定，请于 {failed.locked_until:%H:%M} 后再试"
            elif row is None or not check_password(password, row.password_hash):
                failures = (failed.failures if failed else 0) + 1
                locked = now + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
                if failed is None:
                    conn.execute(insert(login_failures_table).values(username=username, failures=failures,
                                                                      locked_until=locked))
                else:
                    conn.execute(update(login_failures_table).where(f.username == username)
                                 .values(failures=0 if locked else failures, locked_until=locked))
                log.warning("sign-in refused: wrong name or password for %r (failure %d, from %s)", username, failures,
                            address)
                refusal = "用户名或密码错误" + ("；该账号已被锁定15分钟" if locked else "")
            else:
                if failed is not None:
                    conn.execute(delete(login_failures_table).where(f.username == username))
                # expired sessions are refused anyway; each sign-in clears them away
                conn.execute(delete(web_sessions_table).where(web_sessions_table.c.expires_at <= now))
                session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
                conn.execute(insert(web_sessions_table).values(
                    id_hash=_digest(session_id), username=username, csrf_token=csrf, created_at=now,
                    expires_at=now + dt.timedelta(hours=SESSION_HOURS)))
                return Session(session_id, get_user(conn, username), csrf)
        raise LoginRefused(refusal)

    def session(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        s = web_sessions_table.c
        with self.engine.connect() as conn:
            row = conn.execute(select(web_sessions_table).where(s.id_hash == _digest(session_id))).first()
            if row is None or row.expires_at <= self.clock.now():
                return None
            user = find_user(conn, row.username)
        return Session(session_id, user, row.csrf_token) if user else None

    def sign_out(self, session_id: str | None) -> None:
        if session_id:
            with self.engine.begin() as conn:
                conn.execute(delete(web_sessions_table).where(web_sessions_table.c.id_hash == _digest(session_id)))

    def create_token(self, actor: User, username: str) -> str:
        """An API token for `username` (administrators only); shown once."""
        actor.require_admin("create API tokens")
        token = "ogi_" + secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            get_user(conn, username)
            conn.execute(insert(api_tokens_table).values(token_hash=_digest(token), username=username,
                                                         created_at=self.clock.now(), created_by=actor.username))
        return token

    def token_user(self, token: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(api_tokens_table.c.username)
                               .where(api_tokens_table.c.token_hash == _digest(token))).first()
            return find_user(conn, row.username) if row else None
