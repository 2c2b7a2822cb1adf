"""The statutory rules on the pure core (no database): each test names the article it checks."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import DefinitionError, RuleViolation
from engine.machine import MachineDefinition, Transition
from tests.builders import issued_reply, noticed_correction, noticed_fee, through_replies
from workflows.foi import commands as c
from workflows.foi.definition import WORKFLOW
from workflows.foi.handle import handle
from workflows.foi.state import RequestState, Stage


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day)


def receive(day="2024-03-01", channel="in_person", confirmed=None, kind="natural_person") -> c.Receive:
    return c.Receive(at=at(day), request_id="R1", agency="a", applicant={"kind": kind, "name": "张三"},
                     channel=channel, subject="s", confirmed_at=at(confirmed) if confirmed else None)


def run(calendar, *commands, now: str | None = None) -> RequestState:
    """Apply commands in order through `handle`, each at its own time (as the importer does), then timers to `now`."""
    state = RequestState()
    for command in through_replies(commands):  # a live request's decision comes with its issued reply
        state = handle(state, command, command.at, calendar).state
    if now:
        state = handle(state, None, at(now), calendar).state
    return state


def reply_due(state: RequestState) -> str | None:
    d = state.deadlines.get("reply")
    return d.due.isoformat() if d and d.due else None


# -- receipt (Art. 31) ---------------------------------------------------------------------------
@pytest.mark.parametrize("channel, confirmed, start", [
    ("in_person", None, "2024-03-01"),
    ("online", None, "2024-03-01"),
    ("online", "2024-03-04", "2024-03-04"),
    ("post_plain", "2024-03-05", "2024-03-05"),
    ("fax", "2024-03-04", "2024-03-04"),
], ids=["in-person: day handed in", "online unconfirmed: day received", "online: confirmation day",
        "plain letter: confirmation day", "fax: confirmation day"])
def test_receipt_date_depends_on_the_channel_art31(calendar, channel, confirmed, start):
    state = run(calendar, receive("2024-03-01", channel, confirmed))
    assert state.clock_start.isoformat() == start
    assert state.received_on.isoformat() == "2024-03-01"  # the report counts the original receipt


def test_a_signed_channel_takes_no_confirmation_art31(calendar):
    with pytest.raises(RuleViolation, match="Art. 31"):
        run(calendar, receive("2024-03-01", "post_signed", "2024-03-04"))


def test_a_later_confirmation_moves_the_reply_period_art31(calendar):
    state = run(calendar, receive("2024-03-01", "online"), c.ConfirmReceipt(at=at("2024-03-04")))
    assert state.clock_start == dt.date(2024, 3, 4)
    assert reply_due(state) == "2024-04-01"  # 20 working days after Mon 4 Mar (Qingming 4–6 Apr comes later)


# -- reply period and extension (Art. 33) ---------------------------------------------------------
def test_reply_due_is_20_working_days_after_receipt_art33(calendar):
    # received Fri 2024-09-27: Sun 29 Sep and Sat 12 Oct are make-up working days, 1–7 Oct are holidays
    state = run(calendar, receive("2024-09-27"))
    assert reply_due(state) == "2024-10-30"


def test_extension_adds_20_working_days_art33(calendar):
    state = run(calendar, receive("2024-03-01"), c.Extend(at=at("2024-03-20"), working_days=20, approved_by="李主任"))
    assert reply_due(state) == calendar.add_working_days(dt.date(2024, 3, 1), 40).isoformat()
    assert state.extension_approved_by == "李主任"


@pytest.mark.parametrize("days", [0, 21, -1])
def test_an_extension_is_1_to_20_working_days_art33(calendar, days):
    with pytest.raises(RuleViolation, match="Art. 33"):
        run(calendar, receive(), c.Extend(at=at("2024-03-05"), working_days=days, approved_by="李主任"))


def test_a_second_extension_is_refused_art33(calendar):
    with pytest.raises(RuleViolation, match="答复期限只能延长一次"):
        run(calendar, receive(), c.Extend(at=at("2024-03-05"), working_days=10, approved_by="李主任"),
            c.Extend(at=at("2024-03-06"), working_days=10, approved_by="李主任"))


def test_an_extension_needs_the_person_in_charge_art33(calendar):
    with pytest.raises(RuleViolation, match="须经政府信息公开工作机构负责人同意"):
        run(calendar, receive(), c.Extend(at=at("2024-03-05"), working_days=10, approved_by=" "))


def test_an_extension_after_the_reply_period_is_accepted_and_flagged_art33(calendar):
    state = run(calendar, receive("2024-03-01"), c.Extend(at=at("2024-04-15"), working_days=20, approved_by="李主任"))
    assert "late_extension" in state.flags
    assert "reply_overdue" in state.flags  # the timer fired on 30 Mar before the late extension


# -- correction (Art. 30) ------------------------------------------------------------------------
def test_the_reply_period_restarts_from_the_corrected_application_art30(calendar):
    state = run(calendar, receive("2024-03-01"), *noticed_correction(at=at("2024-03-05"), period_days=10),
                c.SubmitCorrection(at=at("2024-03-11")))
    assert state.clock_start == dt.date(2024, 3, 11)
    assert reply_due(state) == calendar.add_working_days(dt.date(2024, 3, 11), 20).isoformat()


def test_no_reply_period_runs_while_awaiting_correction_art30(calendar):
    state = run(calendar, receive("2024-03-01"), *noticed_correction(at=at("2024-03-05"), period_days=10))
    assert state.stage == Stage.AWAITING_CORRECTION
    assert reply_due(state) is None
    assert state.deadlines["correction"].due == calendar.add_working_days(dt.date(2024, 3, 5), 10)


def test_a_correction_notice_after_7_working_days_is_accepted_and_flagged_art30(calendar):
    on_time = run(calendar, receive("2024-03-01"), *noticed_correction(at=at("2024-03-12"), period_days=10))
    late = run(calendar, receive("2024-03-01"), *noticed_correction(at=at("2024-03-13"), period_days=10))
    assert "late_correction_notice" not in on_time.flags  # Tue 12 Mar is the 7th working day after Fri 1 Mar
    assert "late_correction_notice" in late.flags


def test_correction_is_noticed_once_covering_everything_art30(calendar):
    with pytest.raises(RuleViolation, match="一次性告知"):
        run(calendar, receive(), *noticed_correction(at=at("2024-03-04"), period_days=10),
            c.SubmitCorrection(at=at("2024-03-05")), *noticed_correction(at=at("2024-03-06"), period_days=10))


def test_no_correction_decision_is_refused_before_the_period_lapsed_art30(calendar):
    with pytest.raises(RuleViolation, match="须在补正期限届满后作出"):
        run(calendar, receive("2024-03-01"), *noticed_correction(at=at("2024-03-04"), period_days=10),
            c.Decide(at=at("2024-03-15"), outcome="other.no_correction"))


def test_no_correction_decision_after_the_period_lapsed_art30(calendar):
    state = run(calendar, receive("2024-03-01"), *noticed_correction(at=at("2024-03-04"), period_days=10),
                c.Decide(at=at("2024-03-19"), outcome="other.no_correction"))
    assert state.outcome == "other.no_correction"
    assert state.concluded_on == dt.date(2024, 3, 19)


def test_a_lapsed_correction_period_does_not_conclude_the_request_by_itself_art30(calendar):
    state = run(calendar, receive("2024-03-01"), *noticed_correction(at=at("2024-03-04"), period_days=10), now="2024-06-01")
    assert state.stage == Stage.AWAITING_CORRECTION
    assert state.outcome is None and state.has_lapsed("correction")


def test_still_unclear_needs_a_correction_first_art30(calendar):
    with pytest.raises(RuleViolation, match="补正后申请内容仍不明确的情形，而申请人尚未补正"):
        run(calendar, receive(), c.Decide(at=at("2024-03-04"), outcome="unable.unclear"))


# -- consultation (Art. 32, 34) ------------------------------------------------------------------
def test_consultation_suspends_the_reply_period_art32(calendar):
    base = run(calendar, receive("2024-03-01"))
    state = run(calendar, receive("2024-03-01"), c.StartConsultation(at=at("2024-03-04"), party="third_party"),
                c.EndConsultation(at=at("2024-03-08"), party="third_party", opinion="consent"))
    # Tue 5 – Fri 8 March are not counted: four working days later than without the consultation
    assert reply_due(base) == "2024-03-29"
    assert reply_due(state) == calendar.add_working_days(dt.date(2024, 3, 29), 4).isoformat()


def test_the_reply_date_is_unknown_while_consulting_art32(calendar):
    state = run(calendar, receive("2024-03-01"), c.StartConsultation(at=at("2024-03-04"), party="agency"))
    assert state.stage == Stage.CONSULTING and reply_due(state) is None


def test_a_consultation_with_no_answer_ends_after_15_working_days_art34(calendar):
    state = run(calendar, receive("2024-03-01"), c.StartConsultation(at=at("2024-03-04"), party="agency"), now="2024-04-30")
    assert state.stage == Stage.PROCESSING
    end = calendar.add_working_days(dt.date(2024, 3, 4), 15)
    assert state.suspensions[-1].end == end
    assert reply_due(state) == calendar.add_working_days(dt.date(2024, 3, 29), 15).isoformat()


def test_decision_while_a_consultation_is_open_is_refused_art32(calendar):
    with pytest.raises(RuleViolation, match="申请当前为“征求意见中”，不能办理"):
        run(calendar, receive(), c.StartConsultation(at=at("2024-03-04"), party="third_party"),
            c.Decide(at=at("2024-03-05"), outcome="disclosed"))


# -- fees (109号) ---------------------------------------------------------------------------------
def test_fee_notice_suspends_until_paid_109(calendar):
    state = run(calendar, receive("2024-03-01"), *noticed_fee(at=at("2024-03-04"), amount_yuan=300, method="per_request"),
                c.PayFee(at=at("2024-03-06")))
    assert reply_due(state) == calendar.add_working_days(dt.date(2024, 3, 29), 2).isoformat()


def test_a_fee_paid_that_was_never_noticed_is_refused_109(calendar):
    with pytest.raises(RuleViolation, match="申请当前为“办理中”，不能办理“缴费”：须先发出收费通知"):
        run(calendar, receive(), c.PayFee(at=at("2024-03-04")))


def test_unpaid_fee_decision_only_after_20_working_days_109(calendar):
    notice = noticed_fee(at=at("2024-03-04"), amount_yuan=300, method="per_request")
    with pytest.raises(RuleViolation, match="须在缴费期限届满后作出"):
        run(calendar, receive(), *notice, c.Decide(at=at("2024-04-01"), outcome="other.unpaid_fee"))
    state = run(calendar, receive(), *notice, c.Decide(at=at("2024-04-03"), outcome="other.unpaid_fee"))
    assert state.outcome == "other.unpaid_fee"


# -- decision and service (Art. 36–39, 235号) -----------------------------------------------------
def test_a_request_has_one_outcome_and_a_concluded_request_takes_no_decision(calendar):
    with pytest.raises(RuleViolation, match="申请当前为“已答复待送达”，不能办理"):
        run(calendar, receive(), c.Decide(at=at("2024-03-04"), outcome="disclosed"),
            c.Decide(at=at("2024-03-05"), outcome="partial"))


def test_unknown_outcome_is_refused_with_the_list(calendar):
    with pytest.raises(RuleViolation, match="答复结果（outcome）“published”不是可选的值"):
        run(calendar, receive(), c.Decide(at=at("2024-03-04"), outcome="published"))


def test_reply_served_by_post_on_the_last_day_is_on_time_235(calendar):
    state = run(calendar, receive("2024-03-01"), c.Decide(at=at("2024-03-28"), outcome="disclosed"),
                *issued_reply(at("2024-03-28")), c.Deliver(at=at("2024-03-29"), method="post"))
    assert "late_reply" not in state.flags and state.stage == Stage.SERVED


def test_a_reply_after_the_deadline_is_accepted_and_flagged_art33(calendar):
    state = run(calendar, receive("2024-03-01"), c.Decide(at=at("2024-04-08"), outcome="disclosed"))
    assert state.stage == Stage.DECIDED
    assert "late_reply" in state.flags and "reply_overdue" in state.flags


def test_decided_on_time_but_served_late_is_a_late_reply_235(calendar):
    state = run(calendar, receive("2024-03-01"), c.Decide(at=at("2024-03-28"), outcome="disclosed"),
                *issued_reply(at("2024-03-28")), c.Deliver(at=at("2024-04-01"), method="post"))
    assert "late_reply" in state.flags


def test_withdrawal_concludes_as_other():
    from engine.calendar import WorkingCalendar
    state = run(WorkingCalendar(), receive(), c.Withdraw(at=at("2024-03-04")))
    assert state.stage == Stage.WITHDRAWN and state.outcome == "other.other"


def test_a_step_before_receipt_is_refused(calendar):
    with pytest.raises(RuleViolation, match="不能早于收到申请之日"):
        run(calendar, receive("2024-03-01"), c.Decide(at=at("2024-02-28"), outcome="disclosed"))


# -- review and litigation -----------------------------------------------------------------------
def test_suit_after_review_needs_a_closed_review(calendar):
    decided = (receive(), c.Decide(at=at("2024-03-04"), outcome="withheld.process_info"),
               *issued_reply(at("2024-03-04"), "withheld.process_info"), c.Deliver(at=at("2024-03-05"), method="in_person"))
    with pytest.raises(RuleViolation, match="须本申请有已审结的行政复议"):
        run(calendar, *decided, c.FileLitigation(at=at("2024-04-01"), case="L1", after_review=True))
    state = run(calendar, *decided, c.FileReview(at=at("2024-03-20"), case="R1"),
                c.CloseReview(at=at("2024-05-20"), case="R1", result="maintained"),
                c.FileLitigation(at=at("2024-05-30"), case="L1", after_review=True))
    assert state.reviews["R1"].result == "maintained" and state.litigations["L1"].after_review


def test_review_only_after_a_decision(calendar):
    with pytest.raises(RuleViolation, match="申请当前为“办理中”，不能办理"):
        run(calendar, receive(), c.FileReview(at=at("2024-03-04"), case="R1"))


def test_closing_with_a_pending_case_is_refused(calendar):
    with pytest.raises(RuleViolation, match="尚有未审结的行政复议或行政诉讼（R1）"):
        run(calendar, receive(), c.Decide(at=at("2024-03-04"), outcome="partial"),
            *issued_reply(at("2024-03-04"), "partial"), c.Deliver(at=at("2024-03-05"), method="post"),
            c.FileReview(at=at("2024-03-20"), case="R1"), c.Close(at=at("2024-03-21")))


# -- the definition itself -----------------------------------------------------------------------
def test_every_state_is_reachable_and_can_finish():
    assert set(WORKFLOW.commands_from(Stage.CLOSED)) == set()
    assert WORKFLOW.commands_from(Stage.NEW) == ["receive"]


def test_a_definition_with_an_unreachable_state_is_rejected():
    from enum import Enum

    class S(Enum):
        A = "a"
        B = "b"
        LOST = "lost"

    with pytest.raises(DefinitionError, match="unreachable states: LOST"):
        MachineDefinition("t", S, S.A, frozenset({S.B}), [Transition((S.A,), "go", S.B, "x"), Transition((S.LOST,), "go", S.B, "x")])


def test_a_definition_with_an_exit_from_a_final_state_is_rejected():
    from enum import Enum

    class S(Enum):
        A = "a"
        B = "b"

    with pytest.raises(DefinitionError, match="final state B"):
        MachineDefinition("t", S, S.A, frozenset({S.B}), [Transition((S.A,), "go", S.B, "x"), Transition((S.B,), "back", S.A, "x")])


def test_a_definition_with_a_trap_state_is_rejected():
    from enum import Enum

    class S(Enum):
        A = "a"
        TRAP = "trap"
        B = "b"

    with pytest.raises(DefinitionError, match="no final state can be reached: TRAP"):
        MachineDefinition("t", S, S.A, frozenset({S.B}), [Transition((S.A,), "go", S.B, "x"), Transition((S.A,), "fall", S.TRAP, "x")])


def test_docs_workflow_md_is_generated_from_the_definition():
    from pathlib import Path

    from workflows.workflow_docs import workflow_markdown

    committed = (Path(__file__).resolve().parents[2] / "docs" / "workflow.md").read_text(encoding="utf-8")
    assert committed == workflow_markdown(), "docs/workflow.md is stale: run `make docs`"


def test_a_deadline_explains_its_suspended_days_and_holidays_art32(calendar):
    from workflows.foi.deadlines import explain

    state = run(calendar, receive("2024-03-28"), c.StartConsultation(at=at("2024-04-01"), party="third_party"),
                c.EndConsultation(at=at("2024-04-03"), party="third_party", opinion="object"))
    period = explain(state, "reply", calendar, dt.date(2024, 5, 1))
    reasons = {d.day.isoformat(): d.reason for d in period.trail}
    assert reasons["2024-04-02"] == reasons["2024-04-03"] == "期限中止（不计入）"
    assert reasons["2024-04-04"] == "法定节假日" and reasons["2024-04-07"].startswith("调休上班日")
    assert period.due.isoformat() == reply_due(state)


def test_confirming_a_channel_that_needs_no_confirmation_is_refused_art31(calendar):
    with pytest.raises(RuleViolation, match="以提交或签收之日为收到申请之日，不经确认"):
        run(calendar, receive("2024-03-01", "in_person"), c.ConfirmReceipt(at=at("2024-03-04")))


def test_a_confirmation_before_the_application_arrived_is_refused_art31(calendar):
    with pytest.raises(RuleViolation, match="不能早于申请到达之日"):
        run(calendar, receive("2024-03-04", "online", confirmed="2024-03-01"))


def test_every_article_of_chapter_4_is_placed_arts_27_to_45():
    from workflows.foi.articles import ARTICLES, CHAPTER_4

    assert sorted(ARTICLES) == list(CHAPTER_4)
    assert all(asks and where for asks, where in ARTICLES.values())
