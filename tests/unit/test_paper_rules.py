"""The workflow's paper rules (issue 11, DESIGN §3 and §9): a live request is served only issued papers, the reply is
on time by the service record's day (235号), a returned letter is served again, and the fee charged is the one the
issued notice states (109号 Art. 3)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import RuleViolation
from tests.builders import issued_document, issued_reply, noticed_correction
from workflows.foi import commands as c
from workflows.foi.handle import handle
from workflows.foi.state import RequestState, Stage
from workflows.foi.vocabulary import Flag


def at(moment: str) -> dt.datetime:
    return dt.datetime.fromisoformat(moment)


def run(calendar, *commands: c.Command, imported: bool = False) -> RequestState:
    """A request received on Friday 2024-03-01 (reply due 2024-03-29), then the commands."""
    receive = c.Receive(at=at("2024-03-01"), request_id="R1", agency="a", applicant={"kind": "natural_person", "name": "张三"},
                        channel="in_person", subject="s", imported_from="history.jsonl" if imported else None)
    state = handle(RequestState(), receive, receive.at, calendar).state
    for command in commands:
        state = handle(state, command, command.at, calendar).state
    return state


def decided_and_issued(day: str = "2024-03-28") -> tuple:
    return (*issued_reply(at(day)), c.Decide(at=at(day), outcome="disclosed"))


def test_a_correction_notice_is_issued_before_request_correction_on_a_live_request_art30(calendar):
    with pytest.raises(RuleViolation, match="补正告知书尚未印发，不能告知补正"):
        run(calendar, c.RequestCorrection(at=at("2024-03-04"), period_days=10))
    assert run(calendar, *noticed_correction(at("2024-03-04"), 10)).stage == Stage.AWAITING_CORRECTION
    imported = run(calendar, c.RequestCorrection(at=at("2024-03-04"), period_days=10), imported=True)
    assert imported.stage == Stage.AWAITING_CORRECTION  # a history brought in by `ogi import` has no papers in ogi


def test_a_fee_notice_is_issued_before_notify_fee_and_charges_one_method_only_109hao_art3(calendar):
    with pytest.raises(RuleViolation, match="收费通知书尚未印发，不能通知收费"):
        run(calendar, c.NotifyFee(at=at("2024-03-04"), amount_yuan=100, method="by_volume"))
    notice = issued_document(at("2024-03-04"), "fee_notice", fee={"method": "by_volume", "units": 120, "amount_yuan": 100})
    with pytest.raises(RuleViolation, match="一件申请只按一种方式计收"):
        run(calendar, *notice, c.NotifyFee(at=at("2024-03-04"), amount_yuan=100, method="per_request"))
    with pytest.raises(RuleViolation, match="金额为100元，不是120元"):
        run(calendar, *notice, c.NotifyFee(at=at("2024-03-04"), amount_yuan=120, method="by_volume"))
    assert run(calendar, *notice, c.NotifyFee(at=at("2024-03-04"), amount_yuan=100, method="by_volume")).fee_amount_yuan == 100


def test_a_reply_posted_on_the_due_day_and_recorded_later_is_on_time_235hao(calendar):
    recorded_late = c.Deliver(at=at("2024-04-02T10:00"), method="post", served_on="2024-03-29")
    state = run(calendar, *decided_and_issued(), recorded_late)
    assert state.stage == Stage.SERVED and state.delivered_on == dt.date(2024, 3, 29)
    assert Flag.LATE_REPLY not in state.flags
    posted_late = run(calendar, *decided_and_issued(), c.Deliver(at=at("2024-04-02T10:00"), method="post",
                                                                  served_on="2024-04-01"))
    assert Flag.LATE_REPLY in posted_late.flags
    without_record = run(calendar, *decided_and_issued(), c.Deliver(at=at("2024-04-02T10:00"), method="post"))
    assert Flag.LATE_REPLY in without_record.flags  # no service day recorded: the day of the step counts


def test_a_service_day_before_the_decision_or_after_the_record_is_refused_235hao(calendar):
    with pytest.raises(RuleViolation, match="早于作出答复之日"):
        run(calendar, *decided_and_issued(), c.Deliver(at=at("2024-04-02"), method="post", served_on="2024-03-20"))
    with pytest.raises(RuleViolation, match="晚于记录送达之日"):
        run(calendar, *decided_and_issued(), c.Deliver(at=at("2024-04-02"), method="post", served_on="2024-04-03"))


def test_the_service_record_sets_the_legal_service_day_by_method_235hao(calendar):
    by_post = c.ServeDocument(at=at("2024-04-02"), doc_type="reply", method="post", tracking_no="EMS1",
                              posted_on="2024-03-29", signed_on="2024-04-01")
    [reply] = run(calendar, *decided_and_issued(), by_post).documents
    assert reply.served_on == dt.date(2024, 3, 29) and reply.service["service_day"] == "2024-03-29"
    in_person = c.ServeDocument(at=at("2024-04-02"), doc_type="reply", method="personal", signed_on="2024-04-01")
    assert run(calendar, *decided_and_issued(), in_person).documents[0].served_on == dt.date(2024, 4, 1)
    with pytest.raises(RuleViolation, match="邮寄送达须记录邮件单号和交邮日期"):
        run(calendar, *decided_and_issued(), c.ServeDocument(at=at("2024-04-02"), doc_type="reply", method="post"))
    with pytest.raises(RuleViolation, match="早于文书印发之日"):
        run(calendar, *decided_and_issued(), c.ServeDocument(at=at("2024-04-02"), doc_type="reply", method="post",
                                                              tracking_no="EMS1", posted_on="2024-03-27"))


def test_a_returned_reply_is_served_again_and_the_request_waits_for_it_235hao(calendar):
    posted = (c.ServeDocument(at=at("2024-03-28T15:00"), doc_type="reply", method="post", tracking_no="EMS1",
                              posted_on="2024-03-28"),
              c.Deliver(at=at("2024-03-28T15:00"), method="post", served_on="2024-03-28"))
    returned = c.ReturnDocument(at=at("2024-04-08"), doc_type="reply", reason="查无此人")
    state = run(calendar, *decided_and_issued(), *posted, returned)
    assert state.stage == Stage.DECIDED and state.delivered_on is None
    [reply] = state.documents
    assert (reply.state, reply.returned_on, reply.return_reason) == ("returned", dt.date(2024, 4, 8), "查无此人")
    again = (c.ServeDocument(at=at("2024-04-09"), doc_type="reply", method="personal", signed_on="2024-04-09"),
             c.Deliver(at=at("2024-04-09"), method="in_person", served_on="2024-04-09"))
    served = run(calendar, *decided_and_issued(), *posted, returned, *again)
    assert served.stage == Stage.SERVED and served.documents[0].state == "served"
    assert Flag.LATE_REPLY in served.flags  # the letter that came back served nothing; the second service was late


def test_only_a_served_letter_comes_back_and_not_one_signed_for_in_person_235hao(calendar):
    with pytest.raises(RuleViolation, match="只有已送达的邮件才会退回"):
        run(calendar, *decided_and_issued(), c.ReturnDocument(at=at("2024-04-08"), doc_type="reply", reason="拒收"))
    handed = c.ServeDocument(at=at("2024-03-28T15:00"), doc_type="reply", method="personal", signed_on="2024-03-28")
    with pytest.raises(RuleViolation, match="直接送达并经签收的文书已经送达"):
        run(calendar, *decided_and_issued(), handed, c.ReturnDocument(at=at("2024-04-08"), doc_type="reply", reason="拒收"))
    posted = c.ServeDocument(at=at("2024-03-28T15:00"), doc_type="reply", method="post", tracking_no="EMS1",
                             posted_on="2024-03-28")
    with pytest.raises(RuleViolation, match="退件须写明退回原因"):
        run(calendar, *decided_and_issued(), posted, c.ReturnDocument(at=at("2024-04-08"), doc_type="reply", reason=" "))
