"""Agencies and users: who may do what. Nothing here is created silently."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import Connection, bindparam, insert, select, update

from engine.errors import NotFound, OgiError, PermissionDenied
from workflows.foi.definition import MAX_APPLICANT_PERIOD_DAYS
from workflows.foi.identifiers import check_phone
from workflows.tables import agencies_table, user_agencies_table, users_table

ADMIN_USERNAME = "admin"
DEFAULT_CORRECTION_PERIOD_DAYS = 15  # the agency's default period in a correction notice (Art. 30 leaves it open)
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class Role(StrEnum):
    ADMIN = "admin"  # 系统管理员
    HEAD = "head"  # 政府信息公开工作机构负责人: approves extensions
    STAFF = "staff"  # 经办人
    AUDITOR = "auditor"  # 审计/上级: reads, never writes
    APPLICANT = "applicant"


# who the scheduler's sweeps act as in the log (not a login: no row in `users`)
SCHEDULER_USERNAME = "scheduler"

WRITING_ROLES = frozenset({Role.ADMIN, Role.HEAD, Role.STAFF})
APPROVING_ROLES = frozenset({Role.ADMIN, Role.HEAD})


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: Role
    agencies: frozenset[str] = frozenset()  # the agencies this user works for
    email: str | None = None
    phone: str | None = None
    disabled: bool = False  # `ogi user disable`: signs in nowhere; the name stays in the log

    def works_for(self, agency: str, above_it: Iterable[str] = ()) -> bool:
        """Staff, heads or administrators of `agency` or of an agency above it (`above_it`)."""
        return self.role in WRITING_ROLES and bool(self.agencies & {agency, *above_it})

    def require_write(self, what: str) -> None:
        if self.role not in WRITING_ROLES:
            raise PermissionDenied(f"user '{self.username}' ({self.role.value}) may read but not {what}")

    def require_admin(self, what: str) -> None:
        if self.role != Role.ADMIN:
            raise PermissionDenied(f"only an administrator may {what}; '{self.username}' is {self.role.value}")


SCHEDULER = User(SCHEDULER_USERNAME, "定时任务", Role.STAFF)


_ARGON2 = PasswordHasher()  # argon2id with the library's current parameters


def hash_password(password: str) -> str:
    return _ARGON2.hash(password)


def check_password(password: str, stored: str) -> bool:
    """argon2id hashes, and the scrypt hashes of users added before the web login (still accepted)."""
    if stored.startswith("$argon2"):
        try:
            return _ARGON2.verify(stored, password)
        except (VerifyMismatchError, InvalidHashError):
            return False
    _, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=2**14, r=8, p=1)
    return hmac.compare_digest(candidate.hex(), digest)


_USER = select(users_table).where(users_table.c.username == bindparam("username"))
_USER_AGENCIES = select(user_agencies_table.c.agency).where(user_agencies_table.c.username == bindparam("username"))
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_AGENCY = select(agencies_table).where(agencies_table.c.slug == bindparam("slug"))


def find_user(conn: Connection, username: str) -> User | None:
    row = conn.execute(_USER, {"username": username}).first()
    if row is None:
        return None
    agencies = frozenset(conn.execute(_USER_AGENCIES, {"username": username}).scalars())
    return User(row.username, row.display_name, Role(row.role), agencies, row.email, row.phone, bool(row.disabled))


def get_user(conn: Connection, username: str) -> User:
    user = find_user(conn, username)
    if user is None:
        raise NotFound(f"unknown user '{username}'; add it with `ogi user add {username} --role staff`")
    return user


def add_user(conn: Connection, username: str, role: Role, password: str, display_name: str | None, now: dt.datetime,
             agencies: Iterable[str] = (), email: str | None = None, phone: str | None = None) -> User:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{2,100}", username):
        raise OgiError(f"user name '{username}' must be 2–100 letters, digits, '_', '.' or '-'")
    if conn.execute(select(users_table.c.username).where(users_table.c.username == username)).first():
        raise OgiError(f"user '{username}' already exists")
    if username == SCHEDULER_USERNAME:
        raise OgiError(f"'{username}' is the name the scheduler's sweeps carry in the log; choose another")
    if email is not None and not EMAIL_PATTERN.match(email):
        raise OgiError(f"--email '{email}' is not an e-mail address")
    if phone is not None:  # a mainland mobile or landline, NFKC-normalised (workflows/foi/identifiers.py)
        phone = check_phone(phone, "phone")
    agencies = frozenset(agencies)
    for agency in sorted(agencies):
        get_agency(conn, agency)
    conn.execute(insert(users_table).values(username=username, display_name=display_name or username, role=role.value,
                                            password_hash=hash_password(password), created_at=now, email=email,
                                            phone=phone))
    if agencies:
        conn.execute(insert(user_agencies_table), [{"username": username, "agency": a} for a in sorted(agencies)])
    return User(username, display_name or username, role, agencies, email, phone)


def agency_exists(conn: Connection, slug: str) -> bool:
    return conn.execute(select(agencies_table.c.slug).where(agencies_table.c.slug == slug)).first() is not None


def get_agency(conn: Connection, slug: str):
    row = conn.execute(_AGENCY, {"slug": slug}).first()
    if row is None:
        raise NotFound(f"unknown agency '{slug}': add it first with `ogi agency add {slug} --name NAME`")
    return row


def add_agency(conn: Connection, slug: str, name: str, parent: str | None, actor: User, now: dt.datetime,
               correction_period_days: int = DEFAULT_CORRECTION_PERIOD_DAYS) -> None:
    actor.require_admin("add an agency")
    if not SLUG_PATTERN.match(slug):
        raise OgiError(f"agency slug '{slug}' must be 2–63 lower-case letters, digits or '-'")
    if not name.strip():
        raise OgiError("an agency needs a name (--name)")
    if agency_exists(conn, slug):
        raise OgiError(f"agency '{slug}' already exists")
    if parent is not None:
        get_agency(conn, parent)
    if not 1 <= correction_period_days <= MAX_APPLICANT_PERIOD_DAYS:  # the bound of a correction notice's period
        raise OgiError(f"the default correction period must be 1–{MAX_APPLICANT_PERIOD_DAYS} working days, "
                       f"not {correction_period_days}")
    conn.execute(insert(agencies_table).values(slug=slug, name=name.strip(), parent=parent,
                                               correction_period_days=correction_period_days,
                                               created_at=now, created_by=actor.username))


def agency_members(conn: Connection, agency: str, own_only: bool = False) -> tuple[str, list[str]]:
    """(name, [agency, its descendants…]): a parent's report rolls up the agencies below it."""
    rows = conn.execute(select(agencies_table.c.slug, agencies_table.c.name, agencies_table.c.parent)).all()
    names = {r.slug: r.name for r in rows}
    if agency not in names:
        raise NotFound(f"no agency '{agency}'; `ogi agency list` shows them")
    if own_only:
        return names[agency], [agency]
    children = defaultdict(list)
    for r in rows:
        if r.parent:
            children[r.parent].append(r.slug)
    members, todo = [], [agency]
    while todo:
        slug = todo.pop(0)
        if slug in members:  # a cycle in the parent links must not loop forever
            continue
        members.append(slug)
        todo.extend(sorted(children[slug]))
    return names[agency], members


def ancestors(conn: Connection, agency: str) -> list[str]:
    parents = dict(conn.execute(select(agencies_table.c.slug, agencies_table.c.parent)).all())
    out, current = [], parents.get(agency)
    while current and current not in out and current != agency:
        out.append(current)
        current = parents.get(current)
    return out


def list_agencies(conn: Connection):
    return list(conn.execute(select(agencies_table).order_by(agencies_table.c.slug)))


def mask_id_number(value: str | None) -> str:
    """371315198209213958 -> 3713**********3958: enough to tell two applicants apart, not to identify one."""
    if not value:
        return ""
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 11 else "*" * len(value)


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1) if len(value) > 1 else "*"


def _document_settings(given: dict[str, str | bool | None]) -> dict[str, str | bool]:
    values: dict[str, str | bool] = {}
    for name in ("doc_prefix", "review_body", "court"):
        text = given.get(name)
        if text is not None:
            if not isinstance(text, str) or len(text) > 200 or any(ord(ch) < 32 for ch in text):
                raise OgiError(f"--{name.replace('_', '-')} must be one line of text (at most 200 characters)")
            values[name] = text.strip()
    if given.get("vertically_led") is not None:
        values["vertically_led"] = bool(given["vertically_led"])
    return values


def set_agency(conn: Connection, slug: str, actor: User, reminders: str | None = None, webhook_url: str | None = None,
               webhook_secret: str | None = None, **documents: str | bool | None) -> None:
    """An agency's settings: reminder offsets (working days before the reply is due), its webhook, and for its
    documents the number prefix (`doc_prefix`), the review body, the court and whether it is vertically led."""

    actor.require_admin("change an agency's settings")
    get_agency(conn, slug)
    values: dict[str, str | bool] = {}
    if reminders is not None:
        try:
            values["reminder_days"] = ",".join(str(o) for o in parse_offsets(reminders))
        except ValueError as error:
            raise OgiError(str(error)) from None
    if webhook_url is not None:
        if not re.match(r"^https?://[^\s]+$", webhook_url):
            raise OgiError(f"--webhook '{webhook_url}' must be an http:// or https:// URL")
        if not webhook_secret or len(webhook_secret) < 16:
            raise OgiError("a webhook needs --webhook-secret of at least 16 characters (it signs each body, HMAC-SHA256)")
        values.update(webhook_url=webhook_url, webhook_secret=webhook_secret)
    values.update(_document_settings(documents))
    if not values:
        raise OgiError("nothing to set: give --reminders, --webhook with --webhook-secret, --doc-prefix, "
                       "--review-body, --court or --vertically-led")
    conn.execute(update(agencies_table).where(agencies_table.c.slug == slug).values(**values))


def parse_offsets(text: str) -> tuple[int, ...]:
    """An agency's reminder setting (read by notifications/reminders.py when it plans the reply's reminders), e.g. "5,2,0": distinct working-day offsets from 0 to 20."""
    try:
        offsets = tuple(sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True))
    except ValueError:
        raise ValueError(f"reminders '{text}' must be working-day offsets such as 5,2,0") from None
    if not offsets or any(not 0 <= o <= 20 for o in offsets):
        raise ValueError(f"reminders '{text}' must be 1 to 21 offsets between 0 and 20 working days (e.g. 5,2,0)")
    return offsets
