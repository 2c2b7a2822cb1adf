"""Issue 19 item 1, one message catalogue: every refusal the workflow gives a person is in Chinese, names the field a
clerk sees (the machine name only in parentheses or quotes), and cites its rule through cite() — or carries one of the
workflow's own codes, which cite nothing. The CLI prints it after "错误：" with its 依据, never "error:".
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from engine.errors import RuleViolation
from tests.builders import noticed_correction, noticed_fee, through_replies
from workflows.foi import commands as c
from workflows.foi import paper_trail
from workflows.foi.citations import cite
from workflows.foi.definition import WORKFLOW
from workflows.foi.handle import handle
from workflows.foi.refusal_text import WORKFLOW_CODES, refusal_text
from workflows.foi.state import RequestState, Stage

# the workflow's own rule codes: a refusal under them says in words what is wrong and cites no published rule
# documented in refusal_text.py; the codes in Chinese words name what a step does, not a rule, and cite nothing
INTERNAL_CODES = WORKFLOW_CODES | {"归档", "内部办理", "记录更正", "记录更正（不修改、不删除）"}
NOT_YET_CITED: set[str] = set()  # codes that should cite and do not yet: none left
_QUOTED = re.compile(r"（[^（）]*）|\([^()]*\)|“[^“”]*”|「[^「」]*」|U\+[0-9A-F]{4}|YYYY-MM-DD")


def english_left(reason: str) -> str:
    """What remains of ASCII letters once field names in parentheses, quoted values and code points are taken out."""
    text = reason
    for _ in range(3):  # nested parentheses: （form_reason：…，《条例》第四十条）
        text = _QUOTED.sub("", text)
    return "".join(re.findall(r"[A-Za-z]+", text))


def assert_in_chinese(error: RuleViolation) -> None:
    assert re.search(r"[\u4e00-\u9fff]", error.reason), error.reason
    assert not english_left(error.reason), f"English in a refusal: {error.reason!r}"
    assert "DESIGN" not in error.reason and "§" not in error.reason and "ogi " not in error.reason
    assert cite(error.rule) or error.rule in INTERNAL_CODES | NOT_YET_CITED, \
        f"rule {error.rule!r} cites nothing: {error.reason!r}"


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day)


def receive(**overrides) -> c.Receive:
    fields = {"at": at("2024-03-01"), "request_id": "R1", "agency": "a", "applicant": {"kind": "natural_person",
              "name": "张三"}, "channel": "in_person", "subject": "s"}
    return c.Receive(**{**fields, **overrides})


def refusal(calendar, *commands: c.Command, now: str | None = None) -> RuleViolation:
    state = RequestState()
    with pytest.raises(RuleViolation) as refused:
        for command in through_replies(commands):
            state = handle(state, command, at(now) if now else command.at, calendar).state
    return refused.value


D = at("2024-03-04")
REFUSED: dict[str, tuple[c.Command, ...]] = {  # a representative bad step for every guard of the definition
    "unknown_channel_art31": (receive(channel="carrier_pigeon"),),
    "unknown_applicant_kind": (receive(applicant={"kind": "alien", "name": "X"}),),
    "no_request_id": (receive(request_id=""),),
    "unknown_form_art40": (receive(form_requested="scroll"),),
    "blank_assistant_art43": (receive(assisted_by="  "),),
    "confirmed_before_arrival_art31": (receive(channel="online", confirmed_at=at("2024-02-01")),),
    "confirmation_of_in_person_art31": (receive(), c.ConfirmReceipt(at=D)),
    "control_character": (receive(subject="a\x00b"),),
    "correction_twice_art30": (receive(), *noticed_correction(D, 10), c.SubmitCorrection(at=at("2024-03-05")),
                               *noticed_correction(at("2024-03-06"), 10)),
    "correction_period_art30": (receive(), c.RequestCorrection(at=D, period_days=500)),
    "unknown_party_art32": (receive(), c.StartConsultation(at=D, party="neighbour")),
    "wrong_party_ended_art34": (receive(), c.StartConsultation(at=D, party="third_party"),
                                c.EndConsultation(at=D, party="agency", opinion="consent")),
    "fee_twice_109": (receive(), *noticed_fee(D, 100, "by_volume"), c.PayFee(at=D), *noticed_fee(D, 100, "by_volume")),
    "fee_amount_109": (receive(), c.NotifyFee(at=D, amount_yuan=-5, method="by_volume")),
    "extension_days_art33": (receive(), c.Extend(at=D, working_days=30, approved_by="head")),
    "extension_without_head_art33": (receive(), c.Extend(at=D, working_days=10, approved_by=" ")),
    "extension_twice_art33": (receive(), c.Extend(at=D, working_days=10, approved_by="head"),
                              c.Extend(at=D, working_days=10, approved_by="head")),
    "unknown_outcome_art36": (receive(), c.Decide(at=D, outcome="published")),
    "no_correction_too_early_art30": (receive(), *noticed_correction(D, 10), c.Decide(at=at("2024-03-05"),
                                                                                     outcome="other.no_correction")),
    "unclear_without_correction_art30": (receive(), c.Decide(at=D, outcome="unable.unclear")),
    "unpaid_outside_payment_109": (receive(), c.Decide(at=D, outcome="other.unpaid_fee")),
    "unknown_delivery_method": (receive(), c.Decide(at=D, outcome="disclosed"), c.Deliver(at=D, method="pigeon")),
    "review_without_case": (receive(), c.Decide(at=D, outcome="disclosed"), c.FileReview(at=D, case="")),
    "suit_after_no_review": (receive(), c.Decide(at=D, outcome="disclosed"),
                             c.FileLitigation(at=D, case="L1", after_review=True)),
    "close_unknown_review": (receive(), c.Decide(at=D, outcome="disclosed"),
                             c.CloseReview(at=D, case="R9", result="maintained")),
    "reasons_not_asked_art35": (receive(), c.ReceiveReasons(at=D, reasonable=True)),
    "reasons_asked_twice_art35": (receive(), c.AskReasons(at=D), c.AskReasons(at=D)),
    "void_without_reason": (receive(), c.VoidStep(at=D, version=2, reason=" ", approved_by="head")),
    "void_of_nothing": (receive(), c.VoidStep(at=D, version=9, reason="录错", approved_by="head")),
    "before_receipt": (receive(), c.AskReasons(at=at("2024-02-01"))),
    "earlier_than_previous": (receive(), c.AskReasons(at=at("2024-03-05")), c.Withdraw(at=at("2024-03-04"))),
    "assign_without_department": (receive(), c.AssignDepartment(at=D, department=" ")),
    "transfer_without_department": (receive(), c.TransferDepartment(at=D, department="x", reason="y")),
    "approval_of_unknown_kind": (receive(), c.RequestApproval(at=D, kind="decide", step={}, reason="")),
    "grant_of_nothing": (receive(), c.GrantApproval(at=D, approval_id="a9", opinion="")),
    "not_possible_in_state": (receive(), c.PayFee(at=D)),
    "unknown_step": (receive(), c.Close(at=D)),
}


@pytest.mark.parametrize("name", REFUSED)
def test_every_guard_refuses_in_chinese_with_a_citable_rule(calendar, name):
    assert_in_chinese(refusal(calendar, *REFUSED[name]))


def test_a_step_in_the_future_is_refused_in_chinese(calendar):
    error = refusal(calendar, receive(at=at("2024-03-02")), now="2024-03-01")
    assert_in_chinese(error)
    assert "晚于现在" in error.reason and error.rule == "chronology"


# a history reaching each stage, to walk every step the stage does not allow
REACHING: dict[Stage, tuple[c.Command, ...]] = {
    Stage.NEW: (),
    Stage.PROCESSING: (receive(),),
    Stage.AWAITING_CORRECTION: (receive(), *noticed_correction(D, 10)),
    Stage.CONSULTING: (receive(), c.StartConsultation(at=D, party="third_party")),
    Stage.AWAITING_PAYMENT: (receive(), *noticed_fee(D, 100, "by_volume")),
    Stage.DECIDED: (receive(), c.Decide(at=D, outcome="disclosed")),
    Stage.WITHDRAWN: (receive(), c.Withdraw(at=D)),
}


@pytest.mark.parametrize("stage", list(REACHING), ids=lambda s: s.value)
def test_every_step_a_stage_does_not_allow_is_refused_by_its_labels_in_chinese(calendar, stage):
    state = RequestState()
    for command in through_replies(REACHING[stage]):
        state = handle(state, command, command.at, calendar).state
    assert state.stage == stage
    allowed = set(WORKFLOW.commands_from(stage))
    refused = {row.command for row in WORKFLOW.transitions} - allowed - set(c.SYSTEM_COMMANDS)
    assert refused
    for command_name in sorted(refused):
        with pytest.raises(RuleViolation) as error:
            WORKFLOW.transition(stage, command_name, None, state)
        assert_in_chinese(error.value)
        assert f"申请当前为“{WORKFLOW.state_labels[stage]}”" in error.value.reason
        assert command_name not in error.value.reason  # the step by its name, not its identifier


def test_the_refusal_cites_the_rule_as_an_agency_does_art33(calendar):
    error = refusal(calendar, receive(), c.Extend(at=D, working_days=30, approved_by="head"))
    assert refusal_text(error) == "延长的期限（working_days）应为 1 至 20 个工作日，不能是 30（依据：《条例》第三十三条）"


def test_the_rule_codes_of_the_definition_cite_a_rule_or_are_the_workflows_own():
    for row in WORKFLOW.transitions:
        assert cite(row.article) or row.article in INTERNAL_CODES | NOT_YET_CITED, (row.command, row.article)
        if row not in paper_trail.TRANSITIONS:  # this part's rows; paper_trail.py is another's
            assert "DESIGN" not in row.article, (row.command, row.article)


def test_the_remedy_laws_cite_their_full_names():
    assert cite("行政复议法 Art. 20") == "《中华人民共和国行政复议法》第二十条"
    assert cite("行政诉讼法 Art. 45, 46") == "《中华人民共和国行政诉讼法》第四十五条、第四十六条"


def test_no_transition_cites_an_internal_reference():
    assert not [row.command for row in WORKFLOW.transitions if "DESIGN" in row.article or "§" in row.article]


def test_the_english_check_finds_english():
    assert english_left("a request needs the 申请人姓名或名称 applicant name") == "arequestneedstheapplicantname"
    assert english_left("补正期限（period_days）应为 1 至 120 个工作日") == ""
