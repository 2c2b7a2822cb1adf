"""The annual report (DESIGN §5; 国办公开办函〔2021〕30号): counting by business date, the checks, drill-down,
roll-up, as-of, publication and a projection edited behind the engine's back."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update

from engine.adapters.eventstore import EventStore
from engine.errors import NotFound, OgiError, PermissionDenied
from tests.builders import decided, event, load, request_line
from tests.conftest import AGENCY, user
from workflows.foi import commands as c
from workflows.people.accounts import add_agency
from workflows.report.exports.as_csv import read_csv, to_csv
from workflows.report.facts import OUTCOME_ROWS, TABLE3_COLUMNS, TABLE3_ROWS
from workflows.report.publish import report_stream
from workflows.report.register import RegisterError, register_history, set_entry
from workflows.report.service import ReportError
from workflows.report.source import ProjectionTampered
from workflows.requests.importer import import_file
from workflows.tables import requests_table

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NP = TABLE3_COLUMNS.index("natural_person")
COM = TABLE3_COLUMNS.index("commercial")
TOTAL = -1


def figures(report) -> dict:
    out = report.as_json()
    out.pop("checks")
    return out


def assert_checks_hold(report) -> None:
    failed = [(ch.name, ch.detail) for ch in report.checks if not ch.ok]
    assert not failed, failed


# -- the seed agency's published figures ------------------------------------------------------

def test_hedong_2023_example_gives_exactly_the_published_report(services):
    import_file(services.requests, EXAMPLES / "hedong-2023.jsonl", user(services))
    report = services.reports.annual(2023, AGENCY)
    assert figures(report) == json.loads((EXAMPLES / "hedong-2023.report.json").read_text(encoding="utf-8"))
    assert_checks_hold(report)
    assert {ch.name for ch in report.checks} >= {"勾稽关系：每列第一项加第二项之和等于第三项加第四项之和", "总计列等于六类申请人之和",
                                                 "三（七）总计等于各项办理结果之和", "本年第二项等于上年第四项", "表四总计等于各项之和"}


# -- which year a request counts in -----------------------------------------------------------

def test_received_in_december_concluded_in_january_is_carried_out_then_carried_in(services):
    load(services, request_line("D-1", "2023-12-20", decided("2024-01-10")))
    y2023, y2024 = services.reports.annual(2023, AGENCY), services.reports.annual(2024, AGENCY)
    assert y2023.table3["new"][NP] == 1 and y2023.table3["carried_out"][NP] == 1 and y2023.table3["total"][TOTAL] == 0
    assert y2024.table3["new"][TOTAL] == 0 and y2024.table3["carried_in"][NP] == 1
    assert y2024.table3["disclosed"][NP] == 1 and y2024.table3["carried_out"][TOTAL] == 0
    assert_checks_hold(y2023)
    assert_checks_hold(y2024)
    previous = next(ch for ch in y2024.checks if ch.name == "本年第二项等于上年第四项")
    assert "系统中的记录" in previous.detail


def test_the_original_receipt_date_counts_even_when_corrected_next_year_art30(services):
    load(services, request_line("K-1", "2023-12-27",
                                event("correction_requested", "2023-12-28", period_days=10),
                                event("corrected", "2024-01-04"), decided("2024-01-30", "partial")))
    y2023, y2024 = services.reports.annual(2023, AGENCY), services.reports.annual(2024, AGENCY)
    assert y2023.table3["new"][TOTAL] == 1 and y2023.table3["carried_out"][TOTAL] == 1
    assert y2024.table3["new"][TOTAL] == 0 and y2024.table3["partial"][TOTAL] == 1


def test_suspended_extended_and_withdrawn_requests_count_by_their_conclusion_date(services):
    load(services,
         request_line("S-1", "2023-11-01", event("consultation_started", "2023-11-10", party="third_party"),
                      event("consultation_ended", "2023-11-24", opinion="object"),
                      decided("2024-01-05", "withheld.third_party"), kind="commercial"),
         request_line("E-1", "2023-12-01", event("extended", "2023-12-20", working_days=20, approved_by="head"),
                      decided("2024-01-25", "unable.not_held")),
         request_line("W-1", "2023-12-11", event("withdrawn", "2024-01-03")),
         request_line("W-2", "2023-06-11", event("withdrawn", "2023-06-13")))
    y2023, y2024 = services.reports.annual(2023, AGENCY), services.reports.annual(2024, AGENCY)
    assert y2023.table3["new"][TOTAL] == 4 and y2023.table3["carried_out"][TOTAL] == 3
    assert y2023.table3["other.other"][NP] == 1  # W-2: withdrawal is （六）3 其他
    assert y2024.table3["carried_in"][COM] == 1 and y2024.table3["withheld.third_party"][COM] == 1
    assert y2024.table3["unable.not_held"][NP] == 1 and y2024.table3["other.other"][NP] == 1
    assert y2024.table3["total"] == [2, 1, 0, 0, 0, 0, 3]
    for report in (y2023, y2024):
        assert_checks_hold(report)


def test_review_and_litigation_cases_by_year_concluded_and_pending(services):
    load(services, request_line(
        "R-1", "2023-02-01", decided("2023-02-20", "withheld.process_info"),
        event("review_filed", "2023-04-01", case="R1"),
        event("litigation_filed", "2023-05-01", case="L0", after_review=False),
        event("litigation_closed", "2023-09-01", case="L0", result="other"),
        event("review_closed", "2024-02-01", case="R1", result="maintained"),
        event("litigation_filed", "2024-03-01", case="L1", after_review=True),
        event("litigation_closed", "2025-05-01", case="L1", result="corrected")))
    t = {year: services.reports.annual(year, AGENCY).table4 for year in (2023, 2024, 2025, 2026)}
    assert t[2023] == {"review": [0, 0, 0, 1, 1], "litigation_direct": [0, 0, 1, 0, 1], "litigation_after_review": [0] * 5}
    assert t[2024] == {"review": [1, 0, 0, 0, 1], "litigation_direct": [0] * 5, "litigation_after_review": [0, 0, 0, 1, 1]}
    assert t[2025] == {"review": [0] * 5, "litigation_direct": [0] * 5, "litigation_after_review": [0, 1, 0, 0, 1]}
    assert t[2026] == {"review": [0] * 5, "litigation_direct": [0] * 5, "litigation_after_review": [0] * 5}
    # the request itself was concluded in 2023: it counts in table 三 of 2023 only
    assert services.reports.annual(2024, AGENCY).table3["total"][TOTAL] == 0


def random_history(rng: random.Random, n: int) -> list[dict]:
    """Requests across 2021–2025: some open, some concluded years later, withdrawn, reviewed, sued."""
    outcomes = [o for o in OUTCOME_ROWS  # these need a correction or a lapsed period first
                if o not in ("other.no_correction", "other.unpaid_fee", "other.other", "unable.unclear")]
    kinds = list(TABLE3_COLUMNS[:-1])
    records = []
    for i in range(n):
        received = dt.date(2021, 1, 4) + dt.timedelta(days=rng.randrange(0, 4 * 365))
        events: list[dict] = []
        roll = rng.random()
        if roll < 0.15:
            pass  # still open
        elif roll < 0.25:
            events.append(event("withdrawn", received + dt.timedelta(days=rng.randrange(1, 60))))
        else:
            decided_on = received + dt.timedelta(days=rng.randrange(1, 300))
            events.append(decided(decided_on, rng.choice(outcomes)))
            if rng.random() < 0.2:
                filed = decided_on + dt.timedelta(days=rng.randrange(1, 60))
                events.append(event("review_filed", filed, case="R"))
                if rng.random() < 0.7:
                    closed = filed + dt.timedelta(days=rng.randrange(1, 200))
                    events.append(event("review_closed", closed, case="R",
                                        result=rng.choice(["maintained", "corrected", "other"])))
                    if rng.random() < 0.5:
                        sued = closed + dt.timedelta(days=rng.randrange(1, 15))
                        events.append(event("litigation_filed", sued, case="L", after_review=True))
        records.append(request_line(f"G-{i:04d}", received, *events, kind=rng.choice(kinds)))
    return records


def test_generated_histories_over_five_years_hold_every_check_and_chain(sqlite_services):
    rng = random.Random(20231231)
    records = random_history(rng, 400)
    load(sqlite_services, *records)
    reports = {year: sqlite_services.reports.annual(year, AGENCY) for year in range(2021, 2027)}
    for year, report in reports.items():
        assert_checks_hold(report)
        if year > 2021:
            assert report.table3["carried_in"] == reports[year - 1].table3["carried_out"], year
    received = sum(r.table3["new"][TOTAL] for r in reports.values())
    concluded = sum(r.table3["total"][TOTAL] for r in reports.values())
    open_now = sum(1 for r in records if not r["events"])
    assert received == len(records)
    assert concluded == len(records) - open_now == len(records) - reports[2026].table3["carried_out"][TOTAL]


# -- drill-down ----------------------------------------------------------------------------------

def test_a_cell_lists_exactly_the_requests_it_counts(services):
    load(services, request_line("A-1", "2023-03-01", decided("2023-03-10")),
         request_line("A-2", "2023-04-01", decided("2023-04-10"), kind="commercial"),
         request_line("A-3", "2022-12-30", decided("2023-01-05")),
         request_line("A-4", "2023-12-30"))
    listing = services.reports.cell(2023, AGENCY, "disclosed", "natural_person")
    assert listing.table == "table3" and [f.request_id for f in listing.requests] == ["A-3", "A-1"]
    assert listing.report.table3["disclosed"][NP] == len(listing.requests)
    facts = services.reports.cell(2023, AGENCY, "disclosed", "total").requests
    assert sorted(f.request_id for f in facts) == ["A-1", "A-2", "A-3"]
    facts = services.reports.cell(2023, AGENCY, "carried_out", "natural_person").requests
    assert [f.request_id for f in facts] == ["A-4"]
    facts = services.reports.cell(2023, AGENCY, "carried_in", "total").requests
    assert [f.request_id for f in facts] == ["A-3"]
    with pytest.raises(ReportError, match="都没有“approved”这一行"):
        services.reports.cell(2023, AGENCY, "approved", "total")
    with pytest.raises(ReportError, match="表三没有“pending”这一列"):
        services.reports.cell(2023, AGENCY, "disclosed", "pending")


# -- roll-up ---------------------------------------------------------------------------------------

def test_a_parent_agency_rolls_up_its_children_and_says_so(services):
    admin = user(services)
    with services.engine.begin() as conn:
        add_agency(conn, "hedong-gov", "河东区人民政府", None, admin, services.clock.now())
        add_agency(conn, "hedong-edu", "河东区教育局", "hedong-gov", admin, services.clock.now())
        conn.execute(update(__import__("workflows.tables", fromlist=["agencies_table"]).agencies_table)
                     .where(__import__("workflows.tables", fromlist=["agencies_table"]).agencies_table.c.slug == AGENCY)
                     .values(parent="hedong-gov"))
    load(services, request_line("P-1", "2023-03-01", decided("2023-03-10"), agency="hedong-gov"),
         request_line("C-1", "2023-03-01", decided("2023-03-10"), agency="hedong-edu"),
         request_line("C-2", "2023-05-01", decided("2023-05-10", "partial"), agency=AGENCY))
    rollup = services.reports.annual(2023, "hedong-gov")
    own = services.reports.annual(2023, "hedong-gov", own_only=True)
    child = services.reports.annual(2023, "hedong-edu")
    assert rollup.is_rollup and set(rollup.members) == {"hedong-gov", "hedong-edu", AGENCY}
    assert rollup.as_json()["rollup"] == list(rollup.members)
    assert rollup.table3["new"][TOTAL] == 3 and rollup.table3["partial"][TOTAL] == 1
    assert own.table3["new"][TOTAL] == 1 and not own.is_rollup and "rollup" not in own.as_json()
    assert child.table3["new"][TOTAL] == 1 and not child.is_rollup
    with pytest.raises(NotFound, match="没有代码为“nowhere”的机关"):
        services.reports.annual(2023, "nowhere")


# -- as of a moment, and publication ---------------------------------------------------------------

def test_as_of_gives_the_report_as_the_data_stood_then(services):
    load(services, request_line("O-1", "2023-12-01"), request_line("O-2", "2023-05-01", decided("2023-05-20")))
    imported_at = services.clock.now()
    services.clock.advance_to(services.clock.now() + dt.timedelta(hours=2))
    services.requests.act("O-1", c.Decide(at=dt.datetime(2023, 12, 20, 10), outcome="rejected.repeat"), user(services, "clerk"))
    now = services.reports.annual(2023, AGENCY)
    then = services.reports.annual(2023, AGENCY, as_of=imported_at)
    assert now.table3["rejected.repeat"][TOTAL] == 1 and now.table3["carried_out"][TOTAL] == 0
    assert then.table3["rejected.repeat"][TOTAL] == 0 and then.table3["carried_out"][TOTAL] == 1
    assert then.as_json()["as_of"] == imported_at.isoformat()
    before_anything = services.reports.annual(2023, AGENCY, as_of=imported_at - dt.timedelta(seconds=1))
    assert before_anything.table3["new"][TOTAL] == 0


def test_a_published_report_keeps_its_figures_and_shows_what_changed_since(services):
    load(services, request_line("B-1", "2023-03-01", decided("2023-03-10")), request_line("B-2", "2023-12-28"))
    published = services.reports.publish(2023, AGENCY, user(services, "head"))
    stated = figures(published)["table3"]
    assert published.publication is not None and published.ok
    services.clock.advance_to(services.clock.now() + dt.timedelta(days=1))
    # a decision recorded late, dated in 2023, and a 2023 request imported after publication
    services.requests.act("B-2", c.Decide(at=dt.datetime(2023, 12, 29, 9), outcome="unable.not_held"), user(services, "clerk"))
    load(services, request_line("B-3", "2023-07-01", decided("2023-07-05"), kind="commercial"))
    report = services.reports.annual(2023, AGENCY)
    assert figures(report)["table3"] == stated  # the published figures stand …
    changed = {(d.table, d.row, d.column): d for d in report.differences}  # … and the difference is shown
    assert changed[("table3", "unable.not_held", "natural_person")].current == 1
    assert changed[("table3", "unable.not_held", "natural_person")].requests == ("B-2",)
    assert changed[("table3", "carried_out", "natural_person")].published == 1
    assert changed[("table3", "new", "commercial")].requests == ("B-3",)
    assert changed[("table3", "new", "total")].published == 2 and changed[("table3", "new", "total")].current == 3
    check = next(ch for ch in report.checks if ch.name == "已发布数字未被此后的记录改变")
    assert not check.ok and set(check.requests) == {"B-2", "B-3"}
    with services.engine.connect() as conn:
        flags = [e for e in EventStore().read_stream(conn, report_stream(AGENCY, 2023))]
    assert [e.type for e in flags] == ["report_published", "published_figures_changed", "published_figures_changed"]
    assert flags[1].payload["removed"] == [["table3", "carried_out", "natural_person"]]
    with pytest.raises(OgiError, match="发布更正后的报告须说明理由（reason）"):
        services.reports.publish(2023, AGENCY, user(services, "head"))
    corrected = services.reports.publish(2023, AGENCY, user(services, "head"), reason="更正：补录12月答复")
    assert corrected.ok and not corrected.differences and corrected.table3["new"][TOTAL] == 3
    # the next year's 二 is checked against the published 四 of this year
    nxt = services.reports.annual(2024, AGENCY)
    check = next(ch for ch in nxt.checks if ch.name == "本年第二项等于上年第四项")
    assert check.ok and "已发布的2023年报告" in check.detail


def test_a_year_unaffected_by_a_change_is_not_flagged(services):
    load(services, request_line("U-1", "2023-03-01", decided("2023-03-10")), request_line("U-2", "2024-03-01"))
    services.reports.publish(2023, AGENCY, user(services, "head"))
    services.requests.act("U-2", c.Decide(at=services.clock.now(), outcome="disclosed"), user(services, "clerk"))
    report = services.reports.annual(2023, AGENCY)
    assert report.ok and not report.differences


def test_auditors_and_staff_cannot_publish_or_auditors_fill_the_register(services):
    with pytest.raises(PermissionDenied):
        services.reports.publish(2023, AGENCY, user(services, "auditor"))
    with pytest.raises(PermissionDenied, match="无权发布年度报告：须由负责人或系统管理员办理，clerk是经办人"):
        services.reports.publish(2023, AGENCY, user(services, "clerk"))
    with pytest.raises(PermissionDenied):
        set_entry(services.engine, services.store, services.clock.now(), AGENCY, 2023, "rules", {"issued": 1}, "",
                  user(services, "auditor"))


# -- table 二 register ------------------------------------------------------------------------------

def test_the_register_keeps_every_change_and_refuses_bad_figures(services):
    clerk = user(services, "clerk")
    set_entry(services.engine, services.store, services.clock.now(), AGENCY, 2023, "rules",
              {"issued": 2, "repealed": 0, "in_force": 14}, "法制科台账", clerk)
    set_entry(services.engine, services.store, services.clock.now(), AGENCY, 2023, "rules", {"in_force": "15"}, "更正", clerk)
    set_entry(services.engine, services.store, services.clock.now(), AGENCY, 2023, "fees", {"amount_wan": "0.125"}, "", clerk)
    for item, bad, message in [("rules", {"issued": -1}, "应为 0 或正数"), ("rules", {"issued": "1.5"}, "应为整数"),
                               ("fees", {"amount_wan": "0.00001"}, "小数超过 4 位"),
                               ("licensing", {"issued": 3}, "没有“issued”这一栏"), ("rules", {"issued": "x"}, "不是数字")]:
        with pytest.raises(RegisterError, match=message):
            set_entry(services.engine, services.store, services.clock.now(), AGENCY, 2023, item, bad, "", clerk)
    report = services.reports.annual(2023, AGENCY)
    assert report.table2["rules"] == {"issued": "2", "repealed": "0", "in_force": "15"}
    assert report.table2["fees"] == {"amount_wan": "0.125"} and report.table2["licensing"] == {"decisions": "0"}
    with services.engine.connect() as conn:
        history = register_history(conn, services.store, AGENCY, 2023)
    assert [(h["item"], h["note"]) for h in history] == [("rules", "法制科台账"), ("rules", "更正"), ("fees", "")]
    assert history[1]["figures"]["in_force"] == "15" and history[0]["figures"]["in_force"] == "14"


def test_the_csv_round_trips(services):
    load(services, *random_history(random.Random(7), 60))
    set_entry(services.engine, services.store, services.clock.now(), AGENCY, 2023, "penalty", {"decisions": 31}, "",
              user(services))
    report = services.reports.annual(2023, AGENCY)
    text = to_csv(report)
    assert text.startswith("\ufefftable,row,row_label,column,column_label,value\r\n")
    assert "table3,disclosed,（一）予以公开,natural_person,自然人," in text
    back = read_csv(text)
    assert back == {"table2": report.table2, "table3": report.table3, "table4": report.table4}
    assert set(back["table3"]) == set(TABLE3_ROWS)


# -- a projection edited behind the engine's back --------------------------------------------------

@pytest.mark.parametrize("edit", ["outcome", "received_on", "agency", "delete", "insert", "cases"])
def test_a_tampered_projection_is_refused_rather_than_reported(services, edit):
    load(services, request_line("T-1", "2023-03-01", decided("2023-03-10")),
         request_line("T-2", "2023-04-01", decided("2023-04-10")))
    assert services.reports.annual(2023, AGENCY).table3["disclosed"][TOTAL] == 2
    r = requests_table.c
    admin = user(services)
    with services.engine.begin() as conn:
        if edit == "outcome":
            conn.execute(update(requests_table).where(r.request_id == "T-1").values(outcome="partial"))
        elif edit == "received_on":
            conn.execute(update(requests_table).where(r.request_id == "T-1").values(received_on=dt.date(2030, 1, 1)))
        elif edit == "agency":
            add_agency(conn, "elsewhere", "别处", None, admin, services.clock.now())
            conn.execute(update(requests_table).where(r.request_id == "T-1").values(agency="elsewhere"))
        elif edit == "cases":
            fake = [{"row": "review", "case": "X", "filed_on": "2023-05-01", "result": None, "closed_on": None}]
            conn.execute(update(requests_table).where(r.request_id == "T-1").values(cases=json.dumps(fake)))
        elif edit == "delete":
            conn.execute(delete(requests_table).where(r.request_id == "T-1"))
        else:
            row = dict(conn.execute(select(requests_table).where(r.request_id == "T-2")).mappings().one())
            conn.execute(insert(requests_table).values({**row, "request_id": "T-9"}))
    with pytest.raises(ProjectionTampered, match="未输出报告"):
        services.reports.annual(2023, AGENCY)
    services.requests.rebuild_projections()
    assert services.reports.annual(2023, AGENCY).table3["disclosed"][TOTAL] == 2


def test_rebuilding_the_projections_restores_the_register_and_publications(services):
    load(services, request_line("Z-1", "2023-03-01", decided("2023-03-10")))
    set_entry(services.engine, services.store, services.clock.now(), AGENCY, 2023, "licensing", {"decisions": 12}, "",
              user(services))
    services.reports.publish(2023, AGENCY, user(services, "head"))
    before = services.reports.annual(2023, AGENCY)
    services.requests.rebuild_projections()
    after = services.reports.annual(2023, AGENCY)
    assert after.publication == before.publication and after.table2 == before.table2 == {**after.table2, "licensing": {"decisions": "12"}}
    assert after.as_json() == before.as_json()


def test_every_figure_of_the_html_report_links_to_the_list_of_its_requests(services):
    import re

    from workflows.report.exports import export

    load(services, *random_history(random.Random(11), 80))
    report = services.reports.annual(2023, AGENCY)
    page = export(report, "html")
    links = re.findall(r'<a href="#([^"]+)">(\d+)</a>', page)
    ids = set(re.findall(r'id="([^"]+)"', page))
    assert links and all(target in ids for target, _ in links)
    # a leaf cell's list holds exactly as many requests (or cases) as the figure that links to it
    sections = dict(re.findall(r'<h4 id="(cell-[^"]+)">.*?</h4>\s*(.*?)(?=<h4|<h3|</section>)', page, flags=re.S))
    leaf_links = [(t, int(n)) for t, n in links if t.startswith("cell-")]
    assert leaf_links
    for target, figure in leaf_links:
        assert sections[target].count("<tr><td>") == figure, target
    total_new = report.table3["new"][-1]
    assert total_new and f'<a href="#row-table3-new">{total_new}</a>' in page


def test_a_table_2_change_after_publication_is_flagged_and_shown(services):
    head = user(services, "head")
    set_entry(services.engine, services.store, services.clock.now(), AGENCY, 2023, "licensing", {"decisions": 100}, "", head)
    services.reports.publish(2023, AGENCY, head)
    set_entry(services.engine, services.store, services.clock.now(), AGENCY, 2023, "licensing", {"decisions": 120}, "补录", head)
    set_entry(services.engine, services.store, services.clock.now(), AGENCY, 2024, "licensing", {"decisions": 7}, "", head)
    report = services.reports.annual(2023, AGENCY)
    assert report.stated_table2["licensing"] == {"decisions": "100"}
    assert [(d.table, d.row, d.column, d.published, d.current) for d in report.differences] == [
        ("table2", "licensing", "decisions", "100", "120")]
    assert not next(ch for ch in report.checks if ch.name == "已发布数字未被此后的记录改变").ok
    with services.engine.connect() as conn:
        events = EventStore().read_stream(conn, report_stream(AGENCY, 2023))
    assert [e.type for e in events] == ["report_published", "published_figures_changed"]  # 2024 is not published
    assert events[1].payload == {"agency": AGENCY, "register_item": "licensing", "before": {"decisions": "100"},
                                 "after": {"decisions": "120"}}
