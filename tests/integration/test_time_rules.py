"""A step entered late is judged as of its own date (issue 8): the cases a clerk met, each as a named test.

The clock stands at 2026-11-26 09:00; every step below is entered today with `--at` in the past, as a clerk
enters yesterday's paper steps. Each test also checks that the history entered step by step folds to the same
state as `ogi import` of the same history.
"""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import RuleViolation
from tests.builders import (
    as_lines,
    event,
    issued_document,
    noticed_correction,
    noticed_fee,
    request_line,
    through_replies,
)
from tests.world import user
from workflows.foi import commands as c
from workflows.foi.vocabulary import Flag
from workflows.requests.importer import ImportRefused, import_lines
from workflows.streams import fold_stored, request_stream


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day)


def receive(services, request_id: str, day: str, **fields) -> None:
    applicant = {"kind": "natural_person", "name": "张三"}
    services.requests.receive(c.Receive(at=at(day), request_id=request_id, agency="hedong-xzsp", applicant=applicant,
                                        channel=fields.pop("channel", "in_person"), subject="s", **fields),
                              user(services, "clerk"))


def act(services, request_id: str, *commands: c.Command, who: str = "clerk"):
    """Each command in order (e.g. an issued notice and the step it carries); the state after the last. A decision
    comes with its issued reply, and a document's approval is the head's own act (DESIGN §9)."""
    state = None
    for command in through_replies(commands):
        actor = "head" if isinstance(command, c.ApproveDocument) else who
        state = services.requests.act(request_id, command, user(services, actor))
    return state


def events_of(services, request_id: str):
    with services.engine.connect() as conn:
        return services.store.read_stream(conn, request_stream(request_id))


def imported_state(services, record: dict):
    import_lines(services.requests, as_lines(record), user(services))
    with services.engine.connect() as conn:
        return services.requests.load(conn, record["id"]).state


def same_outcome(a, b) -> bool:
    return (a.stage, a.outcome, a.deadlines, set(a.flags), a.suspensions, a.lapsed) == \
        (b.stage, b.outcome, b.deadlines, set(b.flags), b.suspensions, b.lapsed)


# -- Art. 30: no decision "not corrected" before the applicant's period ended ------------------------------------

def test_a_no_correction_decision_dated_inside_the_correction_period_is_refused_art30(sqlite_services):
    services = sqlite_services
    receive(services, "T-1", "2026-10-09")
    act(services, "T-1", *noticed_correction(at=at("2026-10-12"), period_days=10))  # the period ends 2026-10-26
    with pytest.raises(RuleViolation, match="须在补正期限届满后作出.*《条例》第三十条"):
        act(services, "T-1", c.Decide(at=at("2026-10-20"), outcome="other.no_correction"))
    state = act(services, "T-1", c.Decide(at=at("2026-10-28"), outcome="other.no_correction"))
    assert state.outcome == "other.no_correction"


def test_a_correction_received_in_time_but_entered_late_withdraws_the_lapse_art30(sqlite_services):
    services = sqlite_services
    receive(services, "T-2", "2026-10-09")
    act(services, "T-2", *noticed_correction(at=at("2026-10-12"), period_days=10))
    assert any(e.type == "period_lapsed" for e in events_of(services, "T-2"))  # fired up to today
    state = act(services, "T-2", c.SubmitCorrection(at=at("2026-10-20")))
    assert Flag.CORRECTION_LAPSED not in state.flags and not state.has_lapsed("correction")
    events = events_of(services, "T-2")
    withdrawal = [e for e in events if e.type == "system_events_withdrawn"][-1]
    lapse = next(e for e in events if e.type == "period_lapsed" and e.payload["period"] == "correction")
    assert lapse.version in withdrawal.payload["untrue"]  # the lapse did not happen: withdrawn, not deleted
    assert fold_stored(events) == state
    record = request_line("T-2i", "2026-10-09", event("correction_requested", "2026-10-12", period_days=10),
                          event("corrected", "2026-10-20"))
    assert same_outcome(state, imported_state(services, record))


# -- 109号: no decision "fee not paid" before the payment period ended -------------------------------------------

def test_an_unpaid_fee_decision_six_days_after_the_notice_is_refused_109(sqlite_services):
    services = sqlite_services
    receive(services, "T-3", "2026-09-01")
    act(services, "T-3", *noticed_fee(at=at("2026-09-03"), amount_yuan=300))
    with pytest.raises(RuleViolation, match="须在缴费期限届满后作出.*国办函〔2020〕109号"):
        act(services, "T-3", c.Decide(at=at("2026-09-09"), outcome="other.unpaid_fee"))


def test_a_fee_paid_in_time_but_entered_late_leaves_no_lapse_behind_109(sqlite_services):
    services = sqlite_services
    receive(services, "T-4", "2026-09-01")
    act(services, "T-4", *noticed_fee(at=at("2026-09-03"), amount_yuan=300))
    state = act(services, "T-4", c.PayFee(at=at("2026-09-20")))
    assert Flag.PAYMENT_LAPSED not in state.flags
    state = act(services, "T-4", c.Decide(at=at("2026-09-25"), outcome="disclosed"))
    assert Flag.REPLY_OVERDUE not in state.flags and Flag.LATE_REPLY not in state.flags
    record = request_line("T-4i", "2026-09-01", event("fee_notified", "2026-09-03", amount_yuan=300, method="per_request"),
                          event("fee_paid", "2026-09-20"), event("decided", "2026-09-25", outcome="disclosed"))
    assert same_outcome(state, imported_state(services, record))


# -- Art. 32, 34: a consultation answered before its automatic end ------------------------------------------------

def test_a_consultation_answered_before_its_automatic_end_stops_the_clock_only_as_long_as_it_lasted_art32(sqlite_services):
    services = sqlite_services
    receive(services, "T-5", "2026-09-01")
    act(services, "T-5", c.StartConsultation(at=at("2026-09-03"), party="third_party"))  # auto end recorded by now
    state = act(services, "T-5", c.EndConsultation(at=at("2026-09-10"), opinion="consent"))
    assert state.suspensions[-1].end == dt.date(2026, 9, 10)
    record = request_line("T-5i", "2026-09-01", event("consultation_started", "2026-09-03", party="third_party"),
                          event("consultation_ended", "2026-09-10", opinion="consent"))
    assert same_outcome(state, imported_state(services, record))


def test_another_agencys_silence_is_recorded_as_consent_art34(sqlite_services):
    services = sqlite_services
    receive(services, "T-6", "2026-09-01")
    act(services, "T-6", c.StartConsultation(at=at("2026-09-03"), party="agency"))
    ended = next(e for e in events_of(services, "T-6") if e.type == "consultation_ended")
    assert ended.payload["auto"] and ended.payload["opinion"] == "consent"


def test_a_third_partys_silence_is_no_opinion_art32(sqlite_services):
    services = sqlite_services
    receive(services, "T-7", "2026-09-01")
    act(services, "T-7", c.StartConsultation(at=at("2026-09-03"), party="third_party"))
    ended = next(e for e in events_of(services, "T-7") if e.type == "consultation_ended")
    assert ended.payload["opinion"] == "none"


# -- Art. 33: a late extension cannot make a reply timely ---------------------------------------------------------

def test_an_extension_after_the_reply_period_leaves_the_reply_late_art33(sqlite_services):
    services = sqlite_services
    receive(services, "T-8", "2026-09-01")  # reply due 2026-09-29 (20 working days)
    state = act(services, "T-8", c.Extend(at=at("2026-10-12")), who="head")  # the head's own extension
    assert Flag.LATE_EXTENSION in state.flags
    state = act(services, "T-8", c.Decide(at=at("2026-10-14"), outcome="disclosed"))  # inside the extended period
    assert Flag.LATE_REPLY in state.flags and Flag.REPLY_OVERDUE in state.flags


# -- chronology -----------------------------------------------------------------------------------------------------

def test_a_request_received_in_the_future_is_refused(sqlite_services):
    with pytest.raises(RuleViolation, match="晚于现在.*不能记录将来的步骤"):
        receive(sqlite_services, "T-9", "2026-11-27")


def test_a_step_dated_in_the_future_is_refused(sqlite_services):
    receive(sqlite_services, "T-10", "2026-11-20")
    with pytest.raises(RuleViolation, match="晚于现在.*不能记录将来的步骤"):
        act(sqlite_services, "T-10", c.Decide(at=at("2026-11-26T09:30"), outcome="disclosed"))


def test_a_step_dated_before_another_persons_step_is_refused_even_after_a_lapse(sqlite_services):
    services = sqlite_services
    receive(services, "T-11", "2026-09-01")
    act(services, "T-11", *noticed_correction(at=at("2026-09-03"), period_days=5))
    with pytest.raises(RuleViolation, match="早于上一步骤"):
        act(services, "T-11", c.SubmitCorrection(at=at("2026-09-02")))


# -- refusals name the rule -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command, rule", [
    (c.PayFee(at=at("2026-09-05")), "109号"),
    (c.EndConsultation(at=at("2026-09-05")), "Art. 32, 34"),
    (c.SubmitCorrection(at=at("2026-09-05")), "Art. 30"),
    (c.Deliver(at=at("2026-09-05")), "235号"),
], ids=["pay_fee_without_notice", "end_consultation_without_one", "correction_without_notice", "deliver_undecided"])
def test_a_step_without_its_prerequisite_is_refused_with_the_rule(sqlite_services, command, rule):
    receive(sqlite_services, "T-12", "2026-09-01")
    with pytest.raises(RuleViolation) as refused:
        act(sqlite_services, "T-12", command)
    assert refused.value.rule == rule and "：须" in str(refused.value)


# -- the importer checks approvers as the command line does (Art. 33) ---------------------------------------------

def test_an_imported_extension_approved_by_a_staff_user_is_refused_art33(sqlite_services):
    record = request_line("T-13", "2026-09-01", event("extended", "2026-09-20", working_days=20, approved_by="clerk"))
    with pytest.raises(ImportRefused, match="的角色是经办人，延长答复期限须经负责人同意（依据：《条例》第三十三条第二款）"):
        import_lines(sqlite_services.requests, as_lines(record), user(sqlite_services))


def test_an_imported_extension_approved_by_a_name_that_is_no_user_is_kept_as_recorded_art33(sqlite_services):
    record = request_line("T-14", "2026-09-01", event("extended", "2026-09-20", working_days=20, approved_by="李主任"))
    import_lines(sqlite_services.requests, as_lines(record), user(sqlite_services))
    with sqlite_services.engine.connect() as conn:
        assert sqlite_services.requests.load(conn, "T-14").state.extension_approved_by == "李主任"


def test_a_lapse_made_due_by_a_later_event_is_dated_at_that_event_and_withdrawn_with_it(sqlite_services):
    """Found by the property: the reply period (extended by one day) ended during a consultation begun after it;
    the lapse fired when the consultation ended by itself, so it is dated then, and a withdrawal dated before
    that end withdraws both."""
    services = sqlite_services
    receive(services, "T-15", "2025-06-01")
    act(services, "T-15", c.StartConsultation(at=at("2025-07-11T08:00"), party="third_party"))
    act(services, "T-15", c.Extend(at=at("2025-07-11T08:00"), working_days=1), who="head")
    lapse = [e for e in events_of(services, "T-15") if e.type == "period_lapsed" and e.payload["due"] == "2025-07-01"][-1]
    ended = next(e for e in events_of(services, "T-15") if e.type == "consultation_ended")
    assert lapse.occurred_at >= ended.occurred_at > at("2025-07-11T08:00")
    state = act(services, "T-15", c.Withdraw(at=at("2025-07-11T08:00")))
    record = request_line("T-15i", "2025-06-01", event("consultation_started", "2025-07-11T08:00", party="third_party"),
                          event("extended", "2025-07-11T08:00", working_days=1, approved_by="head"),
                          event("withdrawn", "2025-07-11T08:00"))
    assert same_outcome(state, imported_state(services, record))


# -- mistaken entries are corrected in the open (issue 9) -----------------------------------------------------------

def test_a_step_with_a_mistyped_date_is_voided_and_the_request_moves_on(sqlite_services):
    services = sqlite_services
    receive(services, "T-16", "2026-10-09")
    act(services, "T-16", *issued_document(at("2026-10-12"), "correction_notice"))
    act(services, "T-16", c.RequestCorrection(at=at("2026-11-25"), period_days=10))  # meant 2026-10-12
    with pytest.raises(RuleViolation, match="早于上一步骤"):
        act(services, "T-16", c.SubmitCorrection(at=at("2026-10-20")))  # blocked by the mistyped date
    mistyped = [e for e in events_of(services, "T-16") if e.type == "correction_requested"][0]
    asked = act(services, "T-16", c.VoidStep(at=at("2026-11-26T09:00"), version=mistyped.version,
                                             reason="日期误录，应为2026-10-12"))
    assert asked.correction_notice_on is not None and asked.approvals[-1].status == "pending"  # the clerk only asks
    services.approvals.approve(f"T-16:{asked.approvals[-1].id}", user(services, "head"))  # granted in 审批
    with services.engine.connect() as conn:
        state = services.requests.load(conn, "T-16").state
    assert state.stage == "processing" and state.correction_notice_on is None
    act(services, "T-16", c.RequestCorrection(at=at("2026-10-12"), period_days=10))
    state = act(services, "T-16", c.SubmitCorrection(at=at("2026-10-20")))
    record = request_line("T-16i", "2026-10-09", event("correction_requested", "2026-10-12", period_days=10),
                          event("corrected", "2026-10-20"))
    assert same_outcome(state, imported_state(services, record))
    types = [e.type for e in events_of(services, "T-16")]
    assert "step_voided" in types and types.count("correction_requested") == 2  # both kept: never an edit
    from workflows.readmodels.history import history

    with services.engine.connect() as conn:
        shown = history(services.store, conn, "T-16")["events"]
    voided_by = types.index("step_voided") + 1
    assert shown[mistyped.version - 1]["withdrawn_by"] == voided_by  # history shows which event voided it


def test_only_a_persons_step_can_be_voided(sqlite_services):
    services = sqlite_services
    receive(services, "T-17", "2026-09-01")
    with pytest.raises(RuleViolation, match="收到申请本身不能撤销"):
        act(services, "T-17", c.VoidStep(at=at("2026-11-26T09:00"), version=1, reason="x"), who="head")
    lapse = next(e for e in events_of(services, "T-17") if e.type == "period_lapsed")
    with pytest.raises(RuleViolation, match="不是经办人的步骤，不能单独撤销"):
        act(services, "T-17", c.VoidStep(at=at("2026-11-26T09:00"), version=lapse.version, reason="x"), who="head")
