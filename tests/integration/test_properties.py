"""Properties of the whole write path on a real database, and the tamper evidence of the event log.

Random command sequences (hypothesis) drive requests through `App` the way staff would: each step
advances a virtual clock by 0–10 days and picks a command the workflow allows in the request's current
stage, with arguments that are valid most of the time (an occasional refused command must leave no
trace). After every sequence: one outcome at most, stream versions 1..n, the projection equals a replay,
and both hash chains verify.

The tamper tests change the `events` table behind the engine's back with raw SQL and check that
`EventStore.verify` and `ogi audit verify` reject the log and name the first bad event.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import subprocess
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update

from bootstrap import App, build
from engine.adapters.eventstore import EventStore, canonical_json, event_hash, events_table
from engine.clock import VirtualClock
from engine.errors import RuleViolation
from tests.builders import issued_document, issued_reply, noticed_correction
from tests.conftest import AGENCY, run_ogi, user
from tests.world import sealed_row
from workflows.foi import commands as c
from workflows.foi.definition import WORKFLOW
from workflows.foi.handle import handle
from workflows.foi.state import RequestState, Stage
from workflows.foi.vocabulary import (
    CONFIRMABLE_CHANNELS,
    ApplicantKind,
    CaseResult,
    Channel,
    ConsultedParty,
    DeliveryMethod,
    FeeMethod,
    Opinion,
    Outcome,
)
from workflows.streams import fold_stored, request_stream
from workflows.tables import calendar_years_table, requests_table

CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)

# -- snapshots of the database ----------------------------------------------------------------------


def projection_rows(services: App) -> list[dict]:
    with services.engine.connect() as conn:
        rows = conn.execute(select(requests_table).order_by(requests_table.c.request_id))
        return [dict(r._mapping) for r in rows]


def calendar_rows(services: App) -> list[dict]:
    with services.engine.connect() as conn:
        rows = conn.execute(select(calendar_years_table).order_by(calendar_years_table.c.year))
        return [dict(r._mapping) for r in rows]


def event_count(services: App) -> int:
    with services.engine.connect() as conn:
        return EventStore().count(conn)


def stream_events(services: App, request_id: str):
    with services.engine.connect() as conn:
        return services.store.read_stream(conn, request_stream(request_id))


def projection_of(services: App, request_id: str) -> dict | None:
    with services.engine.connect() as conn:
        row = conn.execute(select(requests_table).where(requests_table.c.request_id == request_id)).first()
        return dict(row._mapping) if row else None


def assert_log_invariants(services: App) -> None:
    """(b) versions 1..n in every stream, (c) projection == replay (and == a rebuild), (d) both chains verify."""
    with services.engine.connect() as conn:
        by_stream: dict[str, list] = {}
        for stored in services.store.read_all(conn):
            by_stream.setdefault(stored.stream_id, []).append(stored)
        audit = services.store.verify(conn)
        total = services.store.count(conn)
    assert audit.ok, audit.problem
    assert audit.events_checked == total
    for stream, events in by_stream.items():
        assert [e.version for e in events] == list(range(1, len(events) + 1)), stream
    replayed = sorted(
        (sealed_row(services, fold_stored(events), events[-1].version, events[-1].stream_hash) for stream, events in by_stream.items()
         if stream.startswith("request/")),
        key=lambda row: row["request_id"],
    )
    before = projection_rows(services)
    assert before == replayed
    calendar_before = calendar_rows(services)
    rebuilt = services.requests.rebuild_projections()
    assert rebuilt["requests"] == len(replayed)
    assert projection_rows(services) == before
    assert calendar_rows(services) == calendar_before


# -- the command generator --------------------------------------------------------------------------

PROCESSING_OUTCOMES = [o.value for o in Outcome if o not in (Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_UNPAID_FEE)]


def valid_outcomes(state: RequestState) -> list[str]:
    """The outcomes `decide` accepts in this state (workflows/foi/definition.py: outcome_allowed_now)."""
    if state.stage == Stage.AWAITING_CORRECTION:
        return [Outcome.OTHER_NO_CORRECTION.value] if state.has_lapsed("correction") else []
    if state.stage == Stage.AWAITING_PAYMENT:
        return [Outcome.OTHER_UNPAID_FEE.value] if state.has_lapsed("payment") else []
    if state.stage == Stage.PROCESSING:
        return [o for o in PROCESSING_OUTCOMES if o != Outcome.UNABLE_UNCLEAR.value or state.corrected_on]
    return []


def likely_valid(name: str, s: RequestState) -> bool:
    """Whether our arguments for `name` will pass its guards in state `s` (the generator prefers these)."""
    open_reviews = [k for k, v in s.reviews.items() if v.closed_on is None]
    open_suits = [k for k, v in s.litigations.items() if v.closed_on is None]
    return {
        c.ConfirmReceipt.name: s.channel in CONFIRMABLE_CHANNELS and s.confirmed_on is None
        and not (s.correction_notice_on or s.suspensions or s.extension_days),
        c.RequestCorrection.name: s.correction_notice_on is None,
        c.StartConsultation.name: s.open_consultation is None,
        c.NotifyFee.name: s.fee_notified_on is None,
        c.Extend.name: not s.extension_days,
        c.Decide.name: bool(valid_outcomes(s)),
        c.CloseReview.name: bool(open_reviews),
        c.CloseLitigation.name: bool(open_suits),
        c.Close.name: not s.pending_cases(),
        c.AskReasons.name: s.reasons_requested_on is None,
        c.DecideRecordCorrection.name: s.procedure == "record_correction",
        c.VoidStep.name: False,  # voids are tested on their own (tests/integration/test_time_rules.py); here only refused
        c.ReceiveReasons.name: s.reasons_requested_on is not None and s.reasons_received_on is None,
        c.RecordNoticeReceipt.name: (s.correction_notice_received_on if s.stage == Stage.AWAITING_CORRECTION
                                     else s.fee_notice_received_on) is None,
    }.get(name, True)


# how often the generator picks a valid command relative to the others (withdrawal ends a life early)
WEIGHTS = {c.Decide.name: 3, c.Deliver.name: 4, c.Withdraw.name: 1, c.FileReview.name: 1, c.FileLitigation.name: 1,
           c.CloseReview.name: 3, c.CloseLitigation.name: 3}


@st.composite
def staff_command(draw, s: RequestState, now: dt.datetime) -> c.Command:
    """A staff command allowed in `s.stage`, nearly always with arguments its guards accept."""
    allowed = [n for n in WORKFLOW.commands_from(s.stage) if n in c.STAFF_COMMANDS]
    valid = [n for n in allowed if likely_valid(n, s) for _ in range(WEIGHTS.get(n, 2))]
    anything = sorted(set(allowed) | ({c.Decide.name, c.Withdraw.name} if s.outcome else set()))
    if valid and draw(st.integers(0, 9)) > 0:  # 9 in 10 steps take a valid command
        name = draw(st.sampled_from(valid))
    else:
        name = draw(st.sampled_from(anything))
    build = COMMAND_BUILDERS.get(name)
    if build is None:
        raise AssertionError(f"the generator does not know the staff command {name!r}")
    return build(draw, s, now)


def _open_case(draw, cases: dict) -> str:
    return draw(st.sampled_from(sorted(k for k, v in cases.items() if v.closed_on is None) or ["无此案"]))


def _end_consultation(draw, s: RequestState, now: dt.datetime) -> c.Command:
    party = s.open_consultation[0] if s.open_consultation else ConsultedParty.THIRD_PARTY.value
    return c.EndConsultation(at=now, party=party, opinion=draw(st.sampled_from([o.value for o in Opinion])))


def _decide(draw, s: RequestState, now: dt.datetime) -> c.Command:
    return c.Decide(at=now, outcome=draw(st.sampled_from(valid_outcomes(s) or [o.value for o in Outcome])))


def _receive_reasons(draw, s: RequestState, now: dt.datetime) -> c.Command:
    reasonable = draw(st.booleans())
    return c.ReceiveReasons(at=now, reasonable=reasonable,
                            reply_days=draw(st.sampled_from([None, 10, 30])) if reasonable else None)


def _file_litigation(draw, s: RequestState, now: dt.datetime) -> c.Command:
    after_review = any(r.closed_on for r in s.reviews.values()) and draw(st.booleans())
    return c.FileLitigation(at=now, case=f"行初〔{now.year}〕{len(s.litigations) + 1}号", after_review=after_review)


DEPARTMENTS = st.sampled_from(["bangongshi", "zhengce"])  # set up for the agency in the fixtures below
# the paper a step serves on a live request (DESIGN §9): issued first in about half the examples
# the paper a step needs on a live request; a decision is the issued reply's (DESIGN §9)
PAPER_FOR = {c.RequestCorrection.name: "correction_notice", c.NotifyFee.name: "fee_notice", c.Deliver.name: "reply",
             c.Decide.name: "reply"}
APPROVERS_STEPS = frozenset({c.Extend.name, c.VoidStep.name, c.ApproveDocument.name})  # taken by the head himself

COMMAND_BUILDERS = {
    c.ConfirmReceipt.name: lambda draw, s, now: c.ConfirmReceipt(at=now),
    c.RequestCorrection.name: lambda draw, s, now: c.RequestCorrection(at=now, period_days=draw(st.integers(1, 15))),
    c.SubmitCorrection.name: lambda draw, s, now: c.SubmitCorrection(at=now),
    c.StartConsultation.name: lambda draw, s, now: c.StartConsultation(
        at=now, party=draw(st.sampled_from([p.value for p in ConsultedParty]))),
    c.EndConsultation.name: _end_consultation,
    c.NotifyFee.name: lambda draw, s, now: c.NotifyFee(
        at=now, amount_yuan=draw(st.integers(1, 50_000)) / 100, method=draw(st.sampled_from([m.value for m in FeeMethod]))),
    c.PayFee.name: lambda draw, s, now: c.PayFee(at=now),
    c.AssignDepartment.name: lambda draw, s, now: c.AssignDepartment(at=now, department=draw(DEPARTMENTS)),
    c.TransferDepartment.name: lambda draw, s, now: c.TransferDepartment(at=now, department=draw(DEPARTMENTS),
                                                                         reason="非本科室职责"),
    c.SendBack.name: lambda draw, s, now: c.SendBack(at=now, reason="非本科室职责"),
    c.RequestAssistance.name: lambda draw, s, now: c.RequestAssistance(
        at=now, department=draw(DEPARTMENTS), due_on=(now.date() + dt.timedelta(days=draw(st.integers(0, 10)))).isoformat()),
    c.AnswerAssistance.name: lambda draw, s, now: c.AnswerAssistance(at=now, department=draw(DEPARTMENTS), note="已提供"),
    c.Extend.name: lambda draw, s, now: c.Extend(at=now, working_days=draw(st.integers(1, 20))),
    c.Decide.name: _decide,
    c.Deliver.name: lambda draw, s, now: c.Deliver(at=now, method=draw(st.sampled_from([m.value for m in DeliveryMethod]))),
    c.Withdraw.name: lambda draw, s, now: c.Withdraw(at=now),
    c.FileReview.name: lambda draw, s, now: c.FileReview(at=now, case=f"复议〔{now.year}〕{len(s.reviews) + 1}号"),
    c.CloseReview.name: lambda draw, s, now: c.CloseReview(
        at=now, case=_open_case(draw, s.reviews), result=draw(st.sampled_from([r.value for r in CaseResult]))),
    c.FileLitigation.name: _file_litigation,
    c.CloseLitigation.name: lambda draw, s, now: c.CloseLitigation(
        at=now, case=_open_case(draw, s.litigations), result=draw(st.sampled_from([r.value for r in CaseResult]))),
    c.Close.name: lambda draw, s, now: c.Close(at=now),
    c.RecordNoticeReceipt.name: lambda draw, s, now: c.RecordNoticeReceipt(
        at=now, notice="correction" if s.stage == Stage.AWAITING_CORRECTION else "fee"),
    c.AskReasons.name: lambda draw, s, now: c.AskReasons(at=now),
    c.VoidStep.name: lambda draw, s, now: c.VoidStep(at=now, version=1, reason="误录"),
    c.DecideRecordCorrection.name: lambda draw, s, now: c.DecideRecordCorrection(
        at=now, result="not_corrected", reasons="证据不足"),
    c.ReceiveReasons.name: _receive_reasons,
}


@st.composite
def receive_command(draw, request_id: str, now: dt.datetime) -> c.Receive:
    """A request received today or up to 60 days ago (then its lapses are due at once and fire with the receipt)."""
    at = now - dt.timedelta(days=draw(st.integers(0, 60)), minutes=draw(st.integers(0, 600)))
    channel = draw(st.sampled_from([ch.value for ch in Channel]))
    confirmed_at = None
    if channel in CONFIRMABLE_CHANNELS and draw(st.booleans()):
        confirmed_at = min(now, at + dt.timedelta(hours=draw(st.integers(0, 72))))
    return c.Receive(
        at=at, request_id=request_id, agency=AGENCY,
        applicant={"kind": draw(st.sampled_from([k.value for k in ApplicantKind])),
                   "name": draw(st.text(CHINESE, min_size=1, max_size=6))},
        channel=channel, subject=draw(st.text(CHINESE, min_size=1, max_size=30)), confirmed_at=confirmed_at,
    )


# -- one random life of a request -----------------------------------------------------------------


def issue_paper(services: App, request_id: str, paper: str, command: c.Command, due: RequestState, clerk) -> None:
    outcome = command.outcome if isinstance(command, c.Decide) else (due.outcome.value if due.outcome else None)
    head = user(services, "head")
    fee = ({"method": command.method, "units": 1, "amount_yuan": command.amount_yuan}
           if isinstance(command, c.NotifyFee) else None)
    try:
        for step in issued_document(command.at, paper, outcome or ("disclosed" if paper == "reply" else None), fee):
            services.requests.act(request_id, step, head if step.name in APPROVERS_STEPS else clerk)
    except RuleViolation:
        event(f"paper {paper} refused in {due.stage.value}")


def run_random_request(services: App, data, request_id: str, max_steps: int) -> None:
    clerk, head = user(services, "clerk"), user(services, "head")
    start = data.draw(st.datetimes(dt.datetime(2024, 1, 1, 8), dt.datetime(2026, 10, 31, 18)), label="start")
    clock = VirtualClock(start.replace(microsecond=0))
    services = build(services.engine, clock)  # a fresh business time line per example; the database is shared
    state = services.requests.receive(data.draw(receive_command(request_id, clock.now()), label="receive"), clerk)
    events = stream_events(services, request_id)
    event("timers fired with the receipt" if len(events) > 1 else "receipt alone")
    assert fold_stored(events) == state
    assert projection_of(services, request_id) == sealed_row(services, state, len(events), events[-1].stream_hash)
    first_outcome = state.outcome
    steps = data.draw(st.integers(1, max_steps), label="steps")
    for _ in range(steps):
        clock.advance_to(clock.now() + dt.timedelta(seconds=data.draw(st.integers(0, 10 * 86400), label="advance")))
        with services.engine.connect() as conn:
            loaded = services.requests.load(conn, request_id)
            version = loaded.version
            due = handle(loaded.state, None, clock.now(), services.requests.calendar(conn)).state  # what `act` will see
        command = data.draw(staff_command(due, clock.now()), label="command")
        paper = PAPER_FOR.get(command.name)
        if paper and data.draw(st.booleans(), label="paper issued first"):
            issue_paper(services, request_id, paper, command, due, clerk)
            with services.engine.connect() as conn:
                version = services.requests.load(conn, request_id).version
        before_events, before_row = event_count(services), projection_of(services, request_id)
        try:
            state = services.requests.act(request_id, command, head if command.name in APPROVERS_STEPS else clerk)
        except RuleViolation:
            event(f"refused {command.name} in {due.stage.value}")
            assert event_count(services) == before_events, f"a refused {command.name} appended events"
            assert projection_of(services, request_id) == before_row, f"a refused {command.name} changed the projection"
            continue
        event(f"{command.name} in {due.stage.value}")
        events = stream_events(services, request_id)
        event("timers fired before the command" if events[-1].version - version > 1 else "the command alone")
        assert events[-1].version > version
        assert [e.version for e in events] == list(range(1, len(events) + 1))
        assert fold_stored(events) == state, "the state returned by act differs from a replay of the stored events"
        assert projection_of(services, request_id) == sealed_row(services, state, events[-1].version, events[-1].stream_hash)
        # (a) one outcome: once there is one, it never changes
        if first_outcome is None:
            first_outcome = state.outcome
        assert state.outcome == first_outcome
        if state.stage == Stage.CLOSED:
            break
    event(f"ended in {state.stage.value}")
    events = stream_events(services, request_id)
    concluding = [e for e in events if e.type in ("decided", "withdrawn")]
    assert len(concluding) <= 1, [e.type for e in concluding]
    if state.outcome is not None:
        assert len(concluding) == 1
        # (a) a decided or withdrawn request refuses every further decision and withdrawal
        for outcome in [o.value for o in Outcome]:
            attempt = c.Decide(at=clock.now(), outcome=outcome)
            with pytest.raises(RuleViolation):
                services.requests.act(request_id, attempt, clerk)
        with pytest.raises(RuleViolation):
            services.requests.act(request_id, c.Withdraw(at=clock.now()), clerk)
        assert stream_events(services, request_id) == events
        with services.engine.connect() as conn:
            assert services.requests.load(conn, request_id).state.outcome == state.outcome
        assert projection_of(services, request_id)["outcome"] == state.outcome
    assert_log_invariants(services)


SEQUENCE_SETTINGS = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
_ids = itertools.count(1)


@settings(max_examples=40, **SEQUENCE_SETTINGS)
@given(data=st.data())
def test_random_command_sequences_keep_one_outcome_contiguous_versions_a_replayable_projection_and_an_intact_chain(
        sqlite_services, data):
    run_random_request(sqlite_services, data, f"2026-P{next(_ids):05d}", max_steps=30)


@settings(max_examples=12, **SEQUENCE_SETTINGS)
@given(data=st.data())
def test_random_command_sequences_keep_the_same_properties_on_postgresql(postgres_services, data):
    run_random_request(postgres_services, data, f"2026-Q{next(_ids):05d}", max_steps=20)


# -- tamper evidence ----------------------------------------------------------------------------------


def build_log(services: App) -> None:
    """Three requests whose events interleave in the log: served and closed, withdrawn, still open (with lapses)."""
    clerk = user(services, "clerk")
    clock: VirtualClock = services.clock
    start = clock.now()

    def at(days: float) -> dt.datetime:
        moment = start + dt.timedelta(days=days)
        clock.advance_to(moment)
        return moment

    def receive(request_id: str, channel: str, subject: str) -> None:
        services.requests.receive(c.Receive(at=clock.now(), request_id=request_id, agency=AGENCY,
                                   applicant={"kind": "natural_person", "name": "张三"}, channel=channel,
                                   subject=subject), clerk)

    receive("2026-T1", "in_person", "2025年度部门预算执行情况")
    receive("2026-T2", "online", "某路段拆迁补偿标准")
    head = user(services, "head")
    services.requests.act("2026-T1", c.Extend(at=at(1), working_days=10), head)  # the head's own extension
    services.requests.act("2026-T2", c.ConfirmReceipt(at=at(1.1)), clerk)
    receive("2026-T3", "post_signed", "河道整治环评报告")
    for step in noticed_correction(at(2), period_days=5):
        services.requests.act("2026-T2", step, head if step.name == "approve_document" else clerk)
    for step in issued_reply(at(3), Outcome.PARTIAL.value):  # the decision is the issued reply's (DESIGN §9)
        services.requests.act("2026-T1", step, head if step.name == "approve_document" else clerk)
    services.requests.act("2026-T1", c.Decide(at=clock.now(), outcome=Outcome.PARTIAL.value), clerk)
    services.requests.act("2026-T3", c.StartConsultation(at=at(4), party="third_party"), clerk)
    services.requests.act("2026-T1", c.Deliver(at=at(5), method="post"), clerk)
    services.requests.act("2026-T2", c.Withdraw(at=at(6)), clerk)
    services.requests.act("2026-T1", c.FileReview(at=at(8), case="复议〔2026〕7号"), clerk)
    services.requests.act("2026-T3", c.EndConsultation(at=at(12), party="third_party", opinion="consent"), clerk)
    services.requests.act("2026-T1", c.CloseReview(at=at(20), case="复议〔2026〕7号", result="maintained"), clerk)
    services.requests.act("2026-T1", c.Close(at=at(31)), clerk)
    services.requests.act("2026-T3", c.Extend(at=at(60), working_days=20), head)  # reply lapsed first


@dataclass(frozen=True)
class Row:
    seq: int
    stream_id: str
    version: int


def rows(conn) -> list[Row]:
    query = select(events_table.c.seq, events_table.c.stream_id, events_table.c.version).order_by(events_table.c.seq)
    return [Row(*r) for r in conn.execute(query)]


def column(conn, name: str, seq: int):
    return conn.execute(select(events_table.c[name]).where(events_table.c.seq == seq)).scalar_one()


def set_columns(conn, seq: int, **values) -> None:
    conn.execute(update(events_table).where(events_table.c.seq == seq).values(**values))


def first_bad_after_deleting(all_rows: list[Row], deleted: set[int]) -> Row | None:
    """The row verification must name after `deleted` rows vanished (None: only the log head can tell)."""
    gap = min(deleted)
    return next((r for r in all_rows if r.seq > gap and r.seq not in deleted), None)


def edit_payload(conn, target: Row) -> None:
    payload = json.loads(column(conn, "payload", target.seq))
    payload["备注"] = "事后修改"
    set_columns(conn, target.seq, payload=canonical_json(payload))


def edit_actor(conn, target: Row) -> None:
    actor = column(conn, "actor", target.seq)
    set_columns(conn, target.seq, actor="head" if actor != "head" else "clerk")


def edit_occurred_at(conn, target: Row) -> None:
    set_columns(conn, target.seq, occurred_at=column(conn, "occurred_at", target.seq) - dt.timedelta(days=1))


def delete_seqs(conn, seqs: set[int]) -> None:
    conn.execute(delete(events_table).where(events_table.c.seq.in_(sorted(seqs))))


def swap(conn, a: Row, b: Row) -> None:
    """Exchange the positions of two rows in the log: each keeps its content and hashes, the seqs are swapped."""
    both = conn.execute(select(events_table).where(events_table.c.seq.in_([a.seq, b.seq])))
    full = {r.seq: dict(r._mapping) for r in both}
    delete_seqs(conn, {a.seq, b.seq})
    conn.execute(insert(events_table), [{**full[a.seq], "seq": b.seq}, {**full[b.seq], "seq": a.seq}])


def tamper(kind: str, conn, all_rows: list[Row], pick: int) -> tuple[Row | None, int]:
    """Tamper with the row `pick` chooses; return the row verify must name and how many rows before it are intact."""
    target = all_rows[pick % len(all_rows)]
    last = all_rows[-1]
    if kind == "payload edited":
        edit_payload(conn, target)
    elif kind == "actor edited":
        edit_actor(conn, target)
    elif kind == "occurred_at edited":
        edit_occurred_at(conn, target)
    elif kind == "middle event deleted":
        target = all_rows[pick % (len(all_rows) - 1)]
        delete_seqs(conn, {target.seq})
        return first_bad_after_deleting(all_rows, {target.seq}), target.seq - 1
    elif kind == "last event deleted":
        delete_seqs(conn, {last.seq})
        return None, last.seq - 1
    elif kind == "whole request deleted":
        deleted = {r.seq for r in all_rows if r.stream_id == target.stream_id}
        delete_seqs(conn, deleted)
        bad = first_bad_after_deleting(all_rows, deleted)
        return bad, (min(deleted) - 1 if bad else len(all_rows) - len(deleted))
    elif kind == "two events swapped":
        other = all_rows[(pick // len(all_rows) + 1 + pick) % len(all_rows)]
        if other == target:
            other = all_rows[(all_rows.index(target) + 1) % len(all_rows)]
        swap(conn, target, other)
        first, moved = sorted([target, other], key=lambda r: r.seq)
        target = Row(first.seq, moved.stream_id, moved.version)  # the later event now sits at the earlier seq
    else:
        raise AssertionError(kind)
    return target, target.seq - 1


TAMPERINGS = ["payload edited", "actor edited", "occurred_at edited", "middle event deleted", "last event deleted",
              "whole request deleted", "two events swapped"]


def names(problem: str, bad: Row | None, total: int) -> bool:
    """Whether a verification message names the first bad row (or, for a cut-off end, the log head)."""
    if bad is None:
        return "head" in problem and re.search(rf"\b{total}\b", problem) is not None
    return re.search(rf"\bseq {bad.seq}\b", problem) is not None and bad.stream_id in problem


@pytest.fixture
def tamper_log(services):
    build_log(services)
    with services.engine.connect() as conn:
        all_rows = rows(conn)
        assert services.store.verify(conn).ok
    assert len({r.stream_id for r in all_rows}) == 3 and len(all_rows) >= 15
    return services, all_rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(TAMPERINGS), pick=st.integers(0, 10_000))
def test_any_single_tampering_of_an_event_row_fails_verification_and_names_the_first_bad_event(tamper_log, kind, pick):
    services, all_rows = tamper_log
    with services.engine.connect() as conn:
        transaction = conn.begin()  # the tampering is rolled back after each example
        try:
            bad, intact = tamper(kind, conn, all_rows, pick)
            result = services.store.verify(conn)
        finally:
            transaction.rollback()
        assert not result.ok, f"{kind} at pick {pick} was not detected"
        assert names(result.problem, bad, len(all_rows)), (kind, bad, result.problem)
        assert result.events_checked == intact
        assert services.store.verify(conn).ok  # the rollback restored the log


def test_every_kind_of_tampering_is_caught_on_every_row_it_can_hit(tamper_log):
    services, all_rows = tamper_log
    for kind, pick in itertools.product(TAMPERINGS, range(len(all_rows))):
        with services.engine.connect() as conn:
            transaction = conn.begin()
            try:
                bad, intact = tamper(kind, conn, all_rows, pick)
                result = services.store.verify(conn)
            finally:
                transaction.rollback()
            assert not result.ok, f"{kind} at row {pick} was not detected"
            assert names(result.problem, bad, len(all_rows)), (kind, bad, result.problem)
            assert result.events_checked == intact


def test_an_edited_payload_with_its_stream_hash_recomputed_still_breaks_the_whole_log_chain(tamper_log):
    services, all_rows = tamper_log
    target = all_rows[len(all_rows) // 2]
    with services.engine.begin() as conn:
        edit_payload(conn, target)
        r = conn.execute(select(events_table).where(events_table.c.seq == target.seq)).one()
        previous = conn.execute(select(events_table.c.stream_hash).where(
            events_table.c.stream_id == r.stream_id, events_table.c.version == r.version - 1)).scalar_one_or_none()
        forged = event_hash(previous or "0" * 64, r.stream_id, r.version, r.type, r.occurred_at, r.recorded_at, r.actor,
                            r.schema_version, r.payload)
        conn.execute(update(events_table).where(events_table.c.seq == target.seq).values(stream_hash=forged))
    with services.engine.connect() as conn:
        result = services.store.verify(conn)
    assert not result.ok
    assert names(result.problem, target, len(all_rows))


def run_audit_verify(database_url: str) -> subprocess.CompletedProcess:
    """`ogi audit verify` as a separate process; the tests check its exit code (non-zero after tampering)."""
    return run_ogi(database_url, "audit", "verify", ok=False)


def test_ogi_audit_verify_exits_zero_and_counts_the_events_of_an_intact_log(tamper_log, database_url):
    services, all_rows = tamper_log
    intact = run_audit_verify(database_url)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert f"日志完好：{len(all_rows)} 个事件" in intact.stdout, intact.stdout


@pytest.mark.parametrize("kind", TAMPERINGS)
def test_ogi_audit_verify_exits_non_zero_and_names_the_first_bad_event_after_tampering(tamper_log, database_url, kind):
    services, all_rows = tamper_log
    with services.engine.begin() as conn:
        bad, _ = tamper(kind, conn, all_rows, pick=len(all_rows) // 2)
    tampered = run_audit_verify(database_url)
    output = tampered.stdout + tampered.stderr
    assert tampered.returncode != 0, output
    assert "OK" not in tampered.stdout
    assert names(output, bad, len(all_rows)), output
