"""Issue 21: papers dated as they happened. A day's papers and steps entered the next morning with their dates give
the same request as entering them live on the day: the same state, flags, papers and requests row; the paper states
what the step records (the correction period); `deliver` on a live request serves the issued reply."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from sqlalchemy import select

from bootstrap import build
from engine.calendar import WorkingCalendar, builtin_years
from engine.clock import VirtualClock
from engine.errors import RuleViolation
from tests.builders import as_lines, event, request_line
from tests.world import AGENCY, user
from workflows.foi import commands as c
from workflows.foi.decide import withdrawn_versions
from workflows.foi.event_types import NOT_A_STEP, EventType
from workflows.foi.state import RequestState
from workflows.requests.importer import import_lines
from workflows.tables import requests_table

CALENDAR = WorkingCalendar(builtin_years())
NOW = dt.datetime(2026, 11, 26, 9, 0)
_ids = itertools.count(1)


@dataclasses.dataclass(frozen=True)
class Paper:
    """One paper's life: drafted, approved and issued at `issued`, served at `served` (the legal day `service_day`)."""

    doc_type: str
    issued: dt.datetime
    served: dt.datetime
    method: str
    service_day: dt.date
    draft: dict


@st.composite
def day_histories(draw) -> tuple[dt.datetime, list[Paper]]:
    """A receipt and the papers of a request, each issued and served on its own day, in time order."""
    received = dt.datetime(2026, draw(st.integers(6, 9)), draw(st.integers(1, 28)), 9, 0)
    moment, papers = received, []
    kinds = draw(st.sampled_from([("correction_notice", "reply"), ("fee_notice", "reply"), ("reply",),
                                  ("correction_notice",), ("fee_notice",)]))
    for kind in kinds:
        moment += dt.timedelta(days=draw(st.sampled_from([1, 4, 9, 16, 30])), hours=draw(st.integers(0, 6)))
        served = moment + dt.timedelta(days=draw(st.sampled_from([0, 1, 3])), hours=1)
        method = draw(st.sampled_from(["post", "personal"]))
        service_day = served.date() if method == "personal" else (
            moment.date() + dt.timedelta(days=draw(st.integers(0, (served.date() - moment.date()).days))))
        draft = {"correction_notice": {"note": "请写明所需信息的文号", "period_days": draw(st.sampled_from([None, 10]))},
                 "fee_notice": {"fee": ("by_volume", draw(st.sampled_from([120, 300])))},
                 "reply": {"outcome": "disclosed", "note": "请到本机关领取"}}[kind]
        papers.append(Paper(kind, moment, served, method, service_day, draft))
        moment = served
        if kind == "correction_notice":  # the applicant answers, and the reply period starts again
            moment += dt.timedelta(days=draw(st.sampled_from([2, 6])))
            papers.append(Paper("submit_correction", moment, moment, "", moment.date(), {}))
        if kind == "fee_notice":
            moment += dt.timedelta(days=draw(st.sampled_from([2, 6])))
            papers.append(Paper("pay_fee", moment, moment, "", moment.date(), {}))
    return received, papers


def enter(services, clock: VirtualClock, request_id: str, received: dt.datetime, papers: list[Paper],
          live: bool) -> None:
    """Live: the clock at each step and no date given. Late: the clock the day after the last step, each dated."""
    clerk, head = user(services, "clerk"), user(services, "head")
    last = papers[-1].served if papers else received

    def at(moment: dt.datetime) -> dt.datetime | None:
        if live:
            clock.advance_to(max(clock.now(), moment))
            return None
        return moment

    if not live:
        clock.advance_to(max(clock.now(), last + dt.timedelta(days=1)))
    services.requests.receive(c.Receive(at=received, request_id=request_id, agency=AGENCY, channel="in_person",
                                        subject="2025年度部门预算", applicant={"kind": "natural_person", "name": "王五"}),
                              clerk)
    for paper in papers:
        if paper.doc_type == "submit_correction":
            when = at(paper.issued)
            services.requests.act(request_id, lambda now, when=when: c.SubmitCorrection(at=when or now), clerk)
            continue
        if paper.doc_type == "pay_fee":
            when = at(paper.issued)
            services.requests.act(request_id, lambda now, when=when: c.PayFee(at=when or now), clerk)
            continue
        services.documents.draft(request_id, paper.doc_type, clerk, at=at(paper.issued), **paper.draft)
        services.documents.approve(request_id, paper.doc_type, head, at=at(paper.issued))
        services.documents.issue(request_id, paper.doc_type, clerk, at=at(paper.issued))
        when = at(paper.served)
        if paper.method == "post":
            services.documents.serve(request_id, paper.doc_type, clerk, "post", "EMS1190012345", posted_on=paper.service_day,
                                     at=when)
        else:
            services.documents.serve(request_id, paper.doc_type, clerk, "personal", signed_on=paper.service_day, at=when)


def comparable(state: RequestState) -> RequestState:
    """The request without what names it: its id (in the papers' text and numbers too) and its stream's times."""
    papers = tuple(dataclasses.replace(d, text="", text_hash=None, number=None) for d in state.documents)
    return dataclasses.replace(state, request_id="", documents=papers)


PAPER_EVENTS = frozenset({EventType.DOCUMENT_DRAFTED, EventType.DOCUMENT_APPROVED, EventType.DOCUMENT_ISSUED,
                          EventType.DOCUMENT_SERVED, EventType.DOCUMENT_RETURNED, EventType.DOCUMENT_SENT_BACK})


def imported_line(services, request_id: str, imported_id: str) -> dict:
    """The request's steps as an import line (DESIGN §6): its person's steps without the papers (an import has none)."""
    with services.engine.connect() as conn:
        stream = services.requests.load(conn, request_id).events
    withdrawn = withdrawn_versions(stream)
    steps = [event(e.type, e.occurred_at.isoformat(), **{k: v for k, v in e.payload.items()
                                                         if k not in ("deadlines", "flags") and v is not None})
             for e in stream[1:] if e.version not in withdrawn and e.type not in NOT_A_STEP
             and e.type not in PAPER_EVENTS and not e.payload.get("auto")]
    return request_line(imported_id, stream[0].occurred_at.isoformat(), *steps, name="王五", subject="2025年度部门预算")


def row(services, request_id: str) -> dict:
    with services.engine.connect() as conn:
        found = conn.execute(select(requests_table).where(requests_table.c.request_id == request_id)).mappings().one()
    return {k: v for k, v in found.items() if k not in ("request_id", "seal", "updated_at", "version", "last_hash")}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_papers_entered_the_next_day_with_their_dates_give_what_entering_them_live_gives(sqlite_services, data):
    received, papers = data.draw(day_histories(), label="history")
    number = next(_ids)
    clock = VirtualClock(received)
    services = build(sqlite_services.engine, clock)
    services.directory.set_agency(user(services, "admin"), AGENCY, doc_prefix="河东审批", review_body="河东区人民政府",
                                  court="河东区人民法院")
    enter(services, clock, f"LIVE-{number}", received, papers, live=True)
    enter(services, clock, f"LATE-{number}", received, papers, live=False)
    clock.advance_to(max(clock.now(), NOW))
    services.requests.run_due_timers(user(services, "clerk"), [f"LIVE-{number}", f"LATE-{number}"])
    with services.engine.connect() as conn:
        live = services.requests.load(conn, f"LIVE-{number}").state
        late = services.requests.load(conn, f"LATE-{number}").state
    for flag in live.flags:
        hypothesis_event(f"flag {flag}")
    assert comparable(late) == comparable(live)
    assert late.flags == live.flags and late.stage == live.stage
    assert row(services, f"LATE-{number}") == row(services, f"LIVE-{number}")
    # and its import (the steps without their papers) gives the same request, papers aside
    import_lines(services.requests, as_lines(imported_line(services, f"LIVE-{number}", f"IMP-{number}")),
                 user(services))
    with services.engine.connect() as conn:
        imported = services.requests.load(conn, f"IMP-{number}").state
    assert dataclasses.replace(comparable(imported), documents=(), imported_from=None) == dataclasses.replace(
        comparable(live), documents=(), imported_from=None)


def test_a_step_dated_before_its_paper_was_issued_is_refused_with_both_dates_art30(sqlite_services):
    services = sqlite_services
    clerk, head = user(services, "clerk"), user(services, "head")
    received = dt.datetime(2026, 11, 20, 9, 0)
    services.requests.receive(c.Receive(at=received, request_id="P-1", agency=AGENCY, channel="in_person",
                                        subject="某文件", applicant={"kind": "natural_person", "name": "王五"}), clerk)
    services.documents.draft("P-1", "correction_notice", clerk, note="请写明文号", at=dt.date(2026, 11, 23))
    services.documents.approve("P-1", "correction_notice", head, at=dt.date(2026, 11, 23))
    issued = services.documents.issue("P-1", "correction_notice", clerk, at=dt.datetime(2026, 11, 24, 10, 0))
    assert issued.issued_on == dt.date(2026, 11, 24) and issued.number.endswith("〔2026〕1号")
    with pytest.raises(RuleViolation, match="2026年11月24日印发，晚于告知补正之日（2026年11月23日）") as refused:
        services.requests.act("P-1", c.RequestCorrection(at=dt.datetime(2026, 11, 23, 15, 0)), clerk)
    assert refused.value.rule == "Art. 30"
    state = services.requests.act("P-1", c.RequestCorrection(at=dt.datetime(2026, 11, 24, 11, 0)), clerk)
    assert state.correction_notice_on == dt.date(2026, 11, 24) and state.correction_period_days == 15  # the agency's


def test_a_document_step_in_the_future_or_out_of_order_is_refused_and_takes_no_number(sqlite_services):
    services = sqlite_services
    clerk, head = user(services, "clerk"), user(services, "head")
    now = services.clock.now()
    services.directory.set_agency(user(services, "admin"), AGENCY, doc_prefix="河东审批", review_body="河东区人民政府",
                                  court="河东区人民法院")
    services.requests.receive(c.Receive(at=now - dt.timedelta(days=20), request_id="P-2", agency=AGENCY,
                                        channel="in_person", subject="某文件",
                                        applicant={"kind": "natural_person", "name": "王五"}), clerk)
    services.documents.draft("P-2", "reply", clerk, outcome="disclosed", note="请到本机关领取",
                             at=now - dt.timedelta(days=5))
    services.documents.approve("P-2", "reply", head, at=now - dt.timedelta(days=4))
    with pytest.raises(RuleViolation, match="晚于今天"):
        services.documents.issue("P-2", "reply", clerk, at=now + dt.timedelta(days=1))
    with pytest.raises(RuleViolation, match="早于上一步骤"):
        services.documents.issue("P-2", "reply", clerk, at=now - dt.timedelta(days=6))
    issued = services.documents.issue("P-2", "reply", clerk, at=now - dt.timedelta(days=3))
    assert issued.number.endswith("〕1号")  # the refused issues took no number: gapless
    with services.engine.connect() as conn:
        state = services.requests.load(conn, "P-2").state
    assert state.stage == "decided" and state.concluded_on == (now - dt.timedelta(days=3)).date()  # the issue date
