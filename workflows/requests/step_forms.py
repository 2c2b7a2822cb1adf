"""The staff steps as forms (web pages and the JSON API alike): which steps a request's stage allows, the fields of
each with their choices, and a command built from submitted values with an error that names the field.

Read from the workflow definition and the command classes, so a new step appears on the pages by itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass

from engine.errors import OgiError
from workflows.foi import commands as c
from workflows.foi.definition import WORKFLOW
from workflows.foi.state import Stage
from workflows.foi.vocabulary import (
    OUTCOME_LABELS,
    PROVISION_FORM_LABELS,
    RECORD_CORRECTION_LABELS,
    CaseResult,
    ConsultedParty,
    DeliveryMethod,
    FeeMethod,
    NoticeKind,
    Opinion,
)

FIELD_LABELS = {
    "period_days": "补正期限（工作日，空则用本机关默认）", "party": "征求对象", "opinion": "意见", "amount_yuan": "金额（元）",
    "method": "方式", "working_days": "延长工作日", "outcome": "答复结果",
    "reasons": "理由", "responsible_agency": "掌握该信息的机关及联系方式", "form_provided": "提供形式",
    "form_reason": "未按申请形式提供的理由", "case": "案号", "result": "结果", "after_review": "经复议后起诉",
    "notice": "通知书", "reasonable": "理由合理", "reply_days": "合理的答复期限（工作日）",
    "competent_agency": "有权更正的机关", "version": "撤销的事件序号", "reason": "理由", "department": "部门",
    "due_on": "协办期限（YYYY-MM-DD）", "note": "说明", "served_on": "送达日（YYYY-MM-DD，邮寄为交邮日）",
}
_PARTY: dict[str, str] = {ConsultedParty.THIRD_PARTY: "第三方", ConsultedParty.AGENCY: "其他机关"}
_OPINION: dict[str, str] = {Opinion.CONSENT: "同意", Opinion.OBJECT: "不同意", Opinion.NONE: "未提出意见"}
_CASE: dict[str, str] = {CaseResult.MAINTAINED: "维持", CaseResult.CORRECTED: "纠错", CaseResult.OTHER: "其他"}
# (command, field) → the allowed values with their labels; a field of this name in any other command: `_ANY`
_CHOICES: dict[tuple[str, str], Mapping[str, str]] = {
    (c.Deliver.name, "method"): {DeliveryMethod.IN_PERSON: "当面", DeliveryMethod.POST: "邮寄",
                                 DeliveryMethod.ELECTRONIC: "电子"},
    (c.NotifyFee.name, "method"): {FeeMethod.PER_REQUEST: "按件计收", FeeMethod.BY_VOLUME: "按量计收"},
    (c.DecideRecordCorrection.name, "result"): RECORD_CORRECTION_LABELS,
    (c.RecordNoticeReceipt.name, "notice"): {NoticeKind.CORRECTION: "补正告知书", NoticeKind.FEE: "收费通知书"},
}
_ANY: dict[str, Mapping[str, str]] = {"party": _PARTY, "opinion": _OPINION, "outcome": OUTCOME_LABELS,
                                      "result": _CASE, "form_provided": PROVISION_FORM_LABELS}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # text | number | decimal | checkbox | date | select
    required: bool
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class StepForm:
    command: str
    label: str
    article: str
    fields: tuple[Field, ...]


def _kind(annotation) -> str:
    base = {int: "number", float: "decimal", bool: "checkbox", str: "text"}
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return base.get(annotation, "text")


# never a field of a form: the approver is the signed-in head (审批), not a name typed in (DESIGN §9)
NOT_FORM_FIELDS = frozenset({"at", "approved_by"})
# recorded by a document, not as a step of their own on a live request: the decision is the issued reply's (印发)
RECORDED_BY_DOCUMENTS = frozenset({c.Decide.name})


def fields_of(cls: type[c.Command]) -> tuple[Field, ...]:
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        if f.name in NOT_FORM_FIELDS or hints[f.name] in (dict, dict | None):
            continue
        choices = _CHOICES.get((cls.name, f.name)) or _ANY.get(f.name)
        kind = "select" if choices else ("date" if f.name in ("due_on", "served_on") else _kind(hints[f.name]))
        out.append(Field(f.name, FIELD_LABELS.get(f.name, f.name), kind, not c.has_default(cls, f.name),
                         tuple((str(k), v) for k, v in choices.items()) if choices else ()))
    return tuple(out)


def steps_for(stage: Stage, imported: bool = False) -> list[StepForm]:
    """The staff steps the workflow allows from `stage`, in the order of the definition; on a live request (not
    `imported`) without the decision, which issuing the approved reply records."""
    allowed = set(WORKFLOW.commands_from(stage)) - (set() if imported else RECORDED_BY_DOCUMENTS)
    return [StepForm(row.command, row.label, row.article, fields_of(c.STAFF_COMMANDS[row.command]))
            for row in WORKFLOW.transitions if row.command in allowed and row.command in c.STAFF_COMMANDS
            and stage in row.sources]


def command_from(name: str, values: Mapping[str, object], at: dt.datetime) -> c.Command:
    """The command `name` from submitted values (form text or JSON); an unknown or malformed field is named."""
    cls = c.STAFF_COMMANDS.get(name)
    if cls is None:
        raise OgiError(f"unknown step '{name}'; one of: {', '.join(sorted(c.STAFF_COMMANDS))}")
    given: dict[str, object] = {}
    for field in fields_of(cls):
        raw = values.get(field.name)
        if field.kind == "checkbox":
            given[field.name] = raw in (True, "on", "true", "1", 1)
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if field.required:
                raise OgiError(f"{name} needs {field.name} ({field.label})")
            continue
        given[field.name] = _parse(field, raw, name)
    named_approver = "approved_by" in cls.__dataclass_fields__
    if named_approver and values.get("approved_by"):
        given["approved_by"] = str(values["approved_by"])  # taken only to be refused with the way (RequestService)
    unknown = set(values) - {f.name for f in fields_of(cls)} - {"csrf_token", "at"} - (
        {"approved_by"} if named_approver else set())
    if unknown:
        raise OgiError(f"{name} has no field {sorted(unknown)[0]}")
    return cls(at=at, **given)


def _parse(field: Field, raw: object, step: str) -> object:
    try:
        if field.kind == "number":
            return int(str(raw))
        if field.kind == "decimal":
            return float(str(raw))
        if field.kind == "date":
            return dt.date.fromisoformat(str(raw)).isoformat()
    except ValueError:
        raise OgiError(f"{step}: {field.name} ({field.label}) '{raw}' is not a valid {field.kind}") from None
    value = str(raw).strip()
    if field.choices and value not in {k for k, _ in field.choices}:
        raise OgiError(f"{step}: {field.name} '{value}' is not one of {', '.join(k for k, _ in field.choices)}")
    return value


def event_labels() -> dict[str, str]:
    """Each event type in words, from the label of the workflow row of the step that records it (timelines)."""
    commands: dict[str, type[c.Command]] = {**c.STAFF_COMMANDS, **c.DOCUMENT_COMMANDS, **c.APPROVAL_COMMANDS,
                                            c.Receive.name: c.Receive}
    labels = {"period_lapsed": "期限届满（计时器）", "deadlines_recomputed": "日历数据更新，期限重算",
              "system_events_withdrawn": "撤回系统事件（按补录的步骤重算）"}
    for row in WORKFLOW.transitions:
        cls = commands.get(row.command)
        if cls is not None:
            labels.setdefault(str(cls.event_type), row.label.split("（")[0])
    return labels
