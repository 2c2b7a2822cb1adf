"""The counting rules and checks of the annual report on generated request facts (pure: no database)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.report.annual import requests_in, run_checks, tally
from workflows.report.facts import (
    APPLICANT_COLUMNS,
    CASE_RESULTS,
    OUTCOME_ROWS,
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_ROWS,
    CaseFacts,
    RequestFacts,
)

YEARS = range(2019, 2027)
FIRST, LAST = dt.date(2019, 1, 1), dt.date(2026, 12, 31)


@st.composite
def request_facts(draw, number: int) -> RequestFacts:
    received = draw(st.dates(FIRST, LAST))
    concluded = draw(st.one_of(st.none(), st.dates(received, LAST)))
    cases = []
    if concluded is not None and draw(st.booleans()):
        for index in range(draw(st.integers(1, 3))):
            filed = draw(st.dates(concluded, LAST))
            closed = draw(st.one_of(st.none(), st.dates(filed, LAST)))
            cases.append(CaseFacts(draw(st.sampled_from(TABLE4_ROWS)), f"C{index}", filed,
                                   draw(st.sampled_from(CASE_RESULTS)) if closed else None, closed))
    return RequestFacts(f"R-{number:04d}", "a", draw(st.sampled_from(APPLICANT_COLUMNS)), received, concluded,
                        draw(st.sampled_from(OUTCOME_ROWS)) if concluded else None, tuple(cases))


@st.composite
def histories(draw) -> list[RequestFacts]:
    size = draw(st.integers(0, 60))
    return [draw(request_facts(i)) for i in range(size)]


@settings(max_examples=150, deadline=None)
@given(histories())
def test_every_check_holds_and_years_chain_on_any_history(facts):
    tallies = {year: tally(facts, year) for year in YEARS}
    for year in YEARS:
        t = tallies[year]
        previous = tallies[year - 1].table3["carried_out"] if year - 1 in tallies else None
        checks = run_checks(t, previous, "系统中的记录")
        assert all(check.ok for check in checks), [(c.name, c.detail) for c in checks if not c.ok]
        if previous is not None:
            assert t.table3["carried_in"] == previous
        # 勾稽关系 per column, and the totals
        for i in range(len(TABLE3_COLUMNS)):
            assert t.table3["new"][i] + t.table3["carried_in"][i] == t.table3["total"][i] + t.table3["carried_out"][i]
        # a request is new in its receipt year only, and concluded in exactly one year
    assert sum(tallies[y].table3["new"][-1] for y in YEARS) == len(facts)
    assert sum(tallies[y].table3["total"][-1] for y in YEARS) == sum(1 for f in facts if f.concluded_on)
    assert tallies[2026].table3["carried_out"][-1] == sum(1 for f in facts if f.concluded_on is None)
    closed_cases = sum(1 for f in facts for case in f.cases if case.closed_on)
    assert sum(tallies[y].table4[row][-1] - tallies[y].table4[row][3] for y in YEARS for row in TABLE4_ROWS) == closed_cases


@settings(max_examples=60, deadline=None)
@given(histories(), st.sampled_from(list(YEARS)))
def test_the_drill_down_lists_exactly_as_many_requests_as_each_cell_counts(facts, year):
    t = tally(facts, year)
    for row in TABLE3_ROWS:
        for i, column in enumerate(TABLE3_COLUMNS):
            assert len(requests_in(t, "table3", row, column)) == t.table3[row][i], (row, column)
    for row in TABLE4_ROWS:
        for i, column in enumerate(TABLE4_COLUMNS):
            listed = requests_in(t, "table4", row, column)
            # a request with two cases in the same cell is listed once
            assert len(listed) <= t.table4[row][i]
            assert (len(listed) == 0) == (t.table4[row][i] == 0)


def test_a_stray_outcome_fails_the_checks_and_names_the_request():
    good = RequestFacts("OK-1", "a", "natural_person", dt.date(2023, 3, 1), dt.date(2023, 3, 5), "disclosed")
    stray = RequestFacts("BAD-1", "a", "natural_person", dt.date(2023, 3, 1), dt.date(2023, 3, 5), "approved")
    checks = {c.name: c for c in run_checks(tally([good, stray], 2023), None, "")}
    balance = checks["勾稽关系：每列第一项加第二项之和等于第三项加第四项之和"]
    assert not balance.ok and "BAD-1" in balance.requests and "自然人列：一+二=2，三（七）+四=1" in balance.detail
    outcome_rows = checks["三（七）总计等于各项办理结果之和"]
    assert not outcome_rows.ok and outcome_rows.requests == ("BAD-1",)


def test_a_stray_applicant_kind_fails_the_total_column_check():
    stray = RequestFacts("BAD-2", "a", "government", dt.date(2023, 3, 1), None, None)
    checks = {c.name: c for c in run_checks(tally([stray], 2023), None, "")}
    assert not checks["总计列等于六类申请人之和"].ok and checks["总计列等于六类申请人之和"].requests == ("BAD-2",)


def test_carried_in_differing_from_the_published_previous_year_fails_and_names_the_requests():
    carried = RequestFacts("CI-1", "a", "commercial", dt.date(2022, 12, 20), dt.date(2023, 1, 9), "partial")
    published_2022_carried_out = [0, 2, 0, 0, 0, 0, 2]
    check = next(c for c in run_checks(tally([carried], 2023), published_2022_carried_out, "已发布的2022年报告")
                 if c.name == "本年第二项等于上年第四项")
    assert not check.ok and check.requests == ("CI-1",) and "商业企业列：本年二=1，2022年四=2" in check.detail
