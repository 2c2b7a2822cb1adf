"""The staff steps as forms (web pages and the JSON API alike): which steps a request's stage allows, the fields of
each with their choices, and a command built from submitted values with an error that names the field.

Read from the workflow definition and the command classes, so a new step appears on the pages by itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from engine.errors import OgiError
from workflows.foi import commands as c
from workflows.foi.definition import WORKFLOW
from workflows.foi.guidance import Paper, guide
from workflows.foi.state import RequestState, Stage
from workflows.foi.vocabulary import (
    CASE_RESULT_LABELS,
    CONSULTED_PARTY_LABELS,
    DELIVERY_LABELS,
    FEE_METHOD_LABELS,
    NOTICE_LABELS,
    OPINION_LABELS,
    OUTCOME_SHORT_LABELS,
    PROVISION_FORM_LABELS,
    RECORD_CORRECTION_LABELS,
)
from workflows.requests.importer import parse_moment

FIELD_LABELS = {
    "period_days": "补正期限（工作日，空则用本机关默认）", "party": "征求对象", "opinion": "意见", "amount_yuan": "金额（元）",
    "method": "方式", "working_days": "延长工作日", "outcome": "答复结果",
    "reasons": "理由", "responsible_agency": "掌握该信息的机关及联系方式", "form_provided": "提供形式",
    "form_reason": "未按申请形式提供的理由", "case": "案号", "result": "结果", "after_review": "经复议后起诉",
    "notice": "通知书", "reasonable": "理由合理", "reply_days": "合理的答复期限（工作日）",
    "competent_agency": "有权更正的机关", "version": "撤销第几项（办理记录中的序号）", "reason": "理由", "department": "部门",
    "due_on": "协办期限", "note": "说明", "served_on": "送达日（邮寄为交邮日）",
    "content": "补正内容", "party_name": "征求对象名称（第三方或机关）", "party_address": "征求对象地址",
    # the fields of the document and approval commands (their forms are the 文书 section's and 审批's, yet a refusal
    # or the API names them as well)
    "doc_type": "文书类型", "text": "正文", "number": "文号", "text_hash": "正文校验值", "tracking_no": "邮件单号",
    "posted_on": "交邮日期", "signed_on": "签收日期", "approval_id": "审批编号",
    "evidence": "送达凭证（电子送达时填写到达申请人系统的时间）",
}
# (command, field) → the allowed values with their labels; a field of this name in any other command: `_ANY`
_CHOICES: dict[tuple[str, str], Mapping[str, str]] = {
    (c.Deliver.name, "method"): DELIVERY_LABELS,
    (c.NotifyFee.name, "method"): FEE_METHOD_LABELS,
    (c.DecideRecordCorrection.name, "result"): RECORD_CORRECTION_LABELS,
    (c.RecordNoticeReceipt.name, "notice"): NOTICE_LABELS,
}
_ANY: dict[str, Mapping[str, str]] = {"party": CONSULTED_PARTY_LABELS, "opinion": OPINION_LABELS,
                                      "outcome": OUTCOME_SHORT_LABELS, "result": CASE_RESULT_LABELS,
                                      "form_provided": PROVISION_FORM_LABELS}
KIND_WORDS = {"number": "整数", "decimal": "数字", "date": "日期（如 2026-12-01）"}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # text | number | decimal | checkbox | date | select
    required: bool
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class StepForm:
    """A step offered on a request's page. `takes_form`: filled in and taken here; else its paper carries it
    (workflows/foi/guidance.py), and `paper` says how far the paper has come."""

    command: str
    label: str
    article: str
    fields: tuple[Field, ...]
    primary: bool = False  # one of the next legal steps (else 其他操作)
    when: str = ""  # when it applies, in a few words
    paper: Paper | None = None
    takes_form: bool = True


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


def offered_steps(state: RequestState, departments: Mapping[str, str] | None = None) -> list[StepForm]:
    """The steps the request's page offers now: the next legal steps first (workflows/foi/guidance.py), each with
    the paper it needs, then 其他操作; none the state already refuses. `departments` (code → name, of the request's
    agency): a department is chosen by its name, never typed as its code."""
    allowed = {form.command: _with_departments(form, departments)
               for form in steps_for(state.stage, imported=bool(state.imported_from))}
    guidance = guide(state, allowed, {name: (form.label, form.article) for name, form in allowed.items()})
    offered = []
    for step in (*guidance.next, *guidance.other):
        form = allowed.get(step.command) if step.command else None
        offered.append(StepForm(step.key, step.label if step.primary else (form.label if form else step.label),
                                step.article, form.fields if form else (), step.primary, step.when, step.paper,
                                takes_form=form is not None))
    return offered


def _with_departments(form: StepForm, departments: Mapping[str, str] | None) -> StepForm:
    if not departments or not any(f.name == "department" for f in form.fields):
        return form
    choices = tuple(departments.items())
    fields = tuple(dataclasses.replace(f, kind="select", choices=choices) if f.name == "department" else f
                   for f in form.fields)
    return dataclasses.replace(form, fields=fields)


def command_from(name: str, values: Mapping[str, object], at: dt.datetime) -> c.Command:
    """The command `name` from submitted values (form text or JSON); an unknown or malformed field is named."""
    cls = c.STAFF_COMMANDS.get(name)
    if cls is None:
        raise OgiError(f"没有名为“{name[:40]}”的办理步骤")
    given: dict[str, object] = {}
    for field in fields_of(cls):
        raw = values.get(field.name)
        if field.kind == "checkbox":
            given[field.name] = raw in (True, "on", "true", "1", 1)
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if field.required:
                raise OgiError(f"请填写“{field.label}”（{_step_label(name)}）")
            continue
        given[field.name] = _parse(field, raw, name)
    named_approver = "approved_by" in cls.__dataclass_fields__
    if named_approver and values.get("approved_by"):
        given["approved_by"] = str(values["approved_by"])  # taken only to be refused with the way (RequestService)
    unknown = set(values) - {f.name for f in fields_of(cls)} - {"csrf_token", "at"} - (
        {"approved_by"} if named_approver else set())
    if unknown:
        raise OgiError(f"“{_step_label(name)}”没有“{sorted(unknown)[0][:40]}”一项")
    return cls(at=happened_at(values.get("at"), at), **given)


def happened_at(raw: object, now: dt.datetime) -> dt.datetime:
    """When a step happened (办理日期, `at` of a form or an API body): blank or today is now, so it follows today's
    steps; a past day is its start, as `ogi request act --at DAY`; a moment as given. The future and an order the
    log does not allow are refused by the workflow (the chronology rule), like every back-entered step."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()  # full-width digits as an input method types them
    if not text:
        return now
    try:
        moment = parse_moment(text)  # the import's reading: a date, or an ISO time (an aware one in Shanghai time)
    except ValueError as error:
        raise OgiError(f"办理日期：{error}") from None
    return now if len(text) == 10 and moment.date() == now.date() else moment


def _parse(field: Field, raw: object, step: str) -> object:
    try:
        if field.kind == "number":
            return int(str(raw))
        if field.kind == "decimal":
            return float(str(raw))
        if field.kind == "date":
            return dt.date.fromisoformat(str(raw)).isoformat()
    except ValueError:
        raise OgiError(f"“{field.label}”应填{KIND_WORDS.get(field.kind, field.kind)}，“{str(raw)[:40]}”不是"
                       f"（{_step_label(step)}）") from None
    value = str(raw).strip()
    if field.choices and value not in {k for k, _ in field.choices}:
        raise OgiError(f"“{field.label}”只能选：{'、'.join(words for _, words in field.choices)}"
                       f"（{_step_label(step)}）")
    return value


def _step_label(command: str) -> str:
    """The step's name in words (its workflow row's label, before any explanation in brackets)."""
    row = next((r for r in WORKFLOW.transitions if r.command == command), None)
    return row.label.split("（")[0] if row else "该步骤"


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
