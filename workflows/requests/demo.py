"""`ogi demo load`: the embedded default set up with demo data, idempotently (for `make run`).

The seed agency, its users with the one demo password the README gives (OGI_DEMO_PASSWORD, default ogi-demo), the
shared 2023 example (when it is found) and generated requests around today, so that there is work in every state.
The 2023 requests are a past year's closed files: the example records their decisions only, so the demo records
each reply as served on the day it was decided (which keeps every figure of the 2023 report and its timeliness),
and 待办 holds the open work of today: a few requests overdue, a few due in the coming days, the rest later.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from engine.calendar import WorkingCalendar
from engine.errors import OgiError
from workflows.foi.identifiers import id_check_digit
from workflows.people.accounts import ADMIN_USERNAME, Role, User
from workflows.people.directory import Directory
from workflows.requests.importer import import_lines
from workflows.requests.queries import RequestQueries
from workflows.requests.service import RequestService

DEMO_SOURCES = frozenset({"demo", "hedong-2023.jsonl"})  # the `imported_from` of what demo load writes
REPO = Path(__file__).resolve().parents[2]
EXAMPLE_CANDIDATES = [REPO.parent / "shared" / "examples" / "hedong-2023.jsonl", REPO / "examples" / "hedong-2023.jsonl"]

DEMO_PASSWORD = "ogi-demo"  # the README's; OGI_DEMO_PASSWORD sets another
DEMO_AGENCY = ("hedong-xzsp", "河东区行政审批服务局")
DEMO_STAFF = (("zhang", Role.STAFF, "张经办"), ("li", Role.HEAD, "李主任"), ("wang", Role.AUDITOR, "王审计"))
DEMO_DOCUMENTS = dict(doc_prefix="河东审批", review_body="河东区人民政府", court="河东区人民法院")
# how the demo agency's fees are paid, shown on the applicant's page (it takes applications on /apply: issue 20)
DEMO_PAYMENT_INFO = ("请通过“河东区政务服务网—统一支付平台”缴纳，或到河东区行政审批服务局受理窗口现场缴纳"
                     "（工作日 9:00—17:00）")
DEMO_DEPARTMENTS = (("bangongshi", "办公室"), ("zhengce", "政策法规科"))

# (applicant kind, channel, subject, [(event type, days before today, extra fields)], received days before today)
_SCENARIOS: list[tuple[str, str, str, int, list[tuple[str, int, dict]]]] = [
    ("natural_person", "online", "申请公开本区2026年建设项目环评审批清单", 3, []),
    ("commercial", "in_person", "申请公开某地块规划条件核实材料", 10,
     [("correction_requested", 8, {"period_days": 15})]),
    ("natural_person", "post_signed", "申请公开某事项办理情况", 60,
     [("correction_requested", 58, {"period_days": 10})]),
    ("natural_person", "online", "申请公开某企业排污许可申请材料", 12,
     [("consultation_started", 5, {"party": "third_party"})]),
    ("research", "email", "申请公开近五年行政许可统计数据", 9,
     [("fee_notified", 4, {"amount_yuan": 1700, "method": "by_volume"})]),
    ("legal_services", "online", "申请公开某项目施工许可审批全套材料", 30,
     [("extended", 5, {"working_days": 20, "approved_by": "李主任"})]),
    ("natural_person", "in_person", "申请公开政务服务中心窗口人员配置文件", 40, []),
    ("public_interest", "online", "申请公开本局2025年度行政许可事项目录", 15,
     [("decided", 2, {"outcome": "disclosed"})]),
    ("natural_person", "post_signed", "申请公开某小区规划许可批后公示材料", 20,
     [("decided", 6, {"outcome": "partial"}), ("delivered", 5, {"method": "post"})]),
    ("other_org", "online", "申请公开某药店经营许可现场核查记录", 7, [("withdrawn", 1, {})]),
    ("natural_person", "in_person", "申请公开某会议讨论记录", 90,
     [("decided", 70, {"outcome": "withheld.process_info"}), ("delivered", 69, {"method": "in_person"}),
      ("review_filed", 30, {"case": "河政复〔2026〕001号"})]),
]

# registered in person so many working days before their reply is due (Art. 33: 20 working days): the work of the
# coming days, amber and green in 待办
_DUE_SOON: list[tuple[str, str, int]] = [
    ("natural_person", "申请公开某道路改造工程的竣工验收备案材料", 1),
    ("commercial", "申请公开本区2026年度招商引资项目审批情况", 3),
    ("natural_person", "申请公开某养老机构设立许可的审批意见", 6),
]
REPLY_WORKING_DAYS = 20  # Art. 33 ¶2

_NAMES = ["张伟", "李娜", "王强", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴昊", "徐丽", "孙杰", "马琳", "朱涛"]
# how a 2023 reply was served, by how the application came in (delivered's methods, DESIGN §6)
_SERVED_BY = {"in_person": "in_person", "online": "electronic", "email": "electronic", "fax": "electronic"}


def _id_number(first17: str) -> str:
    return first17 + id_check_digit(first17)  # a valid number (GB 11643): registration checks it


def demo_password() -> str:
    return os.environ.get("OGI_DEMO_PASSWORD") or DEMO_PASSWORD


def received_for_due(today: dt.date, working_days_left: int, calendar: WorkingCalendar) -> dt.date:
    """The latest day of receipt whose reply (20 working days after it) is due `working_days_left` working days
    from today."""
    target = calendar.add_working_days(today, working_days_left)
    received = today
    while calendar.add_working_days(received, REPLY_WORKING_DAYS) > target:
        received -= dt.timedelta(days=1)
    return received


def demo_lines(today: dt.date, calendar: WorkingCalendar | None = None) -> list[dict]:
    slug = DEMO_AGENCY[0]
    calendar = calendar or WorkingCalendar({})
    scenarios = list(_SCENARIOS) + [
        (kind, "in_person", subject, (today - received_for_due(today, left, calendar)).days, [])
        for kind, subject, left in _DUE_SOON]
    lines = []
    for number, (kind, channel, subject, received_before, steps) in enumerate(scenarios, start=1):
        day = lambda before: (today - dt.timedelta(days=before)).isoformat()  # noqa: E731
        lines.append({
            "id": f"{slug}-{today.year}-D{number:03d}",
            "agency": slug,
            "applicant": {"kind": kind, "name": _NAMES[number - 1], "id_number": _id_number(f"37131219800101{number:03d}"),
                          "phone": f"1380000{number:04d}"},
            "channel": channel,
            "received_at": day(received_before),
            "subject": subject,
            "events": [{"type": kind_, "at": day(before), **extra} for kind_, before, extra in steps],
        })
    return lines


def served_when_decided(line: dict) -> dict:
    """A past year's line whose decision was never served, with the reply served on the day it was decided."""
    events = line.get("events", [])
    types = {e.get("type") for e in events}
    if "decided" not in types or "delivered" in types or "withdrawn" in types:
        return line
    decided = next(e for e in reversed(events) if e.get("type") == "decided")
    method = _SERVED_BY.get(str(line.get("channel", "")), "post")
    return {**line, "events": [*events, {"type": "delivered", "at": decided["at"], "method": method}]}


def _example_lines(example: Path) -> list[tuple[int, str]]:
    lines = []
    for number, raw in enumerate(example.read_text(encoding="utf-8").split("\n"), start=1):
        if raw.strip():
            lines.append((number, json.dumps(served_when_decided(json.loads(raw)), ensure_ascii=False)))
    return lines


def _demo_accounts(directory: Directory, admin: User, password: str, admin_added: bool, embedded: bool) -> list[str]:
    """The demo's staff added with the demo password; what was added and what was kept, said."""
    said, added = [], [ADMIN_USERNAME] if admin_added else []
    for username, role, name in DEMO_STAFF:  # who gets the demo's tasks, reminders and 督办 alerts in their inbox
        agencies = [] if role == Role.AUDITOR else [DEMO_AGENCY[0]]
        if directory.ensure_user(admin, username, role, name, agencies, password):
            added.append(username)
    if added:
        said.append(f"已添加演示账号：{'、'.join(added)}；密码均为 {password}"
                    + ("（OGI_DEMO_PASSWORD）" if password != DEMO_PASSWORD else "（默认演示密码，可用 OGI_DEMO_PASSWORD 另设）"))
        if not embedded:  # a known password belongs to the embedded demo only
            said.append("注意：演示密码人人皆知，这不是演示用的 SQLite 数据库；正式使用前请用 ogi user reset-password 逐一重置")
    kept = [u for u in (ADMIN_USERNAME, *(s[0] for s in DEMO_STAFF)) if u not in added]
    if kept:
        said.append(f"已有账号保留原密码：{'、'.join(kept)}")
    return said


def load_demo(directory: Directory, requests: RequestService, queries: RequestQueries,
              example: Path | None = None, password: str | None = None) -> list[str]:
    """Set up everything `make run` shows; returns what was done, line by line, in Chinese. Repeating it changes
    nothing. Every account it adds signs in with `password` (default: OGI_DEMO_PASSWORD, else ogi-demo)."""
    password = password or demo_password()
    said = []
    initialised = directory.initialise(password)
    requests.seal_unsealed_rows()
    real = queries.requests_not_from(DEMO_SOURCES)
    if real:
        raise OgiError(f"该数据库（{requests.engine.url}）已有 {real} 件不是演示数据的申请；"
                       "演示数据只装入空数据库或演示数据库")
    admin = directory.user(ADMIN_USERNAME)
    if directory.ensure_agency(admin, *DEMO_AGENCY):
        directory.set_agency(admin, DEMO_AGENCY[0], **DEMO_DOCUMENTS)  # what its documents say (numbers, remedies)
        directory.set_agency(admin, DEMO_AGENCY[0], accepts_online=True, payment_info=DEMO_PAYMENT_INFO)
        for code, name in DEMO_DEPARTMENTS:
            directory.add_department(admin, DEMO_AGENCY[0], code, name)
        said.append(f"已添加机关：{DEMO_AGENCY[1]}（代码 {DEMO_AGENCY[0]}），含文书设置和承办部门")
    said += _demo_accounts(directory, admin, password, initialised.created_admin,
                           embedded=requests.engine.dialect.name == "sqlite")
    existing = queries.request_count()
    if existing:
        return said + [f"演示数据已装入（{requests.engine.url} 中有 {existing} 件申请），未作改动"]
    example = example or next((p for p in EXAMPLE_CANDIDATES if p.exists()), None)
    if example:
        count = import_lines(requests, _example_lines(example), admin, source=example.name)
        said.append(f"已导入 {example} 中的 {count} 件申请（往年已办结，答复书按决定当日送达记录）")
    today = requests.clock.now().date()
    lines = [(n, json.dumps(line, ensure_ascii=False))
             for n, line in enumerate(demo_lines(today, queries.calendar()), 1)]
    count = import_lines(requests, lines, admin, source="demo")
    said.append(f"已生成 {count} 件今日前后的申请（待办中有已逾期、近几日到期和稍后到期的工作）")
    return said
