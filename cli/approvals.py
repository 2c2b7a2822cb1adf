"""`ogi approval list|approve|reject`: the 审批 list of a head or administrator (DESIGN §9), as /approvals and
/api/v1/approvals. The approver is `--as`, recorded as the actor of the approval; no other name is taken."""

from __future__ import annotations

import json

import click

from cli.common import acting_user, app, reading_user
from workflows.foi.citations import cite


@click.group()
def approval() -> None:
    """审批: extensions and voids asked for by staff, drafts for 审核 — for heads and administrators."""


@approval.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reading_user
def approval_list(fmt, user) -> None:
    """What waits for --as (the reply due soonest first)."""
    pending = app().approvals.listing(user)
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in pending], ensure_ascii=False, indent=1))
        return
    if not pending:
        click.echo("没有待审批事项")
    for p in pending:
        fields = " ".join(f"{k}={v}" for k, v in p.step.items())
        reason = f"  理由 {p.reason}" if p.reason else ""
        click.echo(f"{p.id}  {p.label}  {fields}  提请 {p.requested_by or '—'} {p.requested_on}  "
                   f"答复期限 {p.due or '—'}  依据：{cite(p.article) or '—'}{reason}")


@approval.command("approve")
@click.argument("approval_id")
@click.option("--reason", default="", help="审批意见 (optional when approving)")
@acting_user
def approval_approve(approval_id, reason, user) -> None:
    """Approve: the step asked for is recorded with --as as its approver (a draft is approved for issue)."""
    decided = app().approvals.approve(approval_id, user, reason)
    click.echo(f"{decided.id}：同意（审批人 {decided.approver}）")


@approval.command("reject")
@click.argument("approval_id")
@click.option("--reason", required=True, help="审批意见: why not, what to do instead")
@acting_user
def approval_reject(approval_id, reason, user) -> None:
    """Reject with the 审批意见: the step is not taken; a draft goes back to its drafter for revision."""
    decided = app().approvals.reject(approval_id, user, reason)
    click.echo(f"{decided.id}：不同意（审批人 {decided.approver}，审批意见：{decided.opinion}）")
