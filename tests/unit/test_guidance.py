"""The request page's next legal steps (workflows/foi/guidance.py, through step_forms.offered_steps): in the
procedure's order, each with the paper it needs, the rare ones under 其他操作, none the state already refuses."""

from __future__ import annotations

import datetime as dt

from tests.builders import issued_document, noticed_correction
from workflows.foi import commands as c
from workflows.foi.handle import handle
from workflows.foi.state import RequestState, Stage
from workflows.requests.step_forms import offered_steps


def at(moment: str) -> dt.datetime:
    return dt.datetime.fromisoformat(moment)


def run(calendar, *commands: c.Command, procedure: str | None = None, imported: bool = False,
        channel: str = "in_person") -> RequestState:
    """A request received on Friday 2024-03-01, then the commands."""
    receive = c.Receive(at=at("2024-03-01"), request_id="R1", agency="a", applicant={"kind": "natural_person", "name": "张三"},
                        channel=channel, subject="s", procedure=procedure,
                        imported_from="history.jsonl" if imported else None)
    state = handle(RequestState(), receive, receive.at, calendar).state
    for command in commands:
        state = handle(state, command, command.at, calendar).state
    return state


def next_and_other(state: RequestState) -> tuple[list[str], list[str]]:
    offered = offered_steps(state)
    return [s.command for s in offered if s.primary], [s.command for s in offered if not s.primary]


def test_a_fresh_request_offers_receipt_correction_consultation_extension_and_reply_first_art30_art33(calendar):
    state = run(calendar)
    first, other = next_and_other(state)
    assert first == ["receipt", "request_correction", "start_consultation", "extend", "decide"]
    steps = {s.command: s for s in offered_steps(state)}
    # the correction and the reply are carried by their papers: no form of their own, the paper's progress told
    assert not steps["request_correction"].takes_form and steps["request_correction"].paper.progress == "尚未起草"
    assert steps["decide"].paper.title == "政府信息公开申请答复书" and not steps["decide"].paper.issued
    assert steps["extend"].takes_form and steps["extend"].article == "Art. 33"
    assert "ask_reasons" in other and "withdraw" in other  # Art. 35 and the rest: 其他操作
    assert "confirm_receipt" not in first + other  # handed in: nothing to confirm (Art. 31)


def test_a_confirmable_channel_asks_for_the_confirmation_first_art31(calendar):
    first, _ = next_and_other(run(calendar, channel="post_plain"))
    assert first[:2] == ["receipt", "confirm_receipt"]


def test_art41_steps_only_for_a_request_to_correct_records_art41(calendar):
    disclosure_first, disclosure_other = next_and_other(run(calendar))
    assert "decide_record_correction" not in disclosure_first + disclosure_other
    first, other = next_and_other(run(calendar, procedure="record_correction"))
    assert "decide_record_correction" in first and "decide" not in first + other


def test_art35_reasons_are_under_other_steps_and_received_only_once_asked_art35(calendar):
    first, other = next_and_other(run(calendar))
    assert "ask_reasons" in other and "ask_reasons" not in first and "receive_reasons" not in first + other
    _, other = next_and_other(run(calendar, c.AskReasons(at=at("2024-03-04"))))
    assert "receive_reasons" in other and "ask_reasons" not in other


def test_no_second_correction_notice_or_extension_is_offered_art30_art33(calendar):
    state = run(calendar, *noticed_correction(at("2024-03-04"), 10), c.SubmitCorrection(at=at("2024-03-06")),
                c.Extend(at=at("2024-03-07"), approved_by="head", working_days=10))
    assert state.stage == Stage.PROCESSING
    first, other = next_and_other(state)
    assert "request_correction" not in first + other and "extend" not in first + other
    assert "decide" in first


def test_while_awaiting_correction_the_correction_comes_first_and_no_decision_before_the_lapse_art30(calendar):
    first, _ = next_and_other(run(calendar, *noticed_correction(at("2024-03-04"), 10)))
    assert first[:2] == ["record_notice_receipt", "submit_correction"] and "decide" not in first


def test_a_decided_request_is_served_through_its_reply_and_an_imported_one_by_the_form(calendar):
    reply = issued_document(at("2024-03-20"), "reply", "disclosed")
    state = run(calendar, *reply, c.Decide(at=at("2024-03-20"), outcome="disclosed"))
    [deliver] = [s for s in offered_steps(state) if s.primary]
    assert deliver.command == "deliver" and not deliver.takes_form and deliver.paper.progress == "已印发，待送达"
    imported = run(calendar, c.Decide(at=at("2024-03-20"), outcome="disclosed"), imported=True)
    [deliver] = [s for s in offered_steps(imported) if s.primary]
    assert deliver.takes_form and {f.name for f in deliver.fields} >= {"method"}
