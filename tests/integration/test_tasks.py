"""The staff tasks (待办) a request's state gives (workflows/foi/tasks.py, DESIGN §8), each test naming its article.

Pure: the states come from real commands through `handle`, the path every caller takes (timers included);
one test takes its state from an imported history in the store.
"""

from __future__ import annotations

import datetime as dt

from tests.builders import (
    decided,
    event,
    issued_document,
    issued_reply,
    load,
    noticed_correction,
    noticed_fee,
    request_line,
    through_replies,
)
from workflows.foi import commands as c
from workflows.foi.handle import handle
from workflows.foi.state import RequestState, Stage
from workflows.foi.tasks import TASK_KINDS, Task, TaskType, overdue, tasks_of

T = TaskType
RECEIVED = "2024-03-01"  # a Friday: the reply is due 2024-03-29, the correction notice 2024-03-12


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def run(calendar, *commands: c.Command, now: str | None = None, channel: str = "in_person") -> RequestState:
    """A request received on RECEIVED, then the commands; `now` fires the timers up to that moment."""
    applicant = {"kind": "natural_person", "name": "张三"}
    receive = c.Receive(at=at(RECEIVED), request_id="R1", agency="a", applicant=applicant, channel=channel, subject="s")
    state = handle(RequestState(), receive, receive.at, calendar).state
    for command in through_replies(commands):  # a live request's decision comes with its issued reply
        state = handle(state, command, command.at, calendar).state
    if now is not None:
        state = handle(state, None, at(now), calendar).state
    return state


def tasks(state: RequestState, today: str, assignments: dict[str, str] | None = None) -> dict[TaskType, Task]:
    return {task.type: task for task in tasks_of(state, assignments or {}, today=day(today))}


def decide(on: str, outcome: str = "disclosed") -> c.Decide:
    return c.Decide(at=at(on), outcome=outcome)


def correction_notice(on: str = "2024-03-04", period_days: int = 10) -> tuple[c.Command, ...]:
    return noticed_correction(at(on), period_days)


# -- one test per task type ---------------------------------------------------------------------------------------

def test_confirm_receipt_of_an_online_request_until_it_is_confirmed_art31(calendar):
    listed = tasks(run(calendar, channel="online"), RECEIVED)[T.CONFIRM_RECEIPT]
    assert (listed.role, listed.article, listed.due) == ("staff", "Art. 31", None)
    confirmed = run(calendar, c.ConfirmReceipt(at=at("2024-03-04")), channel="online")
    assert T.CONFIRM_RECEIPT not in tasks(confirmed, "2024-03-04")
    assert T.CONFIRM_RECEIPT not in tasks(run(calendar, channel="in_person"), RECEIVED)  # handed in: no confirmation
    # the workflow refuses a confirmation after another step, so the task goes with it
    noticed = run(calendar, *correction_notice(), c.SubmitCorrection(at=at("2024-03-06")), channel="online")
    assert T.CONFIRM_RECEIPT not in tasks(noticed, "2024-03-06")


def test_send_correction_notice_is_due_within_7_working_days_art30(calendar):
    state = run(calendar)
    listed = tasks(state, RECEIVED)[T.SEND_CORRECTION_NOTICE]
    assert (listed.role, listed.article, listed.due) == ("staff", "Art. 30", day("2024-03-12"))  # 7 working days
    assert listed.label == "审查申请内容，需补正的7个工作日内一次性告知"
    assert T.SEND_CORRECTION_NOTICE in tasks(state, "2024-03-12")
    assert T.SEND_CORRECTION_NOTICE not in tasks(state, "2024-03-13")  # the 7 days are over
    assert T.SEND_CORRECTION_NOTICE not in tasks(run(calendar, *correction_notice()), "2024-03-04")
    assert T.SEND_CORRECTION_NOTICE not in tasks(run(calendar, decide("2024-03-04")), "2024-03-04")


def test_review_correction_when_the_corrected_application_arrives_art30(calendar):
    corrected = run(calendar, *correction_notice(), c.SubmitCorrection(at=at("2024-03-08")))
    listed = tasks(corrected, "2024-03-08")[T.REVIEW_CORRECTION]
    assert (listed.role, listed.article) == ("staff", "Art. 30")
    assert listed.due == corrected.deadlines["reply"].due == day("2024-04-08")  # the reply period restarts (Art. 33)
    consulted = run(calendar, *correction_notice(), c.SubmitCorrection(at=at("2024-03-08")),
                    c.StartConsultation(at=at("2024-03-11")), c.EndConsultation(at=at("2024-03-12")))
    assert consulted.stage == Stage.PROCESSING and T.REVIEW_CORRECTION not in tasks(consulted, "2024-03-12")  # reviewed
    assert T.REVIEW_CORRECTION not in tasks(run(calendar), RECEIVED)  # nothing was corrected


def test_decide_no_correction_is_proposed_once_the_correction_period_lapsed_art30(calendar):
    notice = correction_notice()  # the applicant's period ends 2024-03-18
    assert tasks(run(calendar, *notice, now="2024-03-18T23:00"), "2024-03-18") == {}  # awaiting a correction: no task
    lapsed = run(calendar, *notice, now="2024-03-19T08:00")
    listed = tasks(lapsed, "2024-03-19")[T.DECIDE_NO_CORRECTION]
    assert (listed.role, listed.article, listed.due) == ("staff", "Art. 30", None)


def test_a_lapse_task_proposes_and_never_concludes(calendar):
    state = run(calendar, *correction_notice(), now="2024-06-28")
    assert T.DECIDE_NO_CORRECTION in tasks(state, "2024-06-28")
    assert state.stage == Stage.AWAITING_CORRECTION and state.is_open and state.outcome is None  # months later
    decided_state = run(calendar, *correction_notice(), decide("2024-03-20", "other.no_correction"))
    assert T.DECIDE_NO_CORRECTION not in tasks(decided_state, "2024-03-20")  # staff decided: the proposal is gone


def test_a_lapse_of_a_period_moved_by_the_notice_receipt_proposes_nothing_art30(calendar):
    # noticed 4 March for 10 working days (lapsed 19 March); the applicant got the notice only on 20 March
    state = run(calendar, *correction_notice(), now="2024-03-20")
    receipt = c.RecordNoticeReceipt(at=at("2024-03-20"), notice="correction")
    state = handle(state, receipt, receipt.at, calendar).state
    assert state.deadlines["correction"].due == day("2024-04-03")
    assert T.DECIDE_NO_CORRECTION not in tasks(state, "2024-03-21")


def test_follow_consultation_is_due_within_15_working_days_art32_34(calendar):
    state = run(calendar, c.StartConsultation(at=at("2024-03-04"), party="agency"))
    listed = tasks(state, "2024-03-04")[T.FOLLOW_CONSULTATION]
    assert (listed.role, listed.article, listed.due) == ("staff", "Art. 32, 34", day("2024-03-25"))
    assert T.DRAFT_REPLY not in tasks(state, "2024-03-04")  # the reply period is suspended (Art. 33 ¶3)
    ended = run(calendar, c.StartConsultation(at=at("2024-03-04")),
                c.EndConsultation(at=at("2024-03-06"), opinion="consent"))
    assert T.FOLLOW_CONSULTATION not in tasks(ended, "2024-03-06")


def test_confirm_payment_is_due_within_20_working_days_of_the_fee_notice_109(calendar):
    state = run(calendar, *noticed_fee(at("2024-03-04"), 100))
    listed = tasks(state, "2024-03-04")[T.CONFIRM_PAYMENT]
    assert (listed.role, listed.article, listed.due) == ("staff", "109号", day("2024-04-01"))
    paid = run(calendar, *noticed_fee(at("2024-03-04"), 100), c.PayFee(at=at("2024-03-05")))
    assert T.CONFIRM_PAYMENT not in tasks(paid, "2024-03-05") and T.DRAFT_REPLY in tasks(paid, "2024-03-05")


def test_decide_unpaid_fee_is_proposed_once_the_payment_period_lapsed_109(calendar):
    fee = noticed_fee(at("2024-03-04"), 100)
    assert T.DECIDE_UNPAID_FEE not in tasks(run(calendar, *fee, now="2024-04-01T20:00"), "2024-04-01")
    state = run(calendar, *fee, now="2024-04-02T08:00")
    listed = tasks(state, "2024-04-02")[T.DECIDE_UNPAID_FEE]
    assert (listed.role, listed.article, listed.due) == ("staff", "109号", None)
    assert T.CONFIRM_PAYMENT in tasks(state, "2024-04-02")  # a late payment is still accepted until staff decide
    assert state.stage == Stage.AWAITING_PAYMENT and state.outcome is None  # proposed, not concluded


def test_approve_extension_is_asked_of_the_head_in_the_last_7_days_art33(calendar):
    state = run(calendar)  # the reply is due 2024-03-29
    assert T.APPROVE_EXTENSION not in tasks(state, "2024-03-21")  # 8 days before
    listed = tasks(state, "2024-03-22")[T.APPROVE_EXTENSION]
    assert (listed.role, listed.article, listed.due) == ("head", "Art. 33", day("2024-03-29"))
    assert T.APPROVE_EXTENSION in tasks(state, "2024-03-29")
    assert T.APPROVE_EXTENSION not in tasks(state, "2024-03-30")  # the period ended: a late extension is only flagged
    extended = run(calendar, c.Extend(at=at("2024-03-25"), approved_by="李主任"))
    assert T.APPROVE_EXTENSION not in tasks(extended, "2024-03-25")  # one extension (Art. 33)
    assert tasks(extended, "2024-03-25")[T.DRAFT_REPLY].due == day("2024-04-28")  # 20 more (a make-up Sunday)


def test_draft_reply_is_due_within_20_working_days_art33(calendar):
    listed = tasks(run(calendar), RECEIVED)[T.DRAFT_REPLY]
    assert (listed.role, listed.article, listed.due) == ("staff", "Art. 33, 36", day("2024-03-29"))
    assert T.DRAFT_REPLY not in tasks(run(calendar, decide("2024-03-20")), "2024-03-20")


def test_serve_reply_after_the_decision_by_the_reply_deadline_art33(calendar):
    state = run(calendar, decide("2024-03-20"))
    assert set(tasks(state, "2024-03-20")) == {T.SERVE_REPLY}
    listed = tasks(state, "2024-03-20")[T.SERVE_REPLY]
    assert (listed.role, listed.article, listed.due) == ("staff", "Art. 33; 235号", day("2024-03-29"))
    assert tasks(run(calendar, decide("2024-03-20"), *issued_reply(at("2024-03-20")),
                       c.Deliver(at=at("2024-03-21"), method="post")), "2024-03-21") == {}
    # decided while awaiting the correction: no reply period was kept, so the service has no due date
    no_correction = run(calendar, *correction_notice(), decide("2024-03-20", "other.no_correction"))
    assert tasks(no_correction, "2024-03-20")[T.SERVE_REPLY].due is None


def test_handle_review_and_litigation_while_a_case_is_pending_art51(calendar):
    served = (decide("2024-03-20"), *issued_reply(at("2024-03-20")), c.Deliver(at=at("2024-03-21")))
    review = run(calendar, *served, c.FileReview(at=at("2024-04-10"), case="R1"))
    listed = tasks(review, "2024-04-10")[T.HANDLE_REVIEW]
    assert (listed.role, listed.article, listed.due) == ("staff", "Art. 51", None)
    both = run(calendar, *served, c.FileReview(at=at("2024-04-10"), case="R1"),
               c.CloseReview(at=at("2024-05-10"), case="R1", result="maintained"),
               c.FileLitigation(at=at("2024-05-20"), case="L1", after_review=True))
    assert set(tasks(both, "2024-05-20")) == {T.HANDLE_LITIGATION}
    assert tasks(both, "2024-05-20")[T.HANDLE_LITIGATION].article == "Art. 51"


# -- requests with no tasks ----------------------------------------------------------------------------------------

def test_a_closed_or_new_request_has_no_tasks(calendar):
    closed = run(calendar, decide("2024-03-20"), *issued_reply(at("2024-03-20")), c.Deliver(at=at("2024-03-21")),
                 c.Close(at=at("2024-03-22")))
    assert closed.stage == Stage.CLOSED and tasks_of(closed, {"handler": "clerk"}, today=day("2024-03-22")) == []
    assert tasks_of(RequestState(), today=day(RECEIVED)) == []
    withdrawn = run(calendar, c.Withdraw(at=at("2024-03-05")))
    assert tasks_of(withdrawn, today=day("2024-03-05")) == []


def test_an_imported_history_gives_the_same_tasks_as_its_steps(sqlite_services, calendar):
    load(sqlite_services, request_line("TK-1", "2024-03-01", decided("2024-03-20"),
                                       event("delivered", "2024-03-21", method="post"),
                                       event("review_filed", "2024-04-10", case="R1")))
    with sqlite_services.engine.connect() as conn:
        state = sqlite_services.requests.load(conn, "TK-1").state
    stepped = run(calendar, decide("2024-03-20"), *issued_reply(at("2024-03-20")),
                  c.Deliver(at=at("2024-03-21"), method="post"), c.FileReview(at=at("2024-04-10"), case="R1"))
    assert tasks_of(state, today=day("2024-04-10")) == tasks_of(stepped, today=day("2024-04-10"))
    assert [t.id_for(state.request_id) for t in tasks_of(state, today=day("2024-04-10"))] == ["TK-1/handle_review"]


# -- assignment, order, overdue, the table ---------------------------------------------------------------------------

def test_a_tasks_own_assignment_wins_and_the_handler_takes_the_other_staff_tasks(calendar):
    state = run(calendar, channel="online")
    listed = tasks(state, RECEIVED, {"handler": "clerk", "draft_reply": "wang"})
    assert listed[T.DRAFT_REPLY].assignee == "wang"
    assert listed[T.CONFIRM_RECEIPT].assignee == listed[T.SEND_CORRECTION_NOTICE].assignee == "clerk"
    assert all(task.assignee is None for task in tasks(state, RECEIVED).values())  # no assignments: nobody


def test_head_tasks_are_not_given_to_the_handler_art33(calendar):
    state = run(calendar)
    assert tasks(state, "2024-03-25", {"handler": "clerk"})[T.APPROVE_EXTENSION].assignee is None
    own = tasks(state, "2024-03-25", {"handler": "clerk", "approve_extension": "head"})
    assert own[T.APPROVE_EXTENSION].assignee == "head" and own[T.DRAFT_REPLY].assignee == "clerk"


def test_tasks_are_ordered_by_due_date_none_last_then_type(calendar):
    state = run(calendar, channel="online")
    assert [(t.type, t.due) for t in tasks_of(state, today=day("2024-03-05"))] == [
        (T.SEND_CORRECTION_NOTICE, day("2024-03-12")),
        (T.DRAFT_REPLY, day("2024-03-29")),
        (T.CONFIRM_RECEIPT, None),
    ]
    same_day = [t.type for t in tasks_of(state, today=day("2024-03-22"))]  # the head's and the reply share a due date
    assert same_day == [T.APPROVE_EXTENSION, T.DRAFT_REPLY, T.CONFIRM_RECEIPT]


def test_overdue_is_after_the_due_day_and_never_without_one(calendar):
    listed = tasks(run(calendar, channel="online"), RECEIVED)
    assert not overdue(listed[T.DRAFT_REPLY], day("2024-03-29")) and overdue(listed[T.DRAFT_REPLY], day("2024-03-30"))
    assert not overdue(listed[T.CONFIRM_RECEIPT], day("2030-01-01"))


def test_every_task_type_has_its_role_article_and_label():
    assert set(TASK_KINDS) == set(TaskType)
    assert {kind.role for kind in TASK_KINDS.values()} == {"staff", "head"}
    assert [k for k, kind in TASK_KINDS.items() if kind.role == "head"] == [T.APPROVE_EXTENSION, T.APPROVE_DOCUMENT,
                                                                        T.DECIDE_APPROVAL]
    assert all(kind.article and kind.label for kind in TASK_KINDS.values())
    assert Task(T.DRAFT_REPLY, "staff", "Art. 33", None, "拟写答复书", None).id_for("HD-1") == "HD-1/draft_reply"


def test_documents_on_their_way_are_tasks_for_the_head_and_the_clerk_design9(calendar):
    drafted = run(calendar, c.DraftDocument(at=at("2024-03-04"), doc_type="reply", text="正文", outcome="disclosed"))
    listed = tasks(drafted, "2024-03-04")
    assert T.DRAFT_REPLY not in listed and listed[T.APPROVE_DOCUMENT].role == "head"
    issued = run(calendar, *issued_document(at("2024-03-04"), "extension_notice"))
    assert T.SERVE_DOCUMENT in tasks(issued, "2024-03-04") and T.APPROVE_DOCUMENT not in tasks(issued, "2024-03-04")
    served = run(calendar, *issued_document(at("2024-03-04"), "extension_notice"),
                 c.ServeDocument(at=at("2024-03-04"), doc_type="extension_notice", method="personal"))
    assert T.SERVE_DOCUMENT not in tasks(served, "2024-03-04")


def test_an_unanswered_request_for_assistance_is_a_task_due_on_its_own_day(calendar):
    asked = run(calendar, c.RequestAssistance(at=at("2024-03-04"), department="zhengce", due_on="2024-03-15"))
    assert tasks(asked, "2024-03-04")[T.ANSWER_ASSISTANCE].due == day("2024-03-15")
    answered = run(calendar, c.RequestAssistance(at=at("2024-03-04"), department="zhengce", due_on="2024-03-15"),
                   c.AnswerAssistance(at=at("2024-03-05"), department="zhengce"))
    assert T.ANSWER_ASSISTANCE not in tasks(answered, "2024-03-05")
