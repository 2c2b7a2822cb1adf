"""`ogi import FILE`: requests with their whole history, replayed through the workflow on a virtual clock (DESIGN §6).

All lines are parsed and replayed in memory first; only when every line is valid is anything written,
in one transaction. An error names the line, the field or event, and the rule.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from sqlalchemy import Connection, select

from engine.calendar import WorkingCalendar
from engine.clock import to_shanghai_naive
from engine.errors import OgiError, PermissionDenied, RuleViolation
from engine.events import NewEvent
from workflows.foi import commands as c
from workflows.foi.field_names import field_named
from workflows.foi.handle import Handled, handle
from workflows.foi.identifiers import InputRefused, check_request_id
from workflows.foi.refusal_text import refusal_text
from workflows.foi.state import RequestState
from workflows.foi.wording import moment_shown
from workflows.people import access
from workflows.people.access import ROLE_LABELS, Action
from workflows.people.accounts import APPROVING_ROLES, User
from workflows.requests.input_limits import limit_of
from workflows.requests.registration import checked_receive
from workflows.requests.service import Loaded, Pending, RequestService
from workflows.tables import agencies_table, requests_table, users_table

CHUNK = 2000


_PYDANTIC_WORDS = {  # pydantic's error types in the words of the refusals (as web/errors.py's)
    "missing": "必须填写", "int_parsing": "应为整数", "int_from_float": "应为整数", "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false", "float_parsing": "应为数字", "float_type": "应为数字", "string_type": "应为文本",
    "extra_forbidden": "不是可导入的字段，请删去", "list_type": "应为列表", "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象", "model_attributes_type": "应为 JSON 对象", "datetime_type": "应为日期",
}


def _reason(first: Any) -> str:
    """A validator's own reason (ours are Chinese: "“2024-13-01”不是有效的日期…"), after the general words."""
    if first.get("type") != "value_error":
        return ""
    return str(first.get("ctx", {}).get("error", "")) or str(first.get("msg", ""))


class ImportRefused(OgiError):
    """An import file that cannot be imported; nothing was written."""


def parse_moment(value: Any) -> dt.datetime:
    """A date (that day, 00:00) or an ISO datetime; aware ones are converted to Asia/Shanghai."""
    if isinstance(value, dt.datetime):
        return to_shanghai_naive(value)
    if not isinstance(value, str):
        raise ValueError("应为日期（YYYY-MM-DD）或 ISO 格式的日期时间")
    try:
        if len(value) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
        else:
            moment = to_shanghai_naive(dt.datetime.fromisoformat(value))
    except (ValueError, OverflowError):  # OverflowError: 0001-01-01T00:00:00+14:00 has no Shanghai time
        raise ValueError(f"“{value[:40]}”不是有效的日期（YYYY-MM-DD）或 ISO 格式的日期时间") from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"“{value[:40]}”不在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间")
    return moment


FIRST_YEAR, LAST_YEAR = 1990, 2100  # no OGI request predates the first local rules (2002), none is a century ahead
MAX_LINE = 1_000_000  # characters: a request's history is never this long


class ApplicantIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: str
    name: str = ""
    id_number: str | None = None
    phone: str | None = None
    email: str | None = None


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str
    at: dt.datetime
    period_days: int | None = None
    party: str | None = None
    opinion: str | None = None
    amount_yuan: float | None = None
    method: str | None = None
    working_days: int | None = None
    approved_by: str | None = None
    outcome: str | None = None
    case: str | None = None
    result: str | None = None
    after_review: bool | None = None
    notice: str | None = None  # notice_received: correction | fee
    reasonable: bool | None = None  # reasons_received (Art. 35)
    reply_days: int | None = None
    reasons: str | None = None  # decided (Art. 36(3), 37)
    responsible_agency: str | None = None  # decided (Art. 36(5))
    form_provided: str | None = None  # decided (Art. 40)
    form_reason: str | None = None
    competent_agency: str | None = None  # record_correction_decided (Art. 41)
    department: str | None = None  # department_assigned/transferred, assistance_requested/answered
    reason: str | None = None  # department_transferred, department_sent_back
    due_on: str | None = None  # assistance_requested: the assisting department's due day
    note: str | None = None  # assistance_answered
    served_on: str | None = None  # delivered: the legal service day (235号)
    content: str | None = None  # correction_submitted: what the applicant corrected or supplied (补正内容)
    party_name: str | None = None  # consultation_started: whom the agency consulted, by name (征求对象名称)
    party_address: str | None = None  # and where the consultation letter went

    _at = field_validator("at", mode="before")(parse_moment)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in c.BY_EVENT_TYPE:
            raise ValueError(f"事件类型（type）“{value}”不是可导入的类型，可选：{'、'.join(c.BY_EVENT_TYPE)}")
        return value


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    agency: str
    applicant: ApplicantIn
    channel: str
    received_at: dt.datetime
    confirmed_at: dt.datetime | None = None
    subject: str = ""
    form_requested: str | None = None  # Art. 40
    assisted_by: str | None = None  # Art. 43
    procedure: str | None = None  # record_correction: Art. 41
    obtain_method: str | None = None  # Art. 29(3): 获取方式
    events: list[EventIn] = []

    _moments = field_validator("received_at", "confirmed_at", mode="before")(
        lambda v: None if v is None else parse_moment(v)
    )

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        try:
            return check_request_id(value)
        except InputRefused as refused:
            raise ValueError(refused.problem) from None


def command_for(event: EventIn, correction_default: int) -> c.Command:
    fields = {k: v for k, v in event.model_dump(exclude={"type", "at"}).items() if v is not None}
    cls = c.BY_EVENT_TYPE[event.type]
    missing = [name for name in c.required_fields(cls) if name not in fields]
    if missing:
        raise RuleViolation(f"{event.type} 事件须填写{field_named(missing[0])}", "import")
    if cls is c.RequestCorrection:
        fields.setdefault("period_days", correction_default)
    allowed = {f for f in cls.__dataclass_fields__ if f != "at"}
    extra = sorted(set(fields) - allowed)
    if extra:
        raise RuleViolation(f"{field_named(extra[0])}不属于 {event.type} 事件，请删去", "import")
    return cls(at=event.at, **fields)


def replay_line(line: LineIn, services_now: dt.datetime, calendar: WorkingCalendar, correction_default: int,
                source: str) -> Handled:
    """Run one request's history through the workflow on a virtual clock: each step at its own time, timers included."""
    if line.received_at > services_now:
        raise RuleViolation(f"收到申请之日（received_at）{moment_shown(line.received_at)} 晚于现在", "chronology")
    state = RequestState()
    produced: list[NewEvent] = []

    def apply(command: c.Command | None, now: dt.datetime, where: str) -> None:
        nonlocal state
        try:
            handled = handle(state, command, now, calendar)
        except RuleViolation as error:
            raise RuleViolation(f"{where}：{error.reason}", error.rule) from None
        state = handled.state
        produced.extend(handled.events)

    receive = c.Receive(
        at=line.received_at, request_id=line.id, agency=line.agency, applicant=line.applicant.model_dump(exclude_none=True),
        channel=line.channel, subject=line.subject, confirmed_at=line.confirmed_at,
        form_requested=line.form_requested, assisted_by=line.assisted_by, procedure=line.procedure,
        obtain_method=line.obtain_method, imported_from=source,
    )
    try:
        receive = checked_receive(receive)  # the same check as every other door (workflows/requests/registration.py)
    except InputRefused as refused:
        raise RuleViolation(f"{field_named(refused.field)}：{refused.problem}", "input") from None
    apply(receive, line.received_at, "收到申请（received_at）")
    for index, event in enumerate(line.events):
        where = f"第 {index + 1} 个事件（events[{index}]，{event.type}）"
        if event.at > services_now:
            raise RuleViolation(f"{where}：日期（at）{moment_shown(event.at)} 晚于现在", "chronology")
        try:
            command = command_for(event, correction_default)
        except (RuleViolation, TypeError) as error:
            raise RuleViolation(f"{where}：{getattr(error, 'reason', error)}", getattr(error, "rule", "import")) from None
        apply(command, event.at, where)
    apply(None, services_now, "计时器")
    return Handled(state, produced)


def _pydantic_message(error: ValidationError) -> str:
    first = error.errors()[0]
    path = ""
    for part in first["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return f"{field_named(path) if path else '该行'}：{_reason(first) or _PYDANTIC_WORDS.get(first['type'], '格式不对')}"


def import_file(requests: RequestService, path: Path, actor: User,
                progress: Callable[[str, int, int], None] | None = None) -> int:
    """Import every line or nothing. Returns the number of requests imported."""
    access.require_role(actor, Action.WRITE_REQUEST)  # each line's agency is checked as it is read
    lines = _read_lines(path)
    return import_lines(requests, lines, actor, source=path.name, progress=progress)


def _read_lines(path: Path) -> list[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportRefused(f"{path}：文件不存在") from None
    except UnicodeDecodeError as error:
        raise ImportRefused(f"{path}：不是 UTF-8 编码的文本（第 {error.start} 个字节起）") from None
    # lines end at "\n" only: U+2028 and other separators str.splitlines knows are text inside a JSON string
    return [(number, raw.rstrip("\r")) for number, raw in enumerate(text.split("\n"), start=1) if raw.strip()]


ANALYZE_AFTER = 10_000  # lines


def import_lines(requests: RequestService, lines: Iterable[tuple[int, str]], actor: User, source: str = "导入数据",
                 progress: Callable[[str, int, int], None] | None = None) -> int:
    lines = list(lines)
    if not lines:
        raise ImportRefused(f"{source}：文件中没有申请")
    total = len(lines)
    now = requests.clock.now()
    with requests.engine.begin() as conn:
        reference = requests.store.start_write(conn)
        calendar = requests.calendar(conn)
        agencies = {row.slug: row.correction_period_days for row in conn.execute(select(agencies_table))}
        roles = {row.username: row.role for row in conn.execute(select(users_table.c.username, users_table.c.role))}
        seen: set[str] = set()
        replayed: list[Handled] = []
        writable: set[str] = set()
        for done, (number, raw) in enumerate(lines, start=1):
            where = f"{source} 第 {number} 行"
            line = _parse_line(raw, where, agencies, seen)
            if line.agency not in writable:  # staff import only the requests of their agencies
                _require_agency(conn, actor, line.agency, f"{where}（{line.id}）")
                writable.add(line.agency)
            _check_approvers(line, roles, where)
            try:
                replayed.append(replay_line(line, now, calendar, agencies[line.agency], source))
            except RuleViolation as error:
                raise ImportRefused(f"{where}（{line.id}）：{refusal_text(error)}；未导入任何内容") from None
            if progress and (done % 1000 == 0 or done == total):
                progress("replay", done, total)
        _refuse_existing(conn, [r.state.request_id for r in replayed], source)
        for start in range(0, total, CHUNK):
            chunk = replayed[start:start + CHUNK]
            # the streams are new (checked above): no version look-ups
            requests.commit(conn, [Pending(NEW_REQUEST, handled) for handled in chunk], actor.username,
                            check_versions=False, reference=reference)
            if progress:
                progress("write", min(start + CHUNK, total), total)
    if total >= ANALYZE_AFTER and requests.engine.dialect.name == "postgresql":
        # fresh planner statistics, or the first reports plan for the tables as they were before the import
        with requests.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE events")
            conn.exec_driver_sql("ANALYZE requests")
    return total


NEW_REQUEST = Loaded(RequestState(), 0)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    keys = [k for k, _ in pairs]
    duplicate = next((k for k in keys if keys.count(k) > 1), None)
    if duplicate is not None:
        raise ValueError(f"键“{duplicate[:40]}”在同一对象中出现了两次")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} 不是数字（JSON 中没有 NaN 或 Infinity）")


def _check_text(value: Any, path: str = "") -> None:
    """Every string of the line: valid Unicode without control characters, within its column's limit."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, f"{path}(key)")
            _check_text(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_text(item, f"{path}[{index}]")
    elif isinstance(value, str):
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
            raise ValueError(f"{field_named(path)}：含有孤立的代理字符（\\uD800–\\uDFFF），不是有效的文本")
        bad = next((ch for ch in value if ord(ch) < 32 and ch not in "\t\n\r" or ord(ch) == 0x7F), None)
        if bad is not None:
            raise ValueError(f"{field_named(path)}：含有不可见的控制字符 U+{ord(bad):04X}，请删除")
        limit = limit_of(path.rsplit(".", 1)[-1].split("[")[0])  # the column's (workflows/requests/input_limits.py)
        if len(value) > limit:
            raise ValueError(f"{field_named(path)}：最长 {limit} 个字符，这里有 {len(value)} 个")


def _parse_line(raw: str, where: str, agencies: dict[str, int], seen: set[str]) -> LineIn:
    if len(raw) > MAX_LINE:
        raise ImportRefused(f"{where}：该行有 {len(raw)} 个字符，最长 {MAX_LINE} 个")
    try:
        record = json.loads(raw, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
        _check_text(record)
    except json.JSONDecodeError as error:
        raise ImportRefused(f"{where}：不是有效的 JSON（第 {error.colno} 列）") from None
    except RecursionError:
        raise ImportRefused(f"{where}：JSON 嵌套太深，不是一件申请") from None
    except ValueError as error:
        raise ImportRefused(f"{where}：{error}") from None
    try:
        line = LineIn.model_validate(record)
    except ValidationError as error:
        raise ImportRefused(f"{where}：{_pydantic_message(error)}") from None
    if line.agency not in agencies:
        raise ImportRefused(f"{where}：受理机关（agency）“{line.agency}”不存在，请先由管理员添加该机关")
    if line.id in seen:
        raise ImportRefused(f"{where}：申请编号（id）“{line.id}”在文件中出现了两次")
    seen.add(line.id)
    return line


def _require_agency(conn: Connection, actor: User, agency: str, where: str) -> None:
    try:
        access.require(conn, actor, Action.WRITE_REQUEST, agency)
    except PermissionDenied as refused:
        raise PermissionDenied(f"{where}：{refused}；未导入任何内容") from None


def _check_approvers(line: LineIn, roles: dict[str, str], where: str) -> None:
    """An approver who is a user of ogi must be a head or an administrator, as on the command line (Art. 33).

    A name that is no user (an earlier system's free text) is kept as recorded: the history is what it is.
    """
    for index, event in enumerate(line.events):
        role = roles.get(event.approved_by or "") if event.type == "extended" else None
        if role is not None and role not in APPROVING_ROLES:
            raise ImportRefused(f"{where}（{line.id}）：第 {index + 1} 个事件（events[{index}]，extended）：批准人"
                                f"（approved_by）“{event.approved_by}”的角色是{_role_label(role)}，"
                                "延长答复期限须经负责人同意（依据：《条例》第三十三条第二款）")


def _role_label(role: str) -> str:
    return next((label for known, label in ROLE_LABELS.items() if known == role), role)


def _refuse_existing(conn: Connection, ids: list[str], source: str) -> None:
    for start in range(0, len(ids), 500):
        clash = conn.execute(
            select(requests_table.c.request_id).where(requests_table.c.request_id.in_(ids[start:start + 500])).limit(1)
        ).scalar()
        if clash:
            raise ImportRefused(f"{source}：编号为“{clash}”的申请已经存在，未导入任何内容")
