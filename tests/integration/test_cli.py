"""The `ogi` command line as a person uses it: a real process on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hedong-2023.jsonl"


def test_commands_refuse_a_database_that_was_not_initialised(ogi):
    result = ogi("request", "list", ok=False)
    assert result.returncode == 1 and "数据库尚未初始化：请先运行 ogi init" in result.stderr


def test_init_is_repeatable_and_prints_no_password_when_given_one(ogi):
    first = ogi("init")
    assert "已添加管理员 admin" in first.stdout and "secret-pw" not in first.stdout
    assert "已是最新版本" in ogi("init").stdout


def test_import_then_history_json_has_the_fixed_fields(ready):
    assert "导入 8 件申请" in ready("import", str(EXAMPLE)).stdout
    data = json.loads(ready("history", "hedong-xzsp-2023-00001", "--format", "json").stdout)
    assert data["id"] == "hedong-xzsp-2023-00001" and data["agency"] == "hedong-xzsp"
    assert data["state"] == "decided" and data["outcome"] == "disclosed"
    assert data["received_at"] == "2023-06-07"
    assert data["deadlines"]["reply"] == {**data["deadlines"]["reply"], "due": "2023-07-12", "provisional": False}
    assert data["flags"] == []
    assert [e["type"] for e in data["events"]] == ["received", "fee_notified", "fee_paid", "decided"]
    assert all(e["actor"] == "admin" for e in data["events"])
    assert data["events"][0]["payload"]["applicant"]["id_number"] == "3713**********3958"  # masked


def test_history_as_of_shows_the_request_as_it_stood_then(ready):
    ready("import", str(EXAMPLE))
    data = json.loads(ready("history", "hedong-xzsp-2023-00001", "--as-of", "2023-06-13", "--format", "json").stdout)
    assert data["state"] == "awaiting_payment" and data["outcome"] is None
    assert data["deadlines"]["reply"]["due"] is None  # suspended by the fee notice
    assert len(data["events"]) == 2


def test_a_request_worked_from_the_command_line(ready):
    # steps in the recent past: the CLI runs on the real clock, and timers catch up to now after each step
    from engine.calendar import WorkingCalendar, builtin_years
    from engine.clock import Suspension, compute_deadline

    today = dt.date.today()
    day = lambda before: (today - dt.timedelta(days=before)).isoformat()  # noqa: E731
    ready("user", "add", "lizhuren", "--role", "head", "--agency", "hedong-xzsp")  # approves for his agency only
    ready("request", "new", "--id", "HD-1", "--agency", "hedong-xzsp", "--kind", "natural_person", "--name", "张三",
          "--phone", "13800001111", "--channel", "in_person", "--received-at", day(12), "--subject", "某文件")
    ready("request", "act", "HD-1", "start_consultation", "--at", day(10), "--party", "third_party")
    ready("request", "act", "HD-1", "end_consultation", "--at", day(6), "--opinion", "consent")
    out = ready("request", "act", "HD-1", "extend", "--at", day(5), "--working-days", "20", "--as", "lizhuren").stdout
    expected = compute_deadline(WorkingCalendar(builtin_years()), dt.date.fromisoformat(day(12)), 40,
                                [Suspension(dt.date.fromisoformat(day(10)), dt.date.fromisoformat(day(6)), "c")])
    assert f"答复期限 {expected.due}" in out
    refused = ready("request", "act", "HD-1", "extend", "--at", day(4), "--working-days", "5", "--as", "lizhuren", ok=False)
    assert refused.returncode == 1 and "答复期限只能延长一次（依据：《条例》第三十三条）" in refused.stderr
    refused = ready("request", "act", "HD-1", "decide", "--at", day(2), "--outcome", "partial", ok=False)
    assert refused.returncode == 1 and "起草答复书 → 负责人审核 → 印发" in refused.stderr  # the reply records it
    ready("agency", "set", "hedong-xzsp", "--doc-prefix", "河东审批", "--review-body", "河东区人民政府",
          "--court", "河东区人民法院")
    ready("document", "draft", "HD-1", "reply", "--outcome", "partial", "--note", "第三项涉及个人隐私。")
    ready("document", "approve", "HD-1", "reply", "--as", "lizhuren")
    issued = ready("document", "issue", "HD-1", "reply").stdout
    assert f"河东审批依申复〔{today.year}〕1号 已印发" in issued
    ready("document", "serve", "HD-1", "reply", "--method", "post", "--tracking-no", "EMS1234567890CN")
    text = ready("history", "HD-1").stdout
    assert "已送达" in text and "部分公开" in text and "lizhuren" in text and "approved_by=" not in text  # in words
    assert "13800001111" not in text


def test_an_unknown_user_and_an_auditor_cannot_change_anything(ready):
    ready("user", "add", "shenji", "--role", "auditor")
    args = ["request", "new", "--id", "X", "--agency", "hedong-xzsp", "--kind", "natural_person", "--name", "张三",
            "--channel", "online", "--subject", "s"]
    unknown = ready(*args, "--as", "nobody", ok=False)
    assert unknown.returncode == 1 and "没有用户名为“nobody”的用户" in unknown.stderr
    auditor = ready(*args, "--as", "shenji", ok=False)
    assert auditor.returncode == 77 and "审计只能查看，不能修改" in auditor.stderr  # EX_NOPERM, as every refusal


def test_an_extension_approver_is_never_named_on_the_command_line_art33(ready):
    ready("request", "new", "--id", "HD-2", "--agency", "hedong-xzsp", "--kind", "commercial", "--name", "某公司",
          "--channel", "in_person", "--received-at", "2024-03-01", "--subject", "s")
    refused = ready("request", "act", "HD-2", "extend", "--at", "2024-03-05", "--working-days", "10",
                    "--approved-by", "somebody", ok=False)
    assert refused.returncode == 1 and "延长答复期限须经负责人在审批中同意：不能代填批准人" in refused.stderr


def test_calendar_due_explains_each_day(ready):
    out = ready("calendar", "due", "2024-09-27", "3", "--explain").stdout
    assert "2024-10-08" in out.splitlines()[0]
    assert "2024-09-29 日  计入  调休上班日" in out and "2024-10-01 二  跳过  法定节假日" in out


def test_calendar_set_year_records_the_source(ready):
    out = ready("calendar", "set-year", "2027", "--holidays", "2027-01-01,2027-02-06..2027-02-12",
                "--workdays", "2027-02-14", "--source", "测试通知").stdout
    assert "放假 8 天，调休上班 1 天" in out
    assert "测试通知" in ready("calendar", "show", "2027").stdout
    assert ready("calendar", "due", "2026-12-31", "1").stdout.startswith("自 2026-12-31 起第 1 个工作日：2027-01-04")


def test_audit_verify_and_projection_rebuild_on_an_intact_log(ready):
    ready("import", str(EXAMPLE))
    assert ready("audit", "verify").stdout.startswith("日志完好：18 个事件均未被改动")
    assert "已从事件日志重建 8 件申请" in ready("projections", "rebuild").stdout


def test_import_of_a_missing_file_names_it(ready):
    result = ready("import", "/nonexistent.jsonl", ok=False)
    assert result.returncode == 1 and "/nonexistent.jsonl：文件不存在" in result.stderr


def test_an_argument_that_is_not_utf8_is_refused_without_a_trace(ready):
    result = ready("request", "new", "--id", "U-1", "--agency", "hedong-xzsp", "--kind", "natural_person", "--name", "张三",
                   "--channel", "in_person", "--subject", "bad \udcff bytes", ok=False, process=True)
    assert result.returncode == 1 and "不是有效的 Unicode 文本" in result.stderr and "Traceback" not in result.stderr
    assert "没有在办申请" in ready("request", "list").stdout


def test_an_unexpected_error_is_reported_without_a_traceback(ready, tmp_path):
    """A damaged database (here: the events table gone) is a bug's situation, not the user's: no traceback."""
    import sqlite3

    with sqlite3.connect(next(tmp_path.glob("*.db"))) as conn:
        conn.execute("DROP TABLE events")
    result = ready("audit", "verify", ok=False, process=True)  # what the screen of a real process shows
    assert result.returncode == 70 and "Traceback" not in result.stderr and "内部错误" in result.stderr
    error_id = result.stderr.split("错误编号 ", 1)[1].split("：", 1)[0]
    log = tmp_path / "errors.log"  # OGI_ERROR_LOG of the `ogi` fixture
    assert error_id in log.read_text() and "Traceback" in log.read_text()
    assert oct(log.stat().st_mode & 0o777) == oct(0o600)


def test_demo_load_refuses_a_database_with_real_requests_and_timers_refuse_auditors(ready):
    ready("request", "new", "--id", "REAL-1", "--agency", "hedong-xzsp", "--kind", "natural_person", "--name", "张三",
          "--channel", "in_person", "--subject", "s")
    refused = ready("demo", "load", ok=False)
    assert refused.returncode == 1 and "不是演示数据" in refused.stderr
    ready("user", "add", "reader", "--role", "auditor")
    refused = ready("timers", "run", "--as", "reader", ok=False)
    assert refused.returncode == 77 and "审计只能查看，不能修改" in refused.stderr and "无权" in refused.stderr


def test_each_cli_event_records_the_operating_system_user_and_host_beside_the_actor(ready):
    import getpass
    import socket

    ready("request", "new", "--id", "O-1", "--agency", "hedong-xzsp", "--kind", "natural_person", "--name", "张三",
          "--channel", "in_person", "--subject", "s")
    history = json.loads(ready("history", "O-1", "--format", "json").stdout)
    assert history["events"][0]["actor"] == "admin"
    assert history["events"][0]["origin"] == f"cli {getpass.getuser()}@{socket.gethostname()}"
    assert ready("audit", "verify").returncode == 0  # the origin is covered by the chains
