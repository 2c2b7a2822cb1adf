"""`make run` shows a service that works: the demo's staff get their tasks, reminders and 督办 alerts."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import user
from workflows.requests.demo import load_demo
from workflows.tables import outbox_table


def test_the_demo_staff_receive_reminders_and_alerts_from_the_first_sweep(sqlite_services):
    services = sqlite_services
    said = load_demo(services.directory, services.requests, services.queries)
    assert any("演示账号" in line and "zhang" in line and "li" in line for line in said)
    again = load_demo(services.directory, services.requests, services.queries)
    assert not any("已添加" in line for line in again) and any("保留原密码" in line for line in again)  # idempotent
    services.sweeper.run(user(services, "zhang"))
    with services.engine.connect() as conn:
        inbox = conn.execute(select(outbox_table.c.recipient, outbox_table.c.kind)
                             .where(outbox_table.c.channel == "inbox")).all()
    received = {(r.recipient, r.kind) for r in inbox}
    assert {("zhang", "overdue.reply"), ("zhang", "lapse.correction"), ("li", "overdue.reply")} <= received
    assert ("li", "lapse.correction") not in received  # a lapse goes to the handling staff, 督办 also to the head
    assert [t for t in services.tasks.listing(user(services, "zhang")) if t.type == "draft_reply"]
