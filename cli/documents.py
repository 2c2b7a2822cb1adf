"""`ogi document …` (DESIGN §9): draft, approve, issue, serve, list and render a request's official documents;
`ogi fee quote` (109号)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from cli.common import acting_user, app, handle_errors, moment, reading_user
from engine.errors import RuleViolation
from workflows.documents.attachments import Upload
from workflows.documents.rendering import RENDERERS, STATE_LABELS
from workflows.foi.documents import DOCUMENT_TITLES, SERVICE_METHODS, DocumentType
from workflows.foi.fees import quote
from workflows.foi.vocabulary import SERVICE_METHOD_LABELS

TYPES = click.Choice([t.value for t in DocumentType])
AT_HELP = "when it happened (date or ISO datetime; default now): a paper entered later keeps its own date"


def when(value: str | None) -> dt.datetime | dt.date | None:
    """--at as typed: a bare date is that day (the service places it), a time is that moment, nothing is now."""
    if value is None:
        return None
    parsed = moment(value)
    return parsed.date() if len(value.strip()) == 10 else parsed


@click.group()
def document() -> None:
    """Official documents: draft → approved (head or admin) → issued (numbered) → served."""


@document.command("list")
@click.argument("request_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reading_user
def document_list(request_id, fmt, user) -> None:
    documents = app().documents.documents(request_id, viewer=user)
    rows: list[dict[str, Any]] = [{"number": d.number, "type": d.type, "state": d.state, "title": DOCUMENT_TITLES[d.type],
                                   "drafted_on": d.drafted_on.isoformat(), "approved_by": d.approved_by,
                                   "issued_on": d.issued_on.isoformat() if d.issued_on else None, "text_hash": d.text_hash,
                                   "served_on": d.served_on.isoformat() if d.served_on else None, "service": d.service}
                                  for d in documents]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        click.echo(f"{r['number'] or '（无文号）':<28} {r['title']:<22} {STATE_LABELS[r['state']]:<4} "
                   f"起草 {r['drafted_on']}  审核 {r['approved_by'] or '—'}  送达 {r['served_on'] or '—'}")
    click.echo(f"（共 {len(rows)} 件文书）")


@document.command("draft")
@click.argument("request_id")
@click.argument("doc_type", type=TYPES)
@click.option("--outcome", help="reply: one of the 21 outcome codes")
@click.option("--note", help="the part staff add: items to correct, reasons, the addressee, how to pay…")
@click.option("--party", type=click.Choice(["third_party", "agency"]), default="third_party", show_default=True)
@click.option("--of", "served_type", type=TYPES, help="service_record: the document it records (default reply)")
@click.option("--fee-method", type=click.Choice(["per_request", "by_volume"]), help="fee_notice: 按件 or 按量 (109号)")
@click.option("--units", type=int, help="fee_notice: the pages (by_volume); per_request counts the applicant's "
              "requests this month from the log unless given")
@click.option("--text-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="the staff's own text instead of the drafted one (UTF-8)")
@click.option("--reasons", help="reply: why (part of) the information is not provided (Art. 36(3), 37)")
@click.option("--responsible-agency", help="reply: the agency holding the information, with contact (Art. 36(5))")
@click.option("--form", "form_provided", help="reply: the form provided (Art. 40)")
@click.option("--form-reason", help="reply: why not in the form asked for (Art. 40)")
@click.option("--period-days", type=int, help="correction_notice: the applicant's period in working days "
              "(default the agency's); request_correction takes the period the issued notice states (Art. 30)")
@click.option("--at", help=AT_HELP)
@acting_user
def document_draft(request_id, doc_type, outcome, note, party, served_type, fee_method, units, text_file, period_days,
                   at, user, **decision) -> None:
    """Draft (or redraft) a document from the request's data; a reply's decision is recorded when it is issued."""
    text = text_file.read_text(encoding="utf-8") if text_file else None
    fee = (fee_method, units if units is not None else 0) if fee_method else None
    drafted = app().documents.draft(request_id, doc_type, user, outcome, text, note, party, served_type, fee,
                                    decision, at=when(at), period_days=period_days)
    click.echo(drafted.text)
    click.echo(f"-- 已起草{DOCUMENT_TITLES[doc_type]}，下一步由负责人或管理员审核", err=True)


@document.command("approve")
@click.argument("request_id")
@click.argument("doc_type", type=TYPES)
@click.option("--at", help=AT_HELP)
@acting_user
def document_approve(request_id, doc_type, at, user) -> None:
    """Approve the latest draft of this type (审核/保密审查; head or admin)."""
    app().documents.approve(request_id, doc_type, user, at=when(at))
    click.echo(f"申请 {request_id} 的{DOCUMENT_TITLES[doc_type]}已审核（审核人 {user.username}）")


@document.command("issue")
@click.argument("request_id")
@click.argument("doc_type", type=TYPES)
@click.option("--at", help=AT_HELP + "; the issue date printed on the paper")
@acting_user
def document_issue(request_id, doc_type, at, user) -> None:
    """Issue the approved document under the next number (the reply also records the decision)."""
    issued = app().documents.issue(request_id, doc_type, user, at=when(at))
    click.echo(f"{issued.number} 已印发（{DOCUMENT_TITLES[doc_type]}，印发日期 {issued.issued_on}，"
               f"SHA-256 {issued.text_hash}）")


@document.command("serve")
@click.argument("request_id")
@click.argument("doc_type", type=TYPES)
@click.option("--method", type=click.Choice(SERVICE_METHODS), required=True)
@click.option("--tracking-no", help="post: the postal tracking number")
@click.option("--posted-on", help="post: the day handed to the post office (default today); electronic: the day sent")
@click.option("--signed-on", help="the day the applicant signed for it")
@click.option("--at", help=AT_HELP + "; the legal service day is still the record's (235号)")
@acting_user
def document_serve(request_id, doc_type, method, tracking_no, posted_on, signed_on, at, user) -> None:
    """Record the service of the issued document (235号)."""
    served = app().documents.serve(request_id, doc_type, user, method, tracking_no,
                                   moment(posted_on).date() if posted_on else None,
                                   moment(signed_on).date() if signed_on else None, at=when(at))
    click.echo(f"{served.number} 已送达（{SERVICE_METHOD_LABELS.get(method, method)}），送达日 {served.served_on}"
               "（依据：国办公开办函〔2016〕235号）")


@document.command("release")
@click.argument("request_id")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@acting_user
def document_release(request_id, files, user) -> None:
    """Give the applicant the information's FILES with the reply (Art. 40): stored by SHA-256, named in the log."""
    uploads = [Upload(path.name, path.read_bytes()) for path in files]
    for released in app().released.release(request_id, uploads, user):
        click.echo(f"{released.sha256}  {released.size:>10}  {released.name}")
    click.echo(f"（已提供 {len(uploads)} 个信息文件，SHA-256 已记入办理记录和案卷）")


@document.command("return")
@click.argument("request_id")
@click.argument("doc_type", type=TYPES)
@click.option("--reason", required=True, help="why it came back, e.g. 查无此人 / 拒收 / 地址不详")
@click.option("--at", help=AT_HELP)
@acting_user
def document_return(request_id, doc_type, reason, at, user) -> None:
    """Record a served letter that came back undelivered (退件); it must be served again."""
    returned = app().documents.return_letter(request_id, doc_type, user, reason, at=when(at))
    click.echo(f"{returned.number} 已退回（{reason}），须重新送达（ogi document serve）")


@document.command("render")
@click.argument("request_id")
@click.argument("number")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="html", show_default=True)
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@reading_user
def document_render(request_id, number, fmt, output, user) -> None:
    """Render a document by its number (or the latest draft of a type) as HTML, DOCX or PDF."""
    _, found, agency = app().documents.find(request_id, number, viewer=user)
    output.write_bytes(RENDERERS[fmt](found, agency))
    click.echo(f"已写入 {output}（{DOCUMENT_TITLES[found.type]}，{found.number or '草稿'}）")


@click.group()
def fee() -> None:
    """The information processing fee (国办函〔2020〕109号)."""


@fee.command("quote")
@click.option("--method", type=click.Choice(["per_request", "by_volume"]), required=True)
@click.option("--count", type=int, help="per_request: the applicant's requests in the calendar month")
@click.option("--pages", type=int, help="by_volume: the pages of this request")
@handle_errors
def fee_quote(method, count, pages) -> None:
    """The fee by the excess-progressive bands, as JSON (DESIGN §9)."""
    units = count if method == "per_request" else pages
    if units is None:
        raise click.UsageError("按件计收（per_request）须给出 --count，按量计收（by_volume）须给出 --pages")
    try:
        click.echo(json.dumps(quote(method, units).as_json(), ensure_ascii=False))
    except ValueError as error:
        raise RuleViolation(str(error), "109号") from None
