"""The tokens of the 政务服务网 that file applications through the API (`ogi platform add|list|revoke`).

A platform token starts "ogip_" so it is never mistaken for a user's "ogi_" token, and is kept only as its SHA-256:
the table names who may file, never the secret. A platform files with the agencies its token lists (submissions.py
refuses the others) and reads back only the requests it filed itself (`view_of`): the first event of such a
request was recorded as `platform:NAME`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update

from engine.clock import Clock
from engine.errors import NotFound, OgiError
from workflows.documents.progress import ApplicantProgress, ApplicantView
from workflows.documents.service import DocumentService
from workflows.foi.definition import awaiting_confirmation
from workflows.people.accounts import PLATFORM_PREFIX, User, get_agency
from workflows.people.sign_in import secret_digest
from workflows.portal.submissions import PlatformToken
from workflows.readmodels.log import EVENT_COLUMNS
from workflows.requests.service import RequestService
from workflows.tables import platform_tokens_table

log = logging.getLogger("ogi.security")

TOKEN_PREFIX = "ogip_"
DEFAULT_DISPLAY_NAME = "政务服务平台"
# the name is the actor's `platform:NAME` in the log, so it fits the actor column with its prefix
NAME_MAX = int(EVENT_COLUMNS.actor.type.length) - len(PLATFORM_PREFIX)  # type: ignore[attr-defined]
NAME_PATTERN = re.compile(rf"[a-z0-9][a-z0-9_-]{{0,{NAME_MAX - 1}}}")
DISPLAY_NAME_MAX = int(platform_tokens_table.c.display_name.type.length)  # type: ignore[attr-defined]
MAX_AGENCIES = 50


AWAITING_CONFIRMATION = "awaiting_confirmation"  # filed online, the agency has not confirmed it yet (Art. 31(3))
AWAITING_CONFIRMATION_LABEL = "待受理机关确认"


@dataclass(frozen=True)
class PlatformView:
    """A request the platform filed, as its applicant sees it: the state's code (for machines) and words."""

    state: str
    state_label: str
    query_code: str
    view: ApplicantView


@dataclass(frozen=True)
class PlatformInfo:
    """One token as `ogi platform list` shows it: never the token itself."""

    name: str
    display_name: str
    agencies: tuple[str, ...]
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None

    def as_json(self) -> dict:
        return {"name": self.name, "display_name": self.display_name, "agencies": list(self.agencies),
                "created_at": self.created_at.isoformat(timespec="seconds"), "created_by": self.created_by,
                "revoked_at": self.revoked_at.isoformat(timespec="seconds") if self.revoked_at else None}


def checked_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise OgiError(f"平台代码“{name[:40]}”不可用：只能用小写字母、数字、“-”和“_”，以字母或数字开头，"
                       f"不超过 {NAME_MAX} 个字符（如 hedong-zwfw）")
    return name


def _checked_display_name(display_name: str | None) -> str:
    text = (display_name or "").strip() or DEFAULT_DISPLAY_NAME
    if len(text) > DISPLAY_NAME_MAX or not text.isprintable():
        raise OgiError(f"平台名称应为不超过 {DISPLAY_NAME_MAX} 个字符的一行文字")
    return text


def _agencies_of(row) -> tuple[str, ...]:
    return tuple(a for a in row.agencies.split(",") if a)


@dataclass
class PlatformTokens:
    engine: Engine
    clock: Clock
    requests: RequestService
    documents: DocumentService
    progress: ApplicantProgress

    def add(self, actor: User, name: str, agencies: Sequence[str], display_name: str | None = None) -> str:
        """A new token for the platform `name` filing with `agencies` (administrators only); shown once."""
        actor.require_admin("添加政务服务平台令牌")
        checked_name(name)
        shown = _checked_display_name(display_name)
        listed = tuple(dict.fromkeys(agencies))
        if not listed:
            raise OgiError("请至少指定一个受理机关（--agency）：平台只能向所列机关提交申请")
        if len(listed) > MAX_AGENCIES:
            raise OgiError(f"一个平台最多可向 {MAX_AGENCIES} 个机关提交申请")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        t = platform_tokens_table.c
        with self.engine.begin() as conn:
            for slug in listed:
                get_agency(conn, slug)
            active = conn.execute(select(t.name).where(t.name == name, t.revoked_at.is_(None))).first()
            if active is not None:
                raise OgiError(f"平台“{name}”已有有效的令牌：请先吊销（ogi platform revoke {name}）再添加")
            conn.execute(insert(platform_tokens_table).values(
                token_hash=secret_digest(token), name=name, display_name=shown, agencies=",".join(listed),
                created_at=self.clock.now(), created_by=actor.username))
        log.warning("platform token for %r (%s) added by %r", name, ",".join(listed), actor.username)
        return token

    def list(self, actor: User) -> list[PlatformInfo]:
        actor.require_admin("查看政务服务平台令牌")
        t = platform_tokens_table.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(platform_tokens_table).order_by(t.created_at, t.name)).all()
        return [PlatformInfo(r.name, r.display_name, _agencies_of(r), r.created_at, r.created_by, r.revoked_at)
                for r in rows]

    def revoke(self, actor: User, name: str) -> int:
        """Revoke the platform's token: it is refused at once. Returns how many were revoked (0: already)."""
        actor.require_admin("吊销政务服务平台令牌")
        t = platform_tokens_table.c
        with self.engine.begin() as conn:
            if conn.execute(select(t.name).where(t.name == name)).first() is None:
                raise NotFound(f"没有名为“{name[:40]}”的政务服务平台令牌")
            revoked = conn.execute(update(platform_tokens_table).where(t.name == name, t.revoked_at.is_(None))
                                   .values(revoked_at=self.clock.now())).rowcount
        log.warning("platform token of %r revoked by %r", name, actor.username)
        return revoked

    def resolve(self, token: str) -> PlatformToken | None:
        """The platform of a token not revoked; None for anything else (a user's token, a guess, a revoked one)."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        t = platform_tokens_table.c
        with self.engine.connect() as conn:
            row = conn.execute(select(platform_tokens_table).where(t.token_hash == secret_digest(token))).first()
        if row is None or row.revoked_at is not None:
            return None
        return PlatformToken(row.name, row.display_name, frozenset(_agencies_of(row)))

    def view_of(self, platform: PlatformToken, request_id: str) -> PlatformView | None:
        """What the applicant sees of a request this platform filed (None for any other, or an unknown id)."""
        with self.engine.connect() as conn:
            try:
                loaded = self.requests.load(conn, request_id)
            except NotFound:
                return None
            events = loaded.events
            if not events or events[0].actor != PLATFORM_PREFIX + platform.name:
                return None
            state = loaded.state
            code = self.documents.lookup_code(state, conn)
        view = self.progress.view(request_id, code)
        if view is None:
            return None
        if awaiting_confirmation(state):
            return PlatformView(AWAITING_CONFIRMATION, AWAITING_CONFIRMATION_LABEL, code, view)
        return PlatformView(str(state.stage), view.stage_label, code, view)
