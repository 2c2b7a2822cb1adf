"""The annual report as .xlsx and .docx: the official labels in the official cells, the merged header layout of
国办公开办函〔2021〕30号 (statute.md §7), and the same figures as the report itself."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from tests.builders import decided, event, load, request_line
from tests.conftest import AGENCY, user
from workflows.people.accounts import add_agency
from workflows.report.exports.as_docx import to_docx
from workflows.report.exports.as_xlsx import to_xlsx
from workflows.report.exports.layout import table2_blocks, table3_rows, table4_values
from workflows.report.facts import TABLE4_ROWS
from workflows.report.labels import BALANCE_NOTE, RESULTS_HEADING, SECTIONS
from workflows.report.register import set_entry
from workflows.requests.importer import import_file

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hedong-2023.jsonl"
SUBS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


OFFICE = {"name": "某申请人", "subject": "测试"}  # the applicant and subject of every request here (ids OF-…)

LINES = [
    # 2022: two requests, one carried into 2023
    request_line("OF-2022-1", "2022-05-04", decided("2022-05-20"), **OFFICE),
    request_line("OF-2022-2", "2022-12-26", decided("2023-01-10"), **OFFICE),
    # 2023: eight new requests, every applicant kind, several outcomes, one carried into 2024
    request_line("OF-2023-1", "2023-02-01", decided("2023-02-10"), **OFFICE),
    request_line("OF-2023-2", "2023-03-01", decided("2023-03-15", "withheld.third_party"), **OFFICE),
    request_line("OF-2023-3", "2023-03-06", decided("2023-03-20", "partial"), kind="commercial", **OFFICE),
    request_line("OF-2023-4", "2023-04-03", event("withdrawn", "2023-04-10"), kind="research", **OFFICE),
    request_line("OF-2023-5", "2023-05-04",
                 decided("2023-05-10", "unable.not_held"),
                 event("review_filed", "2023-05-20", case="R1"),
                 event("review_closed", "2023-07-03", case="R1", result="maintained"),
                 event("litigation_filed", "2023-07-17", case="L1", after_review=True), kind="legal_services", **OFFICE),
    request_line("OF-2023-6", "2023-12-20", decided("2024-01-10"), kind="public_interest", **OFFICE),
    request_line("OF-2023-7", "2023-06-01",
                 decided("2023-06-09", "rejected.repeat"),
                 event("litigation_filed", "2023-06-20", case="L2", after_review=False),
                 event("litigation_closed", "2023-09-01", case="L2", result="corrected"), kind="other_org", **OFFICE),
    request_line("OF-2023-8", "2023-08-01", decided("2023-08-10", "withheld.state_secret"), **OFFICE),
]


@pytest.fixture
def rich(sqlite_services):
    """App holding LINES and a table 二 register for 2023."""
    admin = user(sqlite_services)
    load(sqlite_services, *LINES)
    now = sqlite_services.clock.now()
    set_entry(sqlite_services.engine, sqlite_services.store, now, AGENCY, 2023, "rules",
              {"issued": 2, "repealed": 1, "in_force": 15}, "", admin)
    set_entry(sqlite_services.engine, sqlite_services.store, now, AGENCY, 2023, "licensing", {"decisions": 321}, "", admin)
    set_entry(sqlite_services.engine, sqlite_services.store, now, AGENCY, 2023, "fees", {"amount_wan": "1.25"}, "", admin)
    return sqlite_services


@pytest.fixture
def report(rich):
    return rich.reports.annual(2023, AGENCY)


def test_the_fixture_report_exercises_every_part_of_the_tables(report):
    # the figures the exports are checked against are not trivially zero
    assert report.table3["new"][-1] == 8 and report.table3["carried_in"][-1] == 1 and report.table3["carried_out"][-1] == 1
    assert report.table3["other.other"][2] == 1 and report.table3["withheld.third_party"][0] == 1
    assert [report.table4[row][-1] for row in TABLE4_ROWS] == [1, 1, 1]
    assert report.previous is not None and report.ok


# ---------------------------------------------------------------------------------------------------------------
# xlsx


def _workbook(report):
    return load_workbook(io.BytesIO(to_xlsx(report)))


def _find(ws, value):
    hits = [c for row in ws.iter_rows() for c in row if c.value == value]
    assert len(hits) == 1, f"{value!r} appears {len(hits)} times on {ws.title}"
    return hits[0]


def _merged(ws, cell) -> tuple[int, int]:
    """(rows, columns) of the merged range starting at `cell`, (1, 1) when it is not merged."""
    for r in ws.merged_cells.ranges:
        if r.min_row == cell.row and r.min_col == cell.column:
            return r.max_row - r.min_row + 1, r.max_col - r.min_col + 1
    assert not any(cell.coordinate in r for r in ws.merged_cells.ranges), f"{cell.coordinate} is inside a merge"
    return 1, 1


def test_the_workbook_has_the_three_tables_and_the_checks_each_under_the_title(report):
    wb = _workbook(report)
    assert wb.sheetnames == ["表二", "表三", "表四", "校验"]
    for ws in wb.worksheets:
        assert ws["A1"].value == "河东区行政审批服务局2023年政府信息公开工作年度报告"
    # neither a roll-up nor published: no note row, the section heading follows the title
    assert wb["表二"]["A2"].value == SECTIONS[1]
    assert wb["表三"]["A2"].value == SECTIONS[2]
    assert wb["表四"]["A2"].value == SECTIONS[3]


def test_table3_header_is_merged_as_in_the_official_table(report):
    ws = _workbook(report)["表三"]
    corner = _find(ws, BALANCE_NOTE)
    assert corner.column == 1 and _merged(ws, corner) == (3, 3)
    top = corner.row
    applicants = ws.cell(top, 4)
    assert applicants.value == "申请人情况" and _merged(ws, applicants) == (1, 7)
    assert ws.cell(top + 1, 4).value == "自然人" and _merged(ws, ws.cell(top + 1, 4)) == (2, 1)
    group = ws.cell(top + 1, 5)
    assert group.value == "法人或其他组织" and _merged(ws, group) == (1, 5)
    assert [ws.cell(top + 2, 5 + i).value for i in range(5)] == SUBS
    assert ws.cell(top + 1, 10).value == "总计" and _merged(ws, ws.cell(top + 1, 10)) == (2, 1)


def test_table3_labels_sit_in_their_columns_and_the_figures_equal_the_report(report):
    ws = _workbook(report)["表三"]
    first = _find(ws, BALANCE_NOTE).row + 3
    rows = table3_rows(report)
    for i, row in enumerate(rows):
        r = first + i
        if row.heading is None:  # 一、二、四: the label spans the three label columns
            assert ws.cell(r, 1).value == row.label and _merged(ws, ws.cell(r, 1)) == (1, 3)
        elif row.item is None:  # （一）（二）（七）: the label spans the group and item columns
            assert ws.cell(r, 2).value == row.group and _merged(ws, ws.cell(r, 2)) == (1, 2)
        else:
            assert ws.cell(r, 3).value == row.item
        figures = [ws.cell(r, 4 + j).value for j in range(7)]
        assert figures == report.table3[row.row], row.row
        assert all(type(v) is int for v in figures)
    assert ws.cell(first, 1).value == "一、本年新收政府信息公开申请数量"
    assert ws.cell(first + len(rows) - 1, 1).value == "四、结转下年度继续办理"
    # 三、本年度办理结果 runs down the first column over (一) … (七); (三)不予公开 over its eight items
    heading = _find(ws, RESULTS_HEADING)
    assert heading.row == first + 2 and _merged(ws, heading) == (len(rows) - 3, 1)
    withheld = _find(ws, "（三）不予公开")
    assert withheld.column == 2 and _merged(ws, withheld) == (8, 1)
    assert ws.cell(withheld.row, 3).value == "1.属于国家秘密" and ws.cell(withheld.row + 7, 3).value == "8.属于行政查询事项"
    assert _merged(ws, _find(ws, "（六）其他处理")) == (3, 1)
    assert ws.cell(_find(ws, "（七）总计").row, 10).value == 8


def test_table4_has_its_three_header_rows_and_the_fifteen_figures(report):
    ws = _workbook(report)["表四"]
    review = _find(ws, "行政复议")
    top = review.row
    assert review.column == 1 and _merged(ws, review) == (2, 5)
    litigation = ws.cell(top, 6)
    assert litigation.value == "行政诉讼" and _merged(ws, litigation) == (1, 10)
    assert ws.cell(top + 1, 6).value == "未经复议直接起诉" and _merged(ws, ws.cell(top + 1, 6)) == (1, 5)
    assert ws.cell(top + 1, 11).value == "复议后起诉" and _merged(ws, ws.cell(top + 1, 11)) == (1, 5)
    assert [ws.cell(top + 2, c).value for c in range(1, 16)] == RESULTS * 3
    figures = [ws.cell(top + 3, c).value for c in range(1, 16)]
    assert figures == [v for row in TABLE4_ROWS for v in report.table4[row]] == table4_values(report)
    assert figures == [1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1]


def test_table2_blocks_carry_the_register_figures_as_numbers(report):
    ws = _workbook(report)["表二"]
    first = _find(ws, "第二十条第（一）项")
    assert _merged(ws, first) == (1, 4)
    assert [ws.cell(first.row + 1, c).value for c in range(1, 5)] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    rules = _find(ws, "规章")
    assert [ws.cell(rules.row, c).value for c in (2, 3, 4)] == [2, 1, 15]
    assert [ws.cell(_find(ws, "行政规范性文件").row, c).value for c in (2, 3, 4)] == [0, 0, 0]
    licensing = ws.cell(_find(ws, "行政许可").row, 2)
    assert licensing.value == 321 and _merged(ws, licensing) == (1, 3)
    measure = _find(ws, "本年收费金额（单位：万元）")
    assert measure.column == 2 and _merged(ws, measure) == (1, 3)
    assert ws.cell(_find(ws, "行政事业性收费").row, 2).value == 1.25
    blocks = [b.heading for b in table2_blocks(report)]
    assert [c.value for c in ws["A"] if c.value in blocks] == blocks


def test_the_checks_sheet_lists_every_check(report):
    ws = _workbook(report)["校验"]
    header = _find(ws, "校验项")
    listed = [(ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, 3).value)
              for r in range(header.row + 1, header.row + 1 + len(report.checks))]
    assert listed == [(c.name, "是", c.detail) for c in report.checks]
    assert ws.cell(header.row + 1 + len(report.checks), 1).value is None


def test_a_published_report_notes_its_hash_and_a_later_change_fails_a_check(rich):
    admin = user(rich)
    published = rich.reports.publish(2023, AGENCY, admin)
    load(rich, request_line("OF-2023-9", "2023-09-01", decided("2023-09-05"), **OFFICE))
    report = rich.reports.annual(2023, AGENCY)
    digest = published.publication.figures_hash
    assert report.publication.figures_hash == digest and report.differences
    wb = _workbook(report)
    note = wb["表三"]["A2"].value
    assert note.startswith("已于") and digest in note
    assert wb["表三"]["A4"].value == SECTIONS[2]  # a second note: figures changed since publication
    # the stated figures stay the published ones
    ws = wb["表三"]
    new = ws.cell(_find(ws, BALANCE_NOTE).row + 3, 10)
    assert new.value == published.table3["new"][-1] == 8
    checks = {ws_row[0].value: ws_row[1].value for ws_row in wb["校验"].iter_rows()}
    assert checks["已发布数字未被此后的记录改变"] == "否"
    doc = Document(io.BytesIO(to_docx(report)))
    assert any(digest in p.text for p in doc.paragraphs[1:4])


def test_a_rollup_says_so_under_the_title(rich):
    admin = user(rich)
    with rich.engine.begin() as conn:
        add_agency(conn, "hedong-sub", "河东区政务服务中心", AGENCY, admin, rich.clock.now())
    load(rich, request_line("OF-SUB-1", "2023-04-01", decided("2023-04-10"), kind="commercial", agency="hedong-sub", **OFFICE))
    report = rich.reports.annual(2023, AGENCY)
    assert report.is_rollup
    wb = _workbook(report)
    assert wb["表二"]["A2"].value.startswith("汇总报告") and "hedong-sub" in wb["表二"]["A2"].value
    ws = wb["表三"]
    assert ws.cell(_find(ws, BALANCE_NOTE).row + 3, 5).value == 2  # 商业企业 new: one from each agency
    doc = Document(io.BytesIO(to_docx(report)))
    assert doc.paragraphs[1].text.startswith("汇总报告")


# ---------------------------------------------------------------------------------------------------------------
# docx


def _document(report):
    return Document(io.BytesIO(to_docx(report)))


def _body(doc) -> list[tuple[str, object]]:
    """The body in order: ("p", paragraph) / ("t", table)."""
    paragraphs = iter(doc.paragraphs)
    tables = iter(doc.tables)
    out = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            out.append(("p", next(paragraphs)))
        elif child.tag == qn("w:tbl"):
            out.append(("t", next(tables)))
    return out


def test_the_document_has_the_title_and_the_six_sections_in_order_with_their_tables(report):
    doc = _document(report)
    assert doc.paragraphs[0].text == "河东区行政审批服务局2023年政府信息公开工作年度报告"
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == list(SECTIONS)
    # each table sits in its section: 二 after heading 二, 三 after 三, 四 after 四
    section, where = None, {}
    for kind, item in _body(doc):
        if kind == "p" and item.style.name == "Heading 1":
            section = item.text.split("、")[0]
        elif kind == "t":
            where[section] = item
    assert list(where) == ["二", "三", "四"]
    assert where["三"].cell(0, 0).text == BALANCE_NOTE
    assert where["四"].cell(0, 0).text == "行政复议"
    assert where["二"].cell(0, 0).text == "第二十条第（一）项"


def test_the_narrative_carries_the_figures_and_the_year_on_year_change(report):
    doc = _document(report)
    texts = [p.text for p in doc.paragraphs]
    overview = texts[texts.index(SECTIONS[0]) + 1:texts.index(SECTIONS[1])]
    requests = next(t for t in overview if t.startswith("依申请公开方面"))
    assert "本年新收政府信息公开申请8件，同比增加300%（上年2件）" in requests
    assert "上年结转1件" in requests and "结转下年度继续办理1件" in requests
    review = texts[texts.index(SECTIONS[3]) + 1]
    assert review.startswith("本年度发生政府信息公开行政复议1件") and "行政诉讼2件" in review


def test_docx_table3_merges_the_header_and_holds_the_report_figures(report):
    table = _document(report).tables[1]
    assert len(table.columns) == 10
    assert table.cell(0, 0)._tc is table.cell(2, 2)._tc  # the 勾稽关系 corner: three rows, three columns
    assert table.cell(0, 3).text == "申请人情况" and table.cell(0, 3)._tc is table.cell(0, 9)._tc
    assert table.cell(1, 3).text == "自然人" and table.cell(1, 3)._tc is table.cell(2, 3)._tc
    assert table.cell(1, 4).text == "法人或其他组织" and table.cell(1, 4)._tc is table.cell(1, 8)._tc
    assert table.cell(1, 4)._tc is not table.cell(1, 3)._tc and table.cell(1, 4)._tc is not table.cell(1, 9)._tc
    assert [table.cell(2, 4 + i).text for i in range(5)] == SUBS
    assert table.cell(1, 9).text == "总计" and table.cell(1, 9)._tc is table.cell(2, 9)._tc
    rows = table3_rows(report)
    assert len(table.rows) == 3 + len(rows)
    for i, row in enumerate(rows):
        r = 3 + i
        if row.heading is None:
            assert table.cell(r, 0).text == row.label and table.cell(r, 0)._tc is table.cell(r, 2)._tc
        elif row.item is None:
            assert table.cell(r, 1).text == row.group and table.cell(r, 1)._tc is table.cell(r, 2)._tc
        else:
            assert table.cell(r, 2).text == row.item
        assert [int(table.cell(r, 3 + j).text) for j in range(7)] == report.table3[row.row], row.row
    assert table.cell(5, 0).text == RESULTS_HEADING and table.cell(5, 0)._tc is table.cell(3 + len(rows) - 2, 0)._tc
    withheld = next(3 + i for i, row in enumerate(rows) if row.group == "（三）不予公开")
    assert table.cell(withheld, 1).text == "（三）不予公开" and table.cell(withheld, 1)._tc is table.cell(withheld + 7, 1)._tc


def test_docx_tables_2_and_4_hold_the_register_and_case_figures(report):
    doc = _document(report)
    t2, t4 = doc.tables[0], doc.tables[2]
    rows = {t2.cell(r, 0).text: [t2.cell(r, c).text for c in range(1, 4)] for r in range(len(t2.rows))}
    assert rows["规章"] == ["2", "1", "15"]
    assert rows["行政许可"] == ["321"] * 3 and t2.cell(list(rows).index("行政许可"), 1)._tc is t2.cell(
        list(rows).index("行政许可"), 3)._tc
    assert Decimal(rows["行政事业性收费"][0]) == Decimal("1.25")
    assert t4.cell(0, 0).text == "行政复议" and t4.cell(0, 0)._tc is t4.cell(1, 4)._tc
    assert t4.cell(0, 5).text == "行政诉讼" and t4.cell(0, 5)._tc is t4.cell(0, 14)._tc
    assert t4.cell(1, 5).text == "未经复议直接起诉" and t4.cell(1, 10).text == "复议后起诉"
    assert [t4.cell(2, c).text for c in range(15)] == RESULTS * 3
    assert [int(t4.cell(3, c).text) for c in range(15)] == table4_values(report)


def test_the_document_is_a4_with_chinese_fonts(report):
    doc = _document(report)
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7

    def east_asian(style_name):
        fonts = doc.styles[style_name].element.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override the explicit one
        return fonts.get(qn("w:eastAsia"))

    assert east_asian("Normal") == "宋体"
    assert east_asian("Heading 1") == "黑体"
    assert east_asian("Title") == "黑体"


def test_the_seed_example_exports_without_a_previous_year(sqlite_services):
    assert import_file(sqlite_services.requests, EXAMPLE, user(sqlite_services)) == 8
    report = sqlite_services.reports.annual(2023, AGENCY)
    assert report.previous is None
    doc = _document(report)
    assert not any("同比" in p.text for p in doc.paragraphs)
    table = doc.tables[1]
    assert [int(table.cell(3, c).text) for c in range(3, 10)] == report.table3["new"] == [8, 0, 0, 0, 0, 0, 8]
    ws = _workbook(report)["表三"]
    assert [ws.cell(_find(ws, BALANCE_NOTE).row + 3, c).value for c in range(4, 11)] == report.table3["new"]
