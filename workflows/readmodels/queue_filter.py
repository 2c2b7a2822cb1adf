"""The search and filters of 申请列表 (/requests): what a clerk may ask of the queue, read from GET parameters and
checked, each refusal in Chinese naming the field.

Dates are read as a clerk types them: 2026-12-01, 2026/12/1, 2026.12.1 or 2026年12月1日, full-width digits too (NFKC).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace

from workflows.foi.identifiers import InputRefused, text_problem
from workflows.foi.state import CONCLUDED_STAGES, OPEN_STAGES, STAGE_LABELS

PER_PAGE = 50
MAX_PAGE = 100_000
SEARCH_MAX = 100  # characters of a name or id searched for (the columns hold at most 200)
STATUS_LABELS = {"open": "办理中", "concluded": "已办结", "all": "全部"}
STAGE_CHOICES = {stage.value: STAGE_LABELS[stage] for stage in (*OPEN_STAGES, *CONCLUDED_STAGES)}
FIELD_LABELS = {"applicant": "申请人", "request_id": "申请编号", "received_from": "收到日期（起）",
                "received_to": "收到日期（止）", "stage": "状态", "status": "办结情况", "agency": "机关", "page": "页码"}
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


@dataclass(frozen=True)
class QueueFilter:
    applicant: str = ""  # part of the applicant's name (the list still shows it masked)
    request_id: str = ""  # part of the request id
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    stage: str = ""  # one stage; when given, `status` is not applied
    status: str = "open"  # open, concluded or all
    agency: str = ""
    page: int = 1

    def as_query(self, **changes) -> dict[str, str]:
        """The GET parameters of this filter (with `changes`), blanks left out: the links of the pages."""
        chosen = replace(self, **changes)
        values = {name: getattr(chosen, name) for name in FIELD_LABELS}
        return {name: value.isoformat() if isinstance(value, dt.date) else str(value)
                for name, value in values.items() if value not in ("", None) and not (name == "page" and value == 1)
                and not (name == "status" and value == "open")}


def parse_queue_filter(values: Mapping[str, str]) -> QueueFilter:
    """The filter of the GET parameters `values` (unknown ones ignored), or InputRefused naming the field."""
    text = {name: _text(name, values.get(name, "")) for name in FIELD_LABELS}
    received_from = _date("received_from", text["received_from"])
    received_to = _date("received_to", text["received_to"])
    if received_from and received_to and received_from > received_to:
        raise InputRefused(FIELD_LABELS["received_to"], f"不能早于收到日期（起）{received_from.isoformat()}")
    stage = text["stage"]
    if stage and stage not in STAGE_CHOICES:
        raise InputRefused(FIELD_LABELS["stage"], "请从列表中选择状态：" + "、".join(STAGE_CHOICES.values()))
    status = text["status"] or "open"
    if status not in STATUS_LABELS:
        raise InputRefused(FIELD_LABELS["status"], "请选择“办理中”“已办结”或“全部”")
    return QueueFilter(applicant=text["applicant"], request_id=text["request_id"], received_from=received_from,
                       received_to=received_to, stage=stage, status=status, agency=text["agency"],
                       page=_page(text["page"]))


def _text(name: str, value: str) -> str:
    problem = text_problem(value, SEARCH_MAX, multiline=False)
    if problem:
        raise InputRefused(FIELD_LABELS[name], problem)
    return unicodedata.normalize("NFKC", value).strip()


def _date(name: str, value: str) -> dt.date | None:
    if not value:
        return None
    match = _DATE.fullmatch(value)
    try:
        if match is None:
            raise ValueError(value)
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise InputRefused(FIELD_LABELS[name], "不是有效的日期，请按 2026-12-01 的格式填写") from None


def _page(value: str) -> int:
    if not value:
        return 1
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_PAGE:
        raise InputRefused(FIELD_LABELS["page"], f"请填写 1 至 {MAX_PAGE} 之间的整数")
    return int(value)
