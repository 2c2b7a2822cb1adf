"""Handling inside an agency (issue 11 §6: 签收/转办/退回/协办): recorded as events, shown in history, and the reply
period keeps running through all of it (the agency received the request, Art. 33)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import NotFound, RuleViolation
from tests.conftest import AGENCY, user
from workflows.foi import commands as c
from workflows.foi.handle import handle
from workflows.foi.state import RequestState


def at(moment: str) -> dt.datetime:
    return dt.datetime.fromisoformat(moment)


def run(calendar, *commands: c.Command) -> RequestState:
    """A request received on Friday 2024-03-01 (reply due 2024-03-29), then the commands."""
    receive = c.Receive(at=at("2024-03-01"), request_id="R1", agency="a", applicant={"kind": "natural_person", "name": "张三"},
                        channel="in_person", subject="s")
    state = handle(RequestState(), receive, receive.at, calendar).state
    for command in commands:
        state = handle(state, command, command.at, calendar).state
    return state


def test_transfers_and_assistance_leave_the_reply_period_running_art33(calendar):
    received = run(calendar)
    worked = run(calendar, c.AssignDepartment(at=at("2024-03-04"), department="bangongshi"),
                 c.TransferDepartment(at=at("2024-03-06"), department="zhengce", reason="属政策文件"),
                 c.RequestAssistance(at=at("2024-03-07"), department="bangongshi", due_on="2024-03-20"),
                 c.AnswerAssistance(at=at("2024-03-12"), department="bangongshi", note="已提供档案"))
    assert worked.deadlines["reply"] == received.deadlines["reply"]
    assert worked.deadlines["reply"].due == dt.date(2024, 3, 29) and not worked.suspensions
    assert worked.department == "zhengce"
    [assist] = worked.assists
    assert (assist.department, assist.due_on, assist.answered_on) == ("bangongshi", dt.date(2024, 3, 20), dt.date(2024, 3, 12))


def test_a_request_sent_back_is_with_no_department_until_assigned_again(calendar):
    state = run(calendar, c.AssignDepartment(at=at("2024-03-04"), department="bangongshi"),
                c.SendBack(at=at("2024-03-05"), reason="非本部门职责"))
    assert state.department is None
    with pytest.raises(RuleViolation, match="申请尚未分办至承办部门"):
        run(calendar, c.SendBack(at=at("2024-03-05"), reason="非本部门职责"))
    with pytest.raises(RuleViolation, match="请转办（说明理由）或由该部门退回"):
        run(calendar, c.AssignDepartment(at=at("2024-03-04"), department="bangongshi"),
            c.AssignDepartment(at=at("2024-03-05"), department="zhengce"))


def test_a_transfer_or_send_back_states_its_reason(calendar):
    assigned = c.AssignDepartment(at=at("2024-03-04"), department="bangongshi")
    with pytest.raises(RuleViolation, match="转办须写明部门（department）和理由（reason）"):
        run(calendar, assigned, c.TransferDepartment(at=at("2024-03-05"), department="zhengce", reason=""))
    with pytest.raises(RuleViolation, match="退回须说明不属于本部门职责的理由（reason）"):
        run(calendar, assigned, c.SendBack(at=at("2024-03-05"), reason="  "))


def test_assistance_is_due_no_later_than_the_reply_art33(calendar):
    with pytest.raises(RuleViolation, match="晚于答复期限（2024-03-29）"):
        run(calendar, c.RequestAssistance(at=at("2024-03-04"), department="zhengce", due_on="2024-04-02"))
    with pytest.raises(RuleViolation, match="已经过去"):
        run(calendar, c.RequestAssistance(at=at("2024-03-04"), department="zhengce", due_on="2024-03-01"))
    with pytest.raises(RuleViolation, match="没有请“.*”协办，或该部门已经回复"):
        run(calendar, c.AnswerAssistance(at=at("2024-03-04"), department="zhengce"))
    asked = c.RequestAssistance(at=at("2024-03-04"), department="zhengce", due_on="2024-03-15")
    with pytest.raises(RuleViolation, match="该部门尚未回复"):
        run(calendar, asked, c.RequestAssistance(at=at("2024-03-05"), department="zhengce", due_on="2024-03-15"))


def test_a_department_must_exist_under_the_agency_and_the_steps_show_in_history(sqlite_services):
    services, clerk = sqlite_services, user(sqlite_services, "clerk")
    now = services.clock.now()
    services.requests.receive(c.Receive(at=now, request_id="DP-1", agency=AGENCY, channel="in_person", subject="s",
                                        applicant={"kind": "natural_person", "name": "张三"}), clerk)
    with pytest.raises(NotFound, match="没有代码为“caiwu”的部门（已有：bangongshi、zhengce）"):
        services.requests.act("DP-1", c.AssignDepartment(at=now, department="caiwu"), clerk)
    services.requests.act("DP-1", c.AssignDepartment(at=now, department="bangongshi"), clerk)
    services.requests.act("DP-1", c.TransferDepartment(at=now, department="zhengce", reason="属政策文件"), clerk)
    history = services.queries.history("DP-1")
    transferred = history["events"][-1]
    assert transferred["type"] == "department_transferred"
    assert transferred["payload"]["department"] == "zhengce" and transferred["payload"]["reason"] == "属政策文件"


def test_departments_from_the_command_line(ready):
    ready("department", "add", AGENCY, "bangongshi", "--name", "办公室")
    refused = ready("department", "add", AGENCY, "Bad Code", "--name", "x", ok=False)
    assert refused.returncode != 0 and "只能由小写字母、数字和 - 组成" in refused.stderr
    assert "bangongshi\t办公室" in ready("department", "list", AGENCY).stdout
    ready("request", "new", "--id", "DP-2", "--agency", AGENCY, "--kind", "natural_person", "--name", "张三",
          "--channel", "in_person", "--subject", "某文件")
    out = ready("request", "act", "DP-2", "assign_department", "--department", "bangongshi").stdout
    assert "已记录“分办”" in out
    shown = ready("history", "DP-2").stdout
    assert "department_assigned" in shown or "分办" in shown
