"""`ogi demo load`: the embedded default set up with demo data, idempotently (for `make run`).

The seed agency, the shared 2023 example (when it is found) and generated requests around today, so that
there is work in every state.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from engine.errors import OgiError
from workflows.foi.identifiers import id_check_digit
from workflows.people.accounts import ADMIN_USERNAME, Role
from workflows.people.directory import Directory
from workflows.requests.importer import import_file, import_lines
from workflows.requests.queries import RequestQueries
from workflows.requests.service import RequestService

DEMO_SOURCES = frozenset({"demo", "hedong-2023.jsonl"})  # the `imported_from` of what demo load writes
REPO = Path(__file__).resolve().parents[2]
EXAMPLE_CANDIDATES = [REPO.parent / "shared" / "examples" / "hedong-2023.jsonl", REPO / "examples" / "hedong-2023.jsonl"]

DEMO_AGENCY = ("hedong-xzsp", "河东区行政审批服务局")
DEMO_STAFF = (("zhang", Role.STAFF, "张经办"), ("li", Role.HEAD, "李主任"), ("wang", Role.AUDITOR, "王审计"))
DEMO_DOCUMENTS = dict(doc_prefix="河东审批", review_body="河东区人民政府", court="河东区人民法院")
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

_NAMES = ["张伟", "李娜", "王强", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴昊", "徐丽"]


def _id_number(first17: str) -> str:
    return first17 + id_check_digit(first17)  # a valid number (GB 11643): registration checks it


def demo_lines(today: dt.date) -> list[dict]:
    slug = DEMO_AGENCY[0]
    lines = []
    for number, (kind, channel, subject, received_before, steps) in enumerate(_SCENARIOS, start=1):
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


def load_demo(directory: Directory, requests: RequestService, queries: RequestQueries,
              example: Path | None = None) -> list[str]:
    """Set up everything `make run` shows; returns what was done, line by line. Repeating it changes nothing."""
    said = []
    initialised = directory.initialise()
    requests.seal_unsealed_rows()
    real = queries.requests_not_from(DEMO_SOURCES)
    if real:
        raise OgiError(f"this database holds {real} requests that are not demo data ({requests.engine.url}); "
                       "ogi demo load writes only into an empty or demo database")
    if initialised.created_admin:
        shown = f"(shown once): {initialised.generated_password}" if initialised.generated_password else "from OGI_ADMIN_PASSWORD"
        said.append(f"administrator '{ADMIN_USERNAME}' added; password {shown}")
    admin = directory.user(ADMIN_USERNAME)
    if directory.ensure_agency(admin, *DEMO_AGENCY):
        directory.set_agency(admin, DEMO_AGENCY[0], **DEMO_DOCUMENTS)  # what its documents say (numbers, remedies)
        for code, name in DEMO_DEPARTMENTS:
            directory.add_department(admin, DEMO_AGENCY[0], code, name)
        said.append(f"agency {DEMO_AGENCY[0]} added with its document settings and departments")
    for username, role, name in DEMO_STAFF:  # who gets the demo's tasks, reminders and 督办 alerts in their inbox
        agencies = [] if role == Role.AUDITOR else [DEMO_AGENCY[0]]
        password = directory.ensure_user(admin, username, role, name, agencies)
        if password:
            said.append(f"user '{username}' ({name}, {role.value}) added; password (shown once): {password}")
    existing = queries.request_count()
    if existing:
        return said + [f"demo data already loaded ({existing} requests in {requests.engine.url})"]
    example = example or next((p for p in EXAMPLE_CANDIDATES if p.exists()), None)
    if example:
        count = import_file(requests, example, admin)
        said.append(f"imported {count} requests from {example}")
    today = requests.clock.now().date()
    lines = [(n, json.dumps(line, ensure_ascii=False)) for n, line in enumerate(demo_lines(today), 1)]
    count = import_lines(requests, lines, admin, source="demo")
    said.append(f"generated {count} open and recent requests around today")
    return said
