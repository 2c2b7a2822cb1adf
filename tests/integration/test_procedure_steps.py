"""Steps of chapter 4 added with issue 8: notice receipt (Art. 30, 109号), Art. 35 reasons, Art. 36/37 reasons and
the responsible agency, Art. 40 form, Art. 43 assisted applications. Pure core, each test names its article."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import RuleViolation
from tests.builders import as_lines, event, noticed_correction, noticed_fee, request_line, through_replies
from tests.world import user
from workflows.foi import commands as c
from workflows.foi.handle import handle
from workflows.foi.state import RequestState
from workflows.foi.vocabulary import Flag
from workflows.requests.importer import import_lines


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day)


def run(calendar, *commands, **receive_fields) -> RequestState:
    receive = c.Receive(at=at("2024-03-01"), request_id="R1", agency="a", applicant={"kind": "natural_person", "name": "张三"},
                        channel="in_person", subject="s", **receive_fields)
    state = handle(RequestState(), receive, receive.at, calendar).state
    for command in through_replies(commands):  # a live request's decision comes with its issued reply
        state = handle(state, command, command.at, calendar).state
    return state


def due(state: RequestState, name: str) -> str | None:
    deadline = state.deadlines.get(name)
    return deadline.due.isoformat() if deadline and deadline.due else None


# -- the applicant's receipt of a notice ---------------------------------------------------------------------------

def test_the_correction_period_runs_from_the_day_the_applicant_received_the_notice_art30(calendar):
    noticed = run(calendar, *noticed_correction(at=at("2024-03-04"), period_days=10))
    received = run(calendar, *noticed_correction(at=at("2024-03-04"), period_days=10),
                   c.RecordNoticeReceipt(at=at("2024-03-07"), notice="correction"))
    assert due(noticed, "correction") == "2024-03-18"  # 10 working days after 4 March
    assert due(received, "correction") == "2024-03-21"  # 10 working days after 7 March


def test_the_payment_period_runs_from_the_day_the_applicant_received_the_fee_notice_109(calendar):
    state = run(calendar, *noticed_fee(at=at("2024-03-04"), amount_yuan=100),
                c.RecordNoticeReceipt(at=at("2024-03-06"), notice="fee"))
    assert due(state, "payment") == "2024-04-03"  # 20 working days after 6 March


def test_the_receipt_must_be_of_the_notice_awaiting_the_applicant_art30(calendar):
    with pytest.raises(RuleViolation, match="没有等待申请人的收费通知书；正在等待的是补正告知书"):
        run(calendar, *noticed_correction(at=at("2024-03-04T10:00"), period_days=10),
            c.RecordNoticeReceipt(at=at("2024-03-05"), notice="fee"))
    with pytest.raises(RuleViolation, match="早于上一步骤"):  # received before it was sent
        run(calendar, *noticed_correction(at=at("2024-03-04T10:00"), period_days=10),
            c.RecordNoticeReceipt(at=at("2024-03-04T09:00"), notice="correction"))


def test_a_notice_receipt_needs_a_notice_awaiting_the_applicant(calendar):
    with pytest.raises(RuleViolation, match="不能办理“申请人收到通知”：须有等待申请人的补正告知书或收费通知书"):
        run(calendar, c.RecordNoticeReceipt(at=at("2024-03-04"), notice="correction"))


# -- Art. 35 ----------------------------------------------------------------------------------------------------------

def test_reasonable_reasons_give_the_agencys_own_reply_period_art35(calendar):
    state = run(calendar, c.AskReasons(at=at("2024-03-04")),
                c.ReceiveReasons(at=at("2024-03-11"), reasonable=True, reply_days=30))
    assert state.deadlines["reply"].start == dt.date(2024, 3, 11) and state.deadlines["reply"].working_days == 30


def test_a_mass_repeat_rejection_after_reasonable_reasons_is_refused_art35(calendar):
    with pytest.raises(RuleViolation, match="被认定为合理（《条例》第三十五条）"):
        run(calendar, c.AskReasons(at=at("2024-03-04")), c.ReceiveReasons(at=at("2024-03-11"), reasonable=True),
            c.Decide(at=at("2024-03-12"), outcome="rejected.mass_repeat"))


def test_unreasonable_reasons_allow_the_mass_repeat_rejection_art35(calendar):
    state = run(calendar, c.AskReasons(at=at("2024-03-04")), c.ReceiveReasons(at=at("2024-03-11"), reasonable=False),
                c.Decide(at=at("2024-03-12"), outcome="rejected.mass_repeat"))
    assert state.outcome == "rejected.mass_repeat"


def test_reasons_cannot_be_recorded_before_they_were_asked_for_art35(calendar):
    with pytest.raises(RuleViolation, match="尚未要求申请人说明理由：须先“要求说明理由”"):
        run(calendar, c.ReceiveReasons(at=at("2024-03-11"), reasonable=True))


# -- Art. 36, 37, 40, 43 --------------------------------------------------------------------------------------------------

def test_the_reasons_and_the_responsible_agency_are_kept_with_the_decision_art36(calendar):
    state = run(calendar, c.Decide(at=at("2024-03-05"), outcome="unable.not_held",
                                   responsible_agency="河东区自然资源局，电话 0539-1234567"))
    assert state.responsible_agency.startswith("河东区自然资源局")
    state = run(calendar, c.Decide(at=at("2024-03-05"), outcome="partial", reasons="第三页含个人信息，已作区分处理"))
    assert state.decision_reasons == "第三页含个人信息，已作区分处理"


def test_a_form_other_than_the_one_asked_for_needs_its_reason_art40(calendar):
    with pytest.raises(RuleViolation, match="须说明理由（form_reason.*《条例》第四十条）"):
        run(calendar, c.Decide(at=at("2024-03-05"), outcome="disclosed", form_provided="inspection"), form_requested="paper")
    state = run(calendar, c.Decide(at=at("2024-03-05"), outcome="disclosed", form_provided="inspection",
                                   form_reason="原件为档案，复制可能损坏载体"), form_requested="paper")
    assert state.form_provided == "inspection" and Flag.FORM_CHANGED in state.flags


def test_an_assisted_application_records_who_helped_art43(calendar):
    assert run(calendar, assisted_by="窗口 王芳（代为填写）").assisted_by == "窗口 王芳（代为填写）"


def test_the_new_fields_come_through_an_import(sqlite_services):
    record = request_line("P-1", "2024-03-01",
                          event("correction_requested", "2024-03-04", period_days=10),
                          event("notice_received", "2024-03-07", notice="correction"),
                          event("corrected", "2024-03-15"),
                          event("decided", "2024-03-20", outcome="partial", reasons="含个人隐私", form_provided="electronic",
                                form_reason="纸质件过多"),
                          form_requested="paper", assisted_by="王芳")
    import_lines(sqlite_services.requests, as_lines(record), user(sqlite_services))
    with sqlite_services.engine.connect() as conn:
        state = sqlite_services.requests.load(conn, "P-1").state
    assert (state.correction_notice_received_on, state.decision_reasons, state.form_provided, state.assisted_by) == (
        dt.date(2024, 3, 7), "含个人隐私", "electronic", "王芳")


# -- Art. 41: a request to correct records about the applicant --------------------------------------------------------

def test_a_record_correction_request_is_answered_by_its_own_decision_art41(calendar):
    state = run(calendar, c.DecideRecordCorrection(at=at("2024-03-05"), result="corrected"), procedure="record_correction")
    assert (state.stage, state.record_correction_result, state.outcome) == ("decided", "corrected", None)
    with pytest.raises(RuleViolation, match="以“答复更正申请”作答.*《条例》第四十一条"):
        run(calendar, c.Decide(at=at("2024-03-05"), outcome="disclosed"), procedure="record_correction")
    with pytest.raises(RuleViolation, match="Art. 41"):
        run(calendar, c.DecideRecordCorrection(at=at("2024-03-05"), result="corrected"))


@pytest.mark.parametrize("command, message", [
    (c.DecideRecordCorrection(at=at("2024-03-05"), result="not_corrected"), "不予更正须说明理由（reasons）"),
    (c.DecideRecordCorrection(at=at("2024-03-05"), result="referred"), "competent_agency"),
    (c.DecideRecordCorrection(at=at("2024-03-05"), result="approved"), "更正结果（result）“approved”不是可选的值"),
], ids=["refusal_without_reasons", "referral_without_agency", "unknown_result"])
def test_a_record_correction_answer_says_why_or_where_art41(calendar, command, message):
    with pytest.raises(RuleViolation, match=message):
        run(calendar, command, procedure="record_correction")


def test_record_correction_requests_stay_out_of_the_annual_report_and_its_checks_art41(sqlite_services):
    from tests.builders import decided, load

    load(sqlite_services,
         request_line("RC-1", "2024-03-01", event("record_correction_decided", "2024-03-05", result="corrected"),
                      procedure="record_correction"),
         request_line("OGI-1", "2024-03-01", decided("2024-03-05", "disclosed")))
    report = sqlite_services.reports.annual(2024, "hedong-xzsp")
    assert report.ok and report.table3["new"][-1] == 1 and report.table3["disclosed"][-1] == 1


def test_a_record_correction_row_moved_into_the_report_is_caught_art41(sqlite_services):
    from sqlalchemy import update

    from tests.builders import load
    from workflows.report.source import ProjectionTampered
    from workflows.tables import requests_table

    load(sqlite_services, request_line("RC-2", "2024-03-01", procedure="record_correction"))
    with sqlite_services.engine.begin() as conn:
        conn.execute(update(requests_table).where(requests_table.c.request_id == "RC-2").values(procedure=None))
    with pytest.raises(ProjectionTampered):
        sqlite_services.reports.annual(2024, "hedong-xzsp")
