"""Requests: import histories, register and work requests, the queue, deadlines, history, and the timer sweep."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.common import acting_user, app, moment, reading_user, render
from workflows.foi import commands as c
from workflows.foi.approvals import APPROVABLE
from workflows.foi.citations import cite
from workflows.foi.state import STAGE_LABELS
from workflows.foi.vocabulary import (
    OUTCOME_SHORT_LABELS,
    SERVICE_METHOD_LABELS,
    SUSPENSION_LABELS,
    ApplicantKind,
    Channel,
    NoticeKind,
    Procedure,
    ProvisionForm,
)
from workflows.foi.wording import step_name
from workflows.requests.importer import import_file


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@acting_user
def import_command(file: Path, user) -> None:
    """Import requests with their whole history (JSON Lines, DESIGN §6); all or nothing."""
    def progress(phase: str, done: int, total: int) -> None:
        if total >= 1000:
            label = "校验重放" if phase == "replay" else "写入"
            click.echo(f"\r{label}: {done}/{total}", nl=done == total, err=True)

    count = import_file(app().requests, file, user, progress)
    click.echo(f"已从 {file} 导入 {count} 件申请")


@click.command("history")
@click.argument("request_id")
@click.option("--as-of", help="replay as the request stood at this date or ISO datetime (business time)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reading_user
def history_command(request_id, as_of, fmt, user) -> None:
    """Replay one request: every event with actor and time, and its state and deadlines.

    ID numbers and phones are always masked; the applicant's name and contact details are shown only to staff of
    the request's agency (`--as`)."""
    data = app().queries.history(request_id, moment(as_of) if as_of else None, user)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(history_text(data, app().queries.told(data)), nl=False)


def history_text(data: dict, told: tuple | None = None) -> str:
    """The history as text; with `told` (RequestQueries.told of `data`) in words: each event in a sentence, the agency
    by its name, the outcome in short words, and the codes only in --format json."""
    events = [{**event, "summary": _summary(event["payload"])} for event in data["events"]]
    if told is None:
        return render("cli/history.txt.j2", h={**data, "events": events})
    names, narrated = told
    sentences = {n.version: n.sentence for n in narrated}
    events = [{**event, "sentence": sentences.get(event["version"])} for event in events]
    outcome_words = OUTCOME_SHORT_LABELS.get(data["outcome"]) if data.get("outcome") else None
    return render("cli/history.txt.j2", h={**data, "events": events, "agency_name": names.agencies.get(data["agency"]),
                                           "outcome_words": outcome_words})


def _summary(payload: dict) -> str:
    keys = ("outcome", "party", "opinion", "amount_yuan", "method", "working_days", "approved_by", "period_days",
            "case", "result", "period", "due", "reason", "flags", "versions", "untrue", "notice", "reasonable",
            "reply_days", "reasons", "responsible_agency", "form_provided", "form_reason", "competent_agency",
            "doc_type", "number", "tracking_no", "signed_on", "approval_id", "kind", "step")
    return " ".join(f"{k}={payload[k]}" for k in keys if payload.get(k) not in (None, "", []))


@click.group()
def request() -> None:
    """Register requests and record each statutory step."""


@request.command("new")
@click.option("--id", "request_id", required=True)
@click.option("--agency", required=True)
@click.option("--kind", type=click.Choice([k.value for k in ApplicantKind]), required=True, help="applicant kind")
@click.option("--name", required=True, help="applicant's name")
@click.option("--id-number")
@click.option("--phone")
@click.option("--email")
@click.option("--channel", type=click.Choice([ch.value for ch in Channel]), required=True)
@click.option("--received-at", help="date or datetime the application arrived (default: now)")
@click.option("--confirmed-at", help="Art. 31 confirmation (post_plain, online, fax, email)")
@click.option("--subject", required=True, help="the information asked for")
@click.option("--form", "form_requested", type=click.Choice([f.value for f in ProvisionForm]),
              help="Art. 40: the form asked for")
@click.option("--assisted-by", help="Art. 43: who wrote the application down for the applicant")
@click.option("--procedure", type=click.Choice([p.value for p in Procedure]), default=None,
              help="record_correction: a request to correct records about the applicant (Art. 41)")
@acting_user
def request_new(request_id, agency, kind, name, id_number, phone, email, channel, received_at, confirmed_at, subject,
                form_requested, assisted_by, procedure, user):
    """Register a new request (收到申请, Art. 31)."""
    ogi = app()
    applicant = {k: v for k, v in dict(kind=kind, name=name, id_number=id_number, phone=phone, email=email).items() if v}
    def command(now):
        return c.Receive(at=moment(received_at) or now, request_id=request_id, agency=agency, applicant=applicant,
                         channel=channel, subject=subject, confirmed_at=moment(confirmed_at),
                         form_requested=form_requested, assisted_by=assisted_by, procedure=procedure)

    state = ogi.requests.receive(command, user)  # without --at: the time after the write lock
    reply = state.deadlines.get("reply")
    provisional = "（按暂定日历计算）" if reply and reply.provisional else ""
    click.echo(f"申请 {request_id} 已登记；答复期限 {reply.due if reply else '—'}{provisional}")


@request.command("act")
@click.argument("request_id")
@click.argument("command", type=click.Choice(sorted(c.STAFF_COMMANDS)))
@click.option("--at", help="when it happened (date or ISO datetime; default: now)")
@click.option("--period-days", type=int, help="request_correction: applicant's period (default: the agency's)")
@click.option("--party", type=click.Choice(["third_party", "agency"]), help="start_consultation (default third_party), end_consultation")
@click.option("--opinion", type=click.Choice(["consent", "object", "none"]), help="end_consultation")
@click.option("--amount", "amount_yuan", type=float, help="notify_fee: amount in yuan")
@click.option("--method", help="notify_fee: per_request|by_volume; deliver: in_person|post|electronic")
@click.option("--working-days", type=int, help="extend: 1–20 working days (default 20)")
@click.option("--approved-by", hidden=True, help="not taken: a head approves in 审批 (ogi approval approve)")
@click.option("--outcome", help="decide: one of the 21 outcome codes")
@click.option("--case", help="review/litigation case number")
@click.option("--result", help="close_review/close_litigation: maintained|corrected|other; "
              "decide_record_correction: corrected|not_corrected|referred|directed (Art. 41)")
@click.option("--competent-agency", help="decide_record_correction: the agency that may correct the record (Art. 41)")
@click.option("--after-review", is_flag=True, help="file_litigation: suit after an administrative review")
@click.option("--notice", type=click.Choice([n.value for n in NoticeKind]),
              help="record_notice_receipt: the notice the applicant received (--at: the day)")
@click.option("--reasonable/--unreasonable", default=None, help="receive_reasons: how the reasons were judged (Art. 35)")
@click.option("--reply-days", type=int, help="receive_reasons: the agency's reply period in working days (Art. 35)")
@click.option("--reasons", help="decide: why (part of) the information is not provided (Art. 36(3), 37)")
@click.option("--responsible-agency", help="decide: the agency holding the information, with contact (Art. 36(5))")
@click.option("--form", "form_provided", type=click.Choice([f.value for f in ProvisionForm]), help="decide: Art. 40")
@click.option("--form-reason", help="decide: why not in the form asked for (Art. 40)")
@click.option("--version", "version", type=int, help="void_step: the step to void (its v number in ogi history)")
@click.option("--reason", help="void_step: what was wrong with it; extend: why longer is needed; "
              "transfer_department, send_back: why")
@click.option("--department", help="assign_department, transfer_department, request_assistance, answer_assistance")
@click.option("--due-on", help="request_assistance: the assisting department's due day (YYYY-MM-DD)")
@click.option("--note", help="answer_assistance: what the assisting department answered")
@click.option("--served-on", help="deliver: the legal service day (post: the day handed to the post office, 235号)")
@click.option("--tracking-no", help="deliver by post: the postal tracking number of the issued reply")
@acting_user
def request_act(request_id, command, at, tracking_no, user, **options):
    """Record one step on a request, e.g. `ogi request act HD-1 decide --outcome disclosed`."""
    ogi = app()
    if command == "deliver" and _serve_issued_reply(request_id, at, tracking_no, user, options):
        return
    if command == c.ConfirmReceipt.name:
        _confirm(request_id, at, user)
        return
    cls = c.STAFF_COMMANDS[command]
    fields = {k: v for k, v in options.items() if v is not None and k in cls.__dataclass_fields__}
    if cls is c.FileLitigation:
        fields["after_review"] = bool(options["after_review"])
    missing = [name for name in c.required_fields(cls) if name not in fields and not c.has_default(cls, name)]
    if missing:
        raise click.UsageError(f"“{step_name(command)}”须给出 --{missing[0].replace('_', '-')}")
    state = ogi.requests.act(request_id, lambda now: cls(at=moment(at) or now, **fields), user)
    asked = state.approvals[-1] if state.approvals else None
    if command in APPROVABLE and asked and asked.status == "pending" and asked.kind == command and not (
            command == "extend" and state.extension_days):
        click.echo(f"{request_id}：“{step_name(command)}”已提请负责人审批（审批编号 {request_id}:{asked.id}），"
                   "等待本机关负责人审批（ogi approval list / approve / reject）")
        return
    reply = state.deadlines.get("reply")
    due = f"；答复期限 {reply.due or '中止中'}" if reply and state.is_open else ""
    click.echo(f"{request_id}：已记录“{step_name(command)}”；当前状态：{STAGE_LABELS[state.stage]}{due}")


def _confirm(request_id: str, at: str | None, user) -> None:
    """Art. 31(3): the confirmation with the 登记回执 an online application gets then (IntakeService.confirm)."""
    confirmed = app().intake.confirm(request_id, user, moment(at))
    due = f"，答复期限 {confirmed.reply_due}" if confirmed.reply_due else ""
    words = [f"{request_id}：已确认收到申请，收到申请之日为 {confirmed.confirmed_on}{due}（依据：《条例》第三十一条）"]
    if confirmed.receipt is not None:
        words.append(f"登记回执 {confirmed.receipt.number} 已出具，查询码 {confirmed.query_code}"
                     + ("，已送达申请人的网上查询页面" if confirmed.served_online else ""))
    click.echo("；".join(words))
    for problem in confirmed.problems:
        click.echo(f"注意：{problem}", err=True)


def _serve_issued_reply(request_id: str, at: str | None, tracking_no: str | None, user, options: dict) -> bool:
    """On a live request `deliver` serves its issued reply (DocumentService.serve_issued_reply); False when there is
    none to serve (an imported history, a reply not yet issued: the step itself then says why)."""
    served_on = moment(options["served_on"]).date() if options.get("served_on") else None
    when = moment(at).date() if at and len(at.strip()) == 10 else moment(at)
    served = app().documents.serve_issued_reply(request_id, user, options.get("method"), tracking_no, served_on, when)
    if served is None:
        return False
    method_words = SERVICE_METHOD_LABELS.get((served.service or {}).get("method", ""), "")
    click.echo(f"{request_id}：已记录答复书{served.number}的送达（{method_words}），"
               f"送达日 {served.served_on}（依据：国办公开办函〔2016〕235号）；当前状态：已送达")
    return True


@request.command("list")
@click.option("--agency")
@click.option("--all", "show_all", is_flag=True, help="concluded requests too")
@reading_user
def request_list(agency, show_all, user) -> None:
    """The queue: open requests (of the agencies --as may read), the nearest deadline first."""
    click.echo(render("cli/queue.txt.j2", rows=app().queries.queue(agency, show_all, viewer=user)), nl=False)


@request.command("deadline")
@click.argument("request_id")
@click.option("--name", default="reply", show_default=True, help="reply|correction|correction_notice|consultation|payment")
@click.option("--explain", is_flag=True, help="list every day counted or skipped and why")
@reading_user
def request_deadline(request_id, name, explain, user) -> None:
    """A request's deadline, explained: the start, each counted day, suspensions, holidays skipped."""
    explained = app().queries.deadline(request_id, name, viewer=user)
    for s in explained.suspensions:
        click.echo(f"中止：{s.start} 至 {s.end or '今'}（{SUSPENSION_LABELS.get(s.reason, s.reason)}）")
    click.echo(render("cli/calendar_explain.txt.j2", p=explained.period, explain=explain), nl=False)


@request.command("similar")
@click.option("--agency")
@reading_user
def request_similar(agency, user) -> None:
    """Art. 44: information several applicants asked for and were given — propose it for proactive disclosure."""
    found = app().queries.disclosure_proposals(agency, viewer=user)
    if not found:
        click.echo("没有多人申请并已公开的相同信息")
    for proposal in found:
        click.echo(f"建议纳入主动公开（{cite(proposal.article) or proposal.article}）：{proposal.agency}「{proposal.subject}」"
                   f"{proposal.applicants}位申请人：{', '.join(proposal.request_ids)}")


@request.command("export")
@click.argument("request_id")
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@reading_user
def request_export(request_id, output, user) -> None:
    """The case file for the archive (归档): history, events with their hashes, every document, a manifest."""
    ogi = app()
    output.write_bytes(ogi.documents.case_file(request_id, ogi.queries.history(request_id, viewer=user), viewer=user))
    click.echo(f"已写入 {output}：申请 {request_id} 的案卷（含申请人的个人信息，请妥善保管）")


@click.group()
def timers() -> None:
    """Lapses and overdue alerts (the scheduler runs this sweep; here by hand)."""


@timers.command("run")
@acting_user
def timers_run(user) -> None:
    """The sweep: check and repair the read model, fire the lapses due, sign a checkpoint of the log."""
    swept = app().sweeper.run(user)
    if swept.repaired is not None and not swept.repaired.holds:
        click.echo(f"已按事件日志修复申请列表（已记录）：{swept.repaired.describe()}")
    click.echo(f"已记录 {swept.fired} 个期限事件，写入 {swept.reminders} 条提醒消息")
    if swept.checkpoint:
        signed, path = swept.checkpoint
        click.echo(f"已将含 {signed.size} 个事件的检查点写入 {path}")
    else:
        click.echo("未写入检查点：设置 OGI_CHECKPOINT_DIR 后，每次巡检都会写出检查点", err=True)
