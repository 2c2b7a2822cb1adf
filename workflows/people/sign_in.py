"""Signing in to the web UI and the API: sessions, CSRF tokens, API tokens, disabled users and the lockout after
repeated failures.

Only SHA-256 digests of session ids and tokens are stored, so the database alone opens no session. Every refusal is
logged (without the password) for the security log.

The lockout holds under parallel guesses: each attempt is counted by one upsert, committed *before* the password is
checked, so ten guesses at once take ten numbers and only the first MAX_FAILURES are ever checked. Unknown names are
checked against a dummy argon2 hash, so a name that exists answers no slower than one that does not.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, DateTime, Engine, case, delete, func, insert, literal, null, select, update

from engine.adapters.database import upsert_insert
from engine.clock import Clock
from engine.errors import NotFound, OgiError
from workflows.people.accounts import User, check_password, find_user, get_user, hash_password
from workflows.tables import api_tokens_table, login_failures_table, users_table, web_sessions_table

log = logging.getLogger("ogi.security")

SESSION_HOURS = 10  # a working day; the cookie ends with the browser too
MAX_FAILURES = 5  # wrong passwords in a row before the name is locked
LOCK_MINUTES = 15
TOKEN_DAYS = 90  # `ogi token create` without --days
MAX_TOKEN_DAYS = 730
FORGET_ATTEMPTS_AFTER = dt.timedelta(days=1)  # a name not tried for a day starts again at 0 (and its row goes)
LAST_USED_STEP = dt.timedelta(minutes=1)  # a token's last use is written at most once a minute, not on every call
TOKEN_ID_LENGTH = 12  # the shown id of a token: the start of its digest, which opens nothing
_POSSIBLE_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,100}")  # longer or with control characters: no user has it

WRONG = "用户名或密码错误"


class LoginRefused(OgiError):
    """Wrong name or password, or a locked name: the message never says which name exists."""


@dataclass(frozen=True)
class Session:
    id: str  # the cookie value (shown once, at sign-in)
    user: User
    csrf_token: str


@dataclass(frozen=True)
class TokenInfo:
    """What `ogi token list` shows of a token: never the token, nor its whole digest."""

    id: str
    username: str
    created_at: dt.datetime
    created_by: str
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoked_by: str | None

    def status(self, now: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"

    def as_json(self, now: dt.datetime) -> dict:
        moments = {k: getattr(self, k) for k in ("created_at", "expires_at", "last_used_at", "revoked_at")}
        return {"id": self.id, "user": self.username, "created_by": self.created_by, "revoked_by": self.revoked_by,
                "status": self.status(now), **{k: v.isoformat() if v else None for k, v in moments.items()}}


def secret_digest(value: str) -> str:
    """What is kept of a session id or a token: its SHA-256, never the secret itself."""
    return hashlib.sha256(value.encode()).hexdigest()


@functools.cache
def _dummy_hash() -> str:
    """What an unknown name's password is checked against: the same argon2 work as for a real user."""
    return hash_password(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class _Attempt:
    failures: int  # attempts since the last success, this one included
    locked_until: dt.datetime | None


@dataclass
class WebAccounts:
    engine: Engine
    clock: Clock

    # -- sign-in ----------------------------------------------------------------------------------------------
    def sign_in(self, username: str, password: str, address: str = "") -> Session:
        now = self.clock.now()
        if not _POSSIBLE_NAME.fullmatch(username):  # no such user can exist: no row for it, the same work
            check_password(password, _dummy_hash())
            log.warning("sign-in refused: impossible user name (%d characters, from %s)", len(username), address)
            raise LoginRefused(WRONG)
        with self.engine.begin() as conn:  # committed before the password is checked
            attempt = self._count_attempt(conn, username, now)
        if attempt.failures > MAX_FAILURES or (attempt.locked_until is not None and attempt.locked_until > now):
            check_password(password, _dummy_hash())
            until = attempt.locked_until or now + dt.timedelta(minutes=LOCK_MINUTES)
            log.warning("sign-in refused: %r is locked until %s (from %s)", username, until, address)
            raise LoginRefused(f"该账号因多次密码错误已被锁定，请于 {until:%H:%M} 后再试")
        with self.engine.connect() as conn:
            row = conn.execute(select(users_table.c.password_hash, users_table.c.disabled)
                               .where(users_table.c.username == username)).first()
        if not check_password(password, row.password_hash if row else _dummy_hash()) or row is None:
            locked = attempt.failures >= MAX_FAILURES
            if locked:
                self._lock(username, now)
            log.warning("sign-in refused: wrong name or password for %r (failure %d, from %s)", username,
                        attempt.failures, address)
            raise LoginRefused(WRONG + (f"；该账号已被锁定{LOCK_MINUTES}分钟" if locked else ""))
        if row.disabled:
            log.warning("sign-in refused: %r is disabled (from %s)", username, address)
            raise LoginRefused("该账号已停用，请联系系统管理员")
        f = login_failures_table.c
        with self.engine.begin() as conn:
            # each sign-in clears this name's count, the counts of names not tried for a day (guessed names too, so
            # the table cannot grow without bound) and expired sessions (refused anyway)
            stale = (f.last_attempt_at < now - FORGET_ATTEMPTS_AFTER) & (f.locked_until.is_(None) | (f.locked_until <= now))
            conn.execute(delete(login_failures_table).where((f.username == username) | stale))
            conn.execute(delete(web_sessions_table).where(web_sessions_table.c.expires_at <= now))
            session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            conn.execute(insert(web_sessions_table).values(
                id_hash=secret_digest(session_id), username=username, csrf_token=csrf, created_at=now,
                expires_at=now + dt.timedelta(hours=SESSION_HOURS)))
            return Session(session_id, get_user(conn, username), csrf)

    @staticmethod
    def _count_attempt(conn: Connection, username: str, now: dt.datetime) -> _Attempt:
        """One statement on both databases: parallel attempts on one name queue on its row, none fails on the key."""
        f = login_failures_table.c
        # a lock that ended, or attempts a day old, start the count again
        lapsed = ((f.locked_until.is_not(None) & (f.locked_until <= now))
                  | (f.locked_until.is_(None) & (f.last_attempt_at < now - FORGET_ATTEMPTS_AFTER)))
        lock_now = literal(now + dt.timedelta(minutes=LOCK_MINUTES), DateTime())
        upsert = upsert_insert(conn, login_failures_table).values(username=username, failures=1, locked_until=None,
                                                                  last_attempt_at=now)
        upsert = upsert.on_conflict_do_update(index_elements=[f.username], set_={
            "last_attempt_at": now,
            "failures": case((lapsed, 1), else_=f.failures + 1),
            "locked_until": case((lapsed, null()), (f.failures + 1 > MAX_FAILURES, func.coalesce(f.locked_until, lock_now)),
                                 else_=f.locked_until)})
        row = conn.execute(upsert.returning(f.failures, f.locked_until)).one()
        return _Attempt(row.failures, row.locked_until)

    def _lock(self, username: str, now: dt.datetime) -> None:
        f = login_failures_table.c
        with self.engine.begin() as conn:
            conn.execute(update(login_failures_table).where(f.username == username).values(
                locked_until=func.coalesce(f.locked_until, literal(now + dt.timedelta(minutes=LOCK_MINUTES), DateTime()))))

    def session(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        s = web_sessions_table.c
        with self.engine.connect() as conn:
            row = conn.execute(select(web_sessions_table).where(s.id_hash == secret_digest(session_id))).first()
            if row is None or row.expires_at <= self.clock.now():
                return None
            user = find_user(conn, row.username)
        return Session(session_id, user, row.csrf_token) if user and not user.disabled else None

    def sign_out(self, session_id: str | None) -> None:
        if session_id:
            with self.engine.begin() as conn:
                conn.execute(delete(web_sessions_table).where(web_sessions_table.c.id_hash == secret_digest(session_id)))

    # -- users ------------------------------------------------------------------------------------------------
    def users(self, actor: User) -> list[User]:
        """Every user, by name, with whether they are disabled (`ogi user list`, administrators only)."""
        actor.require_admin("list the users")
        with self.engine.connect() as conn:
            names = conn.execute(select(users_table.c.username).order_by(users_table.c.username)).scalars().all()
            return [get_user(conn, name) for name in names]

    def set_disabled(self, actor: User, username: str, disabled: bool) -> User:
        """Disable (or enable again) a user: no sign-in, and their sessions end at once; their tokens are refused
        while they are disabled. The user stays, because the log names them."""
        actor.require_admin("disable or enable users")
        if disabled and username == actor.username:
            raise OgiError(f"“{username}”不能停用自己的账户，须由另一位系统管理员停用")
        with self.engine.begin() as conn:
            get_user(conn, username)
            conn.execute(update(users_table).where(users_table.c.username == username).values(disabled=disabled))
            if disabled:
                conn.execute(delete(web_sessions_table).where(web_sessions_table.c.username == username))
            user = get_user(conn, username)
        log.warning("user %r %s by %r", username, "disabled" if disabled else "enabled", actor.username)
        return user

    # -- API tokens -------------------------------------------------------------------------------------------
    def create_token(self, actor: User, username: str, days: int = TOKEN_DAYS) -> str:
        """An API token for `username` (administrators only), valid for `days`; shown once."""
        actor.require_admin("create API tokens")
        if not 1 <= days <= MAX_TOKEN_DAYS:
            raise OgiError(f"有效天数（days）应为 1 至 {MAX_TOKEN_DAYS} 天，不能是 {days}")
        token = "ogi_" + secrets.token_urlsafe(32)
        now = self.clock.now()
        with self.engine.begin() as conn:
            if get_user(conn, username).disabled:
                raise OgiError(f"用户“{username}”已停用，不能为其创建接口令牌；请先启用该用户")
            conn.execute(insert(api_tokens_table).values(token_hash=secret_digest(token), username=username, created_at=now,
                                                         created_by=actor.username,
                                                         expires_at=now + dt.timedelta(days=days)))
        return token

    def token_user(self, token: str) -> User | None:
        """The user of a valid token: not revoked, not expired, and its user not disabled."""
        t = api_tokens_table.c
        now = self.clock.now()
        token_hash = secret_digest(token)
        with self.engine.connect() as conn:
            row = conn.execute(select(api_tokens_table).where(t.token_hash == token_hash)).first()
            if row is None or row.revoked_at is not None or row.expires_at <= now:
                return None
            user = find_user(conn, row.username)
        if user is None or user.disabled:
            return None
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_STEP:
            with self.engine.begin() as conn:
                conn.execute(update(api_tokens_table).where(t.token_hash == token_hash).values(last_used_at=now))
        return user

    def tokens(self, actor: User, username: str | None = None) -> list[TokenInfo]:
        """Every token (or `username`'s), oldest first (administrators only)."""
        actor.require_admin("list API tokens")
        t = api_tokens_table.c
        query = select(api_tokens_table).order_by(t.created_at, t.token_hash)
        with self.engine.connect() as conn:
            if username is not None:
                get_user(conn, username)
                query = query.where(t.username == username)
            return [_token_info(row) for row in conn.execute(query)]

    def revoke_token(self, actor: User, token_id: str) -> TokenInfo:
        """Revoke the token with this id (as `ogi token list` shows it): it stops working at once."""
        actor.require_admin("revoke API tokens")
        if not re.fullmatch(f"[0-9a-f]{{{TOKEN_ID_LENGTH}}}", token_id):
            raise OgiError(f"接口令牌编号应为 {TOKEN_ID_LENGTH} 位十六进制数字（令牌列表中显示的编号），"
                           f"不是“{token_id[:40]}”")
        t = api_tokens_table.c
        now = self.clock.now()
        with self.engine.begin() as conn:
            rows = conn.execute(select(api_tokens_table).where(t.token_hash.startswith(token_id))).all()
            if len(rows) != 1:
                raise NotFound(f"没有编号为“{token_id}”的接口令牌")
            if rows[0].revoked_at is None:
                conn.execute(update(api_tokens_table).where(t.token_hash == rows[0].token_hash)
                             .values(revoked_at=now, revoked_by=actor.username))
            row = conn.execute(select(api_tokens_table).where(t.token_hash == rows[0].token_hash)).one()
        log.warning("API token %s of %r revoked by %r", token_id, row.username, actor.username)
        return _token_info(row)


def _token_info(row) -> TokenInfo:
    return TokenInfo(row.token_hash[:TOKEN_ID_LENGTH], row.username, row.created_at, row.created_by, row.expires_at,
                     row.last_used_at, row.revoked_at, row.revoked_by)
