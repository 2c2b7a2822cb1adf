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
            who = "审计只能查看，不能修改" if self.role == Role.AUDITOR else "只能查看"  # as workflows/people/access.py says
            raise PermissionDenied(f"无权{action_words(what)}：{self.username}是{ROLE_NAMES[self.role]}，{who}")

    def require_admin(self, what: str) -> None:
        if self.role != Role.ADMIN:
            raise PermissionDenied(f"无权{action_words(what)}：只有系统管理员可以办理，{self.username}是{ROLE_NAMES[self.role]}")


SCHEDULER = User(SCHEDULER_USERNAME, "定时任务", Role.STAFF)

# the online door's actors in the log (issue 20; no login, no row in `users`): the applicant on the own page (after
# the 查询码 and a code sent to the phone or e-mail of the application), a payment platform's signed callback, and a
# 政务服务网 filing through the API with its platform token (`platform:NAME`)
APPLICANT_USERNAME = "applicant"
PAYMENT_USERNAME = "payment"
PLATFORM_PREFIX = "platform:"
APPLICANT_ONLINE = User(APPLICANT_USERNAME, "申请人（网上）", Role.APPLICANT)
PAYMENT_PLATFORM = User(PAYMENT_USERNAME, "支付平台", Role.APPLICANT)
RESERVED_USERNAMES = frozenset({SCHEDULER_USERNAME, APPLICANT_USERNAME, PAYMENT_USERNAME})


def platform_actor(name: str, display_name: str) -> User:
    """The actor of a request filed by a platform through the API (the name of its token)."""
    return User(PLATFORM_PREFIX + name, display_name, Role.APPLICANT)


def is_online_actor(user: User) -> bool:
    return user.username in (APPLICANT_USERNAME, PAYMENT_USERNAME) or user.username.startswith(PLATFORM_PREFIX)

ROLE_NAMES = {Role.ADMIN: "系统管理员", Role.HEAD: "负责人", Role.STAFF: "经办人", Role.AUDITOR: "审计",
              Role.APPLICANT: "申请人"}  # as workflows/people/access.py ROLE_LABELS (which imports this module)

# What a refused user was trying to do, in words: the callers name it in English (a log's words); a caller that
# names it in Chinese is shown as it is, and one not listed here reads "办理此事项".
_ACTIONS = {
    "assign tasks": "分派任务", "fill in the table 二 register": "填报主动公开情况（表二）",
    "rotate the log's key": "更换日志密钥", "run the timers": "运行定时任务", "repair the read model": "修复读模型",
    "change the working-day calendar": "修改工作日历", "issue documents": "签发文书", "add an agency": "添加机关",
    "change an agency's settings": "修改机关设置", "list the users": "查看用户列表", "disable or enable users": "停用或启用用户",
    "create API tokens": "创建接口令牌", "list API tokens": "查看接口令牌", "revoke API tokens": "吊销接口令牌",
    "add users": "添加用户", "add departments": "添加承办部门", "retry messages": "重新发送消息",
    "rebuild projections": "重建读模型", "sign a checkpoint": "签署日志检查点", "register requests": "登记申请",
    "open the administration pages": "打开系统管理页面", "change the administration settings": "修改系统管理设置",
    "reset passwords": "重置密码",
}


def action_words(what: str) -> str:
    if what in _ACTIONS:
        return _ACTIONS[what]
    return what if what and not re.search(r"[A-Za-z]", what) else "办理此事项"


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


MIN_PASSWORD_LENGTH = 8  # a password an administrator sets for someone else (reset): long enough not to be guessed
MAX_PASSWORD_LENGTH = 200  # longer is no password but a way to make the server hash megabytes


def check_new_password(password: str, field: str = "新密码") -> str:
    """A password an administrator gives a user: 8–200 characters, one line, no spaces at its ends."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise OgiError(f"{field}至少 {MIN_PASSWORD_LENGTH} 个字符")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise OgiError(f"{field}最多 {MAX_PASSWORD_LENGTH} 个字符")
    if any(ord(ch) < 32 or ord(ch) == 0x7F for ch in password) or password != password.strip():
        raise OgiError(f"{field}不能含有控制字符，首尾不能是空格")
    return password


def set_password(conn: Connection, username: str, password: str) -> None:
    get_user(conn, username)
    conn.execute(update(users_table).where(users_table.c.username == username)
                 .values(password_hash=hash_password(password)))


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
        raise NotFound(f"没有用户名为“{username}”的用户")
    return user


def add_user(conn: Connection, username: str, role: Role, password: str, display_name: str | None, now: dt.datetime,
             agencies: Iterable[str] = (), email: str | None = None, phone: str | None = None) -> User:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{2,100}", username):
        raise OgiError(f"用户名“{username}”须为 2–100 个英文字母、数字或“_”“.”“-”")
    if conn.execute(select(users_table.c.username).where(users_table.c.username == username)).first():
        raise OgiError(f"用户名“{username}”已被使用，请换一个")
    if username in RESERVED_USERNAMES:
        raise OgiError(f"用户名“{username}”是系统在日志中使用的名称（定时任务、网上申请人或支付平台），请换一个")
    if email is not None and not EMAIL_PATTERN.match(email):
        raise OgiError(f"电子邮箱“{email}”不是有效的电子邮箱地址")
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
        raise NotFound(f"没有代码为“{slug}”的机关，请先添加该机关")
    return row


def add_agency(conn: Connection, slug: str, name: str, parent: str | None, actor: User, now: dt.datetime,
               correction_period_days: int = DEFAULT_CORRECTION_PERIOD_DAYS) -> None:
    actor.require_admin("add an agency")
    if not SLUG_PATTERN.match(slug):
        raise OgiError(f"机关代码“{slug}”须为 2–63 个小写英文字母、数字或“-”")
    if not name.strip():
        raise OgiError("请填写机关名称")
    if agency_exists(conn, slug):
        raise OgiError(f"机关代码“{slug}”已被使用")
    if parent is not None:
        get_agency(conn, parent)
    if not 1 <= correction_period_days <= MAX_APPLICANT_PERIOD_DAYS:  # the bound of a correction notice's period
        raise OgiError(f"默认补正期限须为 1–{MAX_APPLICANT_PERIOD_DAYS} 个工作日，不能是 {correction_period_days}")
    conn.execute(insert(agencies_table).values(slug=slug, name=name.strip(), parent=parent,
                                               correction_period_days=correction_period_days,
                                               created_at=now, created_by=actor.username))


def agency_members(conn: Connection, agency: str, own_only: bool = False) -> tuple[str, list[str]]:
    """(name, [agency, its descendants…]): a parent's report rolls up the agencies below it."""
    rows = conn.execute(select(agencies_table.c.slug, agencies_table.c.name, agencies_table.c.parent)).all()
    names = {r.slug: r.name for r in rows}
    if agency not in names:
        raise NotFound(f"没有代码为“{agency}”的机关")
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


_SETTING_NAMES = {"doc_prefix": "文号前缀", "review_body": "行政复议机关", "court": "人民法院"}


def _document_settings(given: dict[str, str | bool | None]) -> dict[str, str | bool]:
    values: dict[str, str | bool] = {}
    for name in ("doc_prefix", "review_body", "court"):
        text = given.get(name)
        if text is not None:
            if not isinstance(text, str) or len(text) > 200 or any(ord(ch) < 32 for ch in text):
                raise OgiError(f"{_SETTING_NAMES[name]}须为一行文字（最多 200 个字符）")
            values[name] = text.strip()
    if given.get("vertically_led") is not None:
        values["vertically_led"] = bool(given["vertically_led"])
    return values


PAYMENT_INFO_MAX = 500  # characters: where and how to pay, as the applicant's page and the fee notice say it


def _online_settings(given: dict[str, str | bool | None]) -> dict[str, str | bool]:
    """Whether the agency takes applications on /apply (`accepts_online`), and how its fees are paid
    (`payment_info`, shown to the applicant; "" clears it)."""
    values: dict[str, str | bool] = {}
    if given.get("accepts_online") is not None:
        values["accepts_online"] = bool(given["accepts_online"])
    text = given.get("payment_info")
    if text is not None:
        if (not isinstance(text, str) or len(text) > PAYMENT_INFO_MAX
                or any((ord(ch) < 32 and ch != "\n") or 0xD800 <= ord(ch) <= 0xDFFF for ch in text)):
            raise OgiError(f"缴费说明须为文字（最多 {PAYMENT_INFO_MAX} 个字符，不含控制字符）")
        values["payment_info"] = text.strip()
    return values


def set_agency(conn: Connection, slug: str, actor: User, reminders: str | None = None, webhook_url: str | None = None,
               webhook_secret: str | None = None, **documents: str | bool | None) -> None:
    """An agency's settings: reminder offsets (working days before the reply is due), its webhook, for its
    documents the number prefix (`doc_prefix`), the review body, the court and whether it is vertically led, and
    for the online door whether it takes online applications (`accepts_online`) and its `payment_info`."""

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
            raise OgiError(f"消息推送地址“{webhook_url}”须以 http:// 或 https:// 开头")
        if not webhook_secret or len(webhook_secret) < 16:
            raise OgiError("设置消息推送地址须同时填写至少 16 个字符的推送签名密钥（webhook-secret，用于签名每条消息）")
        values.update(webhook_url=webhook_url, webhook_secret=webhook_secret)
    values.update(_document_settings(documents))
    values.update(_online_settings(documents))
    if not values:
        raise OgiError("没有要保存的设置：请至少填写提醒、消息推送地址（含签名密钥）、文号前缀、行政复议机关、人民法院、"
                       "垂直管理、网上申请或缴费说明中的一项")
    conn.execute(update(agencies_table).where(agencies_table.c.slug == slug).values(**values))


def parse_offsets(text: str) -> tuple[int, ...]:
    """An agency's reminder setting (read by notifications/reminders.py when it plans the reply's reminders), e.g. "5,2,0": distinct working-day offsets from 0 to 20."""
    try:
        offsets = tuple(sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True))
    except ValueError:
        raise ValueError(f"提醒“{text}”须为到期前的工作日数，用逗号分隔，如 5,2,0") from None
    if not offsets or any(not 0 <= o <= 20 for o in offsets):
        raise ValueError(f"提醒“{text}”须为 0 至 20 之间的工作日数（最多 21 个），如 5,2,0")
    return offsets
