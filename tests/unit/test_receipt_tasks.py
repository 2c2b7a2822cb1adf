"""A drafted 登记回执 waits for no head (ISSUED_WITHOUT_APPROVAL, issue 19 item 3): it is a task to issue it, never
one to approve it; other drafts still wait for a head's 审核 (DESIGN's paper trail)."""

from __future__ import annotations

import datetime as dt

from workflows.foi import commands as c
from workflows.foi.documents import ISSUED_WITHOUT_APPROVAL, DocumentType
from workflows.foi.handle import handle
from workflows.foi.state import RequestState
from workflows.foi.tasks import TaskType, tasks_of

RECEIVED = dt.datetime(2026, 12, 1, 9, 0)


def _drafted(calendar, *doc_types: str) -> RequestState:
    receive = c.Receive(at=RECEIVED, request_id="R1", agency="a", applicant={"kind": "natural_person", "name": "张三"},
                        channel="in_person", subject="s")
    state = handle(RequestState(), receive, receive.at, calendar).state
    for doc_type in doc_types:
        state = handle(state, c.DraftDocument(at=RECEIVED, doc_type=doc_type, text="正文"), RECEIVED, calendar).state
    return state


def _types(state: RequestState) -> set[TaskType]:
    return {task.type for task in tasks_of(state, {}, today=RECEIVED.date())}


def test_a_drafted_receipt_is_to_be_issued_not_approved(calendar):
    assert DocumentType.RECEIPT in ISSUED_WITHOUT_APPROVAL
    types = _types(_drafted(calendar, DocumentType.RECEIPT))
    assert TaskType.APPROVE_DOCUMENT not in types
    assert TaskType.ISSUE_DOCUMENT in types


def test_another_draft_still_waits_for_a_heads_approval_beside_the_receipt(calendar):
    types = _types(_drafted(calendar, DocumentType.RECEIPT, DocumentType.EXTENSION_NOTICE))
    assert TaskType.APPROVE_DOCUMENT in types and TaskType.ISSUE_DOCUMENT in types


def test_an_issued_receipt_leaves_no_document_task(calendar):
    state = _drafted(calendar, DocumentType.RECEIPT)
    issue = c.IssueDocument(at=RECEIVED, doc_type=DocumentType.RECEIPT, number="测试登〔2026〕1号", text_hash="0" * 64)
    state = handle(state, issue, RECEIVED, calendar).state
    assert not _types(state) & {TaskType.APPROVE_DOCUMENT, TaskType.ISSUE_DOCUMENT}
