"""`ogi report …` and `ogi register …` as separate processes, the way staff and the acceptance checks run them."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from functools import partial

from docx import Document
from openpyxl import load_workbook

from tests.conftest import empty_postgres, run_ogi
from tests.integration.test_cli import EXAMPLE, ROOT

EXPECTED = json.loads((ROOT / "examples" / "hedong-2023.report.json").read_text(encoding="utf-8"))
YEAR_AGENCY = ("--year", "2023", "--agency", "hedong-xzsp")


def test_report_annual_json_of_the_example_is_the_published_report(ready):
    ready("import", str(EXAMPLE))
    printed = json.loads(ready("report", "annual", *YEAR_AGENCY, "--format", "json").stdout)
    checks = printed.pop("checks")
    assert printed == EXPECTED
    assert checks and all(check["ok"] for check in checks)
    # --agency is optional (DESIGN §5): the only top-level agency
    alone = json.loads(ready("report", "annual", "--year", "2023", "--format", "json").stdout)
    alone.pop("checks")
    assert alone == EXPECTED
    ready("agency", "add", "hexi-xzsp", "--name", "河西区行政审批服务局")
    ambiguous = ready("report", "annual", "--year", "2023", ok=False)
    assert ambiguous.returncode == 1 and "有多个最上级机关（hedong-xzsp、hexi-xzsp）" in ambiguous.stderr


def test_every_format_is_written_to_a_file_and_opens(ready, tmp_path):
    ready("import", str(EXAMPLE))
    ready("register", "set", *YEAR_AGENCY, "--item", "licensing", "--decisions", "5321", "--as", "admin")
    for fmt in ("json", "html", "csv", "xlsx", "docx", "text"):
        target = tmp_path / f"report.{fmt}"
        result = ready("report", "annual", *YEAR_AGENCY, "--format", fmt, "-o", str(target))
        assert target.exists() and f"已写入 {target}" in result.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "report.csv").read_text(encoding="utf-8-sig"))))
    assert {(r["row"], r["column"]): r["value"] for r in rows}[("unable.not_held", "natural_person")] == "4"
    assert {(r["row"], r["column"]): r["value"] for r in rows}[("licensing", "decisions")] == "5321"
    sheet = load_workbook(tmp_path / "report.xlsx")["表三"]
    assert "一、本年新收政府信息公开申请数量" in [c.value for c in sheet["A"]]
    document = Document(str(tmp_path / "report.docx"))
    assert any(p.text.startswith("2023年，河东区行政审批服务局") for p in document.paragraphs)
    assert 'href="#cell-table3-unable_not_held-natural_person">4</a>' in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_report_cell_lists_the_requests_of_a_cell(ready):
    ready("import", str(EXAMPLE))
    data = json.loads(ready("report", "cell", *YEAR_AGENCY, "--row", "unable.not_held", "--column", "total",
                            "--format", "json").stdout)
    assert data["count"] == 4 == EXPECTED["table3"]["unable.not_held"][-1]
    assert all(item["outcome"] == "unable.not_held" and item["concluded"].startswith("2023") for item in data["requests"])
    text = ready("report", "cell", *YEAR_AGENCY, "--row", "disclosed", "--column", "natural_person").stdout
    assert "（一）予以公开 × 自然人 = 4" in text and text.count("办结 2023-") == 4
    bad = ready("report", "cell", *YEAR_AGENCY, "--row", "granted", "--column", "total", ok=False)
    assert bad.returncode == 1 and "都没有“granted”这一行" in bad.stderr


def test_publish_needs_a_head_and_the_register_refuses_auditors(ready):
    ready("user", "add", "audit1", "--role", "auditor")
    ready("user", "add", "clerk1", "--role", "staff")
    ready("import", str(EXAMPLE))
    refused = ready("report", "publish", *YEAR_AGENCY, "--as", "clerk1", ok=False)
    assert refused.returncode == 77 and "无权发布年度报告：须由负责人或系统管理员办理" in refused.stderr
    refused = ready("register", "set", *YEAR_AGENCY, "--item", "rules", "--issued", "1", "--as", "audit1", ok=False)
    assert refused.returncode == 77 and "audit1" in refused.stderr
    published = ready("report", "publish", *YEAR_AGENCY, "--as", "admin")
    assert "已发布 hedong-xzsp 2023 年度报告：校验值" in published.stdout
    again = ready("report", "publish", *YEAR_AGENCY, "--as", "admin", ok=False)
    assert again.returncode == 1 and "发布更正后的报告须说明理由（reason）" in again.stderr
    assert json.loads(ready("report", "annual", *YEAR_AGENCY).stdout)["published"]["differences"] == []


def test_register_set_show_and_history(ready):
    ready("register", "set", *YEAR_AGENCY, "--item", "rules", "--issued", "2", "--in-force", "14", "--note", "台账")
    ready("register", "set", *YEAR_AGENCY, "--item", "rules", "--in-force", "15")
    bad = ready("register", "set", *YEAR_AGENCY, "--item", "fees", "--amount-wan", "-3", ok=False)
    assert bad.returncode == 1 and "（amount_wan）：“-3”应为 0 或正数" in bad.stderr
    shown = json.loads(ready("register", "show", *YEAR_AGENCY, "--format", "json").stdout)
    assert shown["table2"]["rules"] == {"issued": "2", "repealed": "0", "in_force": "15"}
    assert "rules" not in shown["missing"] and "fees" in shown["missing"]
    history = ready("register", "history", *YEAR_AGENCY).stdout
    assert "（2次）" in history and "现行有效件数 14" in history and "现行有效件数 15" in history


def test_a_projection_row_edited_behind_the_engine_exits_3_without_a_report(ready, tmp_path):
    ready("import", str(EXAMPLE))
    with sqlite3.connect(tmp_path / "cli.db") as db:
        db.execute("UPDATE requests SET outcome = 'disclosed' WHERE outcome = 'unable.not_held'")
    result = ready("report", "annual", *YEAR_AGENCY, "--format", "json", ok=False)
    assert result.returncode == 3 and result.stdout == ""
    assert "申请列表与事件日志不一致" in result.stderr and "未输出报告" in result.stderr
    assert "被改动 4 件" in ready("projections", "repair").stdout
    repaired = json.loads(ready("report", "annual", *YEAR_AGENCY, "--format", "json").stdout)
    repaired.pop("checks")
    assert repaired == EXPECTED


def test_the_report_commands_work_on_postgresql(postgres_database_url):
    """The production database: the same commands as separate processes, against the real server."""
    empty_postgres(postgres_database_url)
    run = partial(run_ogi, postgres_database_url, env={"OGI_ADMIN_PASSWORD": "pw"})
    run("init")
    run("agency", "add", "hedong-xzsp", "--name", "河东区行政审批服务局")
    run("import", str(EXAMPLE))
    printed = json.loads(run("report", "annual", *YEAR_AGENCY, "--format", "json").stdout)
    printed.pop("checks")
    assert printed == EXPECTED
    cell = json.loads(run("report", "cell", *YEAR_AGENCY, "--row", "disclosed", "--column", "total", "--format", "json").stdout)
    assert cell["count"] == 4
    run("register", "set", *YEAR_AGENCY, "--item", "penalty", "--decisions", "12")
    assert "已发布 hedong-xzsp 2023 年度报告" in run("report", "publish", *YEAR_AGENCY).stdout
    published = json.loads(run("report", "annual", *YEAR_AGENCY, "--as-of", "2000-01-01").stdout)
    assert published["table3"]["new"][-1] == 0 and "published" not in published  # as of before anything was recorded
