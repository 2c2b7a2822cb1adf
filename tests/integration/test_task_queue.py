"""The staff task queue (issue 10 §4): tasks kept per request, claims and assignments recorded as events."""

from __future__ import annotations

import pytest

from engine.errors import OgiError, PermissionDenied
from tests.builders import load, request_line
from tests.conftest import user
from workflows.readmodels.tasks import assignment_stream


def test_claiming_a_staff_task_records_it_with_the_actor_and_makes_the_claimant_the_handler(sqlite_services):
    services = sqlite_services
    load(services, request_line("Q-1", "2026-11-20"))
    [draft] = [t for t in services.tasks.listing(user(services, "clerk")) if t.type == "draft_reply"]
    assert draft.assignee is None and draft.id == "Q-1/draft_reply"
    claimed = services.tasks.claim(draft.id, user(services, "clerk"))
    assert claimed.assignee == "clerk"
    # the handler gets the request's other staff tasks too
    assert sorted(t.id for t in services.tasks.listing(user(services, "clerk"), mine=True)) == [
        "Q-1/draft_reply", "Q-1/send_correction_notice"]
    with services.engine.connect() as conn:
        events = services.store.read_stream(conn, assignment_stream("Q-1"))
    assert [(e.type, e.actor, e.payload) for e in events] == [
        ("task_assigned", "clerk", {"task": "draft_reply", "assignee": "clerk"}),
        ("task_assigned", "clerk", {"task": "handler", "assignee": "clerk"})]
    reassigned = services.tasks.assign(draft.id, "head", user(services, "admin"))
    assert reassigned.assignee == "head"


def test_an_auditor_cannot_claim_and_a_head_task_goes_only_to_a_head(sqlite_services):
    services = sqlite_services
    load(services, request_line("Q-2", "2026-11-02"))  # the reply is due within the week: the head's extension task
    head_task = next(t for t in services.tasks.listing(user(services, "head")) if t.role == "head")
    with pytest.raises(PermissionDenied):
        services.tasks.claim(head_task.id, user(services, "auditor"))
    with pytest.raises(OgiError, match="由负责人办理"):
        services.tasks.assign(head_task.id, "clerk", user(services, "admin"))
    assert services.tasks.claim(head_task.id, user(services, "head")).assignee == "head"
