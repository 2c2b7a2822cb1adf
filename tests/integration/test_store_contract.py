"""The contract of the event store and the request projection, run on SQLite and on the real PostgreSQL.

Every test here takes the `services` / `database_url` fixtures, which conftest parametrizes over both
databases: the embedded default and the production one must behave the same.
"""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from bootstrap import App
from engine.adapters.eventstore import StreamAppend, events_table, log_head_table
from engine.calendar import YearArrangement
from engine.clock import VirtualClock
from engine.errors import ConcurrencyConflict, OgiError, RuleViolation
from engine.events import NewEvent
from tests.builders import issued_reply
from tests.conftest import AGENCY, user
from tests.world import sealed_row
from workflows.foi import commands as c
from workflows.foi.decide import decide
from workflows.streams import fold_stored, request_stream
from workflows.tables import calendar_years_table, requests_table

NOW = dt.datetime(2026, 11, 26, 9, 0)
JOIN_TIMEOUT = 60  # seconds a writer thread may take before the test calls it hung


# -- helpers ------------------------------------------------------------------------------------------


def receive(services: App, request_id: str, subject: str = "2025年度部门预算", channel: str = "in_person",
            name: str = "张三", electronic_service: bool | None = None) -> None:
    services.requests.receive(c.Receive(at=services.clock.now(), request_id=request_id, agency=AGENCY,
                               applicant={"kind": "natural_person", "name": name}, channel=channel, subject=subject,
                               electronic_service=electronic_service),
                     user(services, "clerk"))


def advance(services: App, **delta) -> dt.datetime:
    clock: VirtualClock = services.clock
    clock.advance_to(clock.now() + dt.timedelta(**delta))
    return clock.now()


def snapshot(services: App) -> dict:
    """Everything a write may touch: the log, its head and both read models."""
    tables = {"events": (events_table, "seq"), "requests": (requests_table, "request_id"),
              "calendar": (calendar_years_table, "year")}
    head = log_head_table.c  # its reference version is a cache token, moved by a rebuild on purpose
    with services.engine.connect() as conn:
        return {"head": [dict(r._mapping) for r in conn.execute(select(head.id, head.seq, head.log_hash))],
                **{name: [dict(r._mapping) for r in conn.execute(select(table).order_by(table.c[key]))]
                   for name, (table, key) in tables.items()}}


def verify(services: App):
    with services.engine.connect() as conn:
        return services.store.verify(conn)


def read_stream(services: App, stream: str):
    with services.engine.connect() as conn:
        return services.store.read_stream(conn, stream)


# -- append / read round trip -------------------------------------------------------------------------


def test_append_then_read_preserves_type_occurred_at_actor_and_chinese_payload(services):
    store = services.store
    stream = "contract/往返"
    first = dt.datetime(2026, 11, 26, 9, 30, 15, 123456)
    events = [
        NewEvent("received", first, {"subject": "关于某某路段拆迁补偿标准的信息", "n": 3, "amount": 12.5, "ok": True,
                                      "nothing": None, "list": ["一", 2, {"嵌套": "值"}]}),
        NewEvent("decided", first + dt.timedelta(days=3, microseconds=1), {"outcome": "partial"}, actor="李主任"),
    ]
    with services.engine.begin() as conn:
        written = store.append(conn, StreamAppend(stream, 0, events, "经办人"), NOW)
    stored = read_stream(services, stream)
    assert stored == written
    assert [(e.type, e.occurred_at, e.actor, e.payload) for e in stored] == [
        ("received", events[0].occurred_at, "经办人", events[0].payload),
        ("decided", events[1].occurred_at, "李主任", events[1].payload),
    ]
    assert [e.version for e in stored] == [1, 2]
    assert all(e.recorded_at == NOW for e in stored)
    with services.engine.connect() as conn:
        assert list(store.read_all(conn, "contract/")) == stored
        assert store.stream_version(conn, stream) == 2
    assert verify(services).ok


def test_a_received_request_keeps_its_chinese_subject_and_name_in_the_log_and_the_projection(services):
    receive(services, "2026-001", subject="河道整治项目环境影响评价报告（全本）", name="欧阳娜娜")
    [event] = read_stream(services, request_stream("2026-001"))
    assert event.payload["subject"] == "河道整治项目环境影响评价报告（全本）"
    assert event.payload["applicant"] == {"kind": "natural_person", "name": "欧阳娜娜"}
    assert event.actor == "clerk"
    [row] = snapshot(services)["requests"]
    assert (row["subject"], row["applicant_name"]) == ("河道整治项目环境影响评价报告（全本）", "欧阳娜娜")


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.dictionaries(TEXT, JSON, max_size=6), data=st.data())
def test_any_json_payload_and_moment_round_trip_through_the_store_unchanged(services, payload, data):
    store = services.store
    moment = data.draw(st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1)))
    with services.engine.connect() as conn:
        stream = f"contract/json-{store.count(conn)}"
    with services.engine.begin() as conn:
        [written] = store.append(conn, StreamAppend(stream, 0, [NewEvent("noted", moment, payload)], "clerk"), NOW)
    [stored] = read_stream(services, stream)
    assert stored.payload == payload
    assert json.dumps(stored.payload, sort_keys=True) == json.dumps(payload, sort_keys=True)  # -0.0, 1 vs 1.0
    assert stored.occurred_at == moment
    assert stored == written
    assert verify(services).ok


# -- optimistic concurrency -----------------------------------------------------------------------------


@pytest.mark.parametrize("expected", [0, 1, 3])
def test_a_stale_expected_version_raises_a_concurrency_conflict_and_writes_nothing(services, expected):
    receive(services, "2026-002")
    services.requests.act("2026-002", c.Extend(at=advance(services, days=1), working_days=5),
                 user(services, "head"))  # the head's own extension
    before = snapshot(services)
    assert before["events"][-1]["version"] == 2
    stale = StreamAppend(request_stream("2026-002"), expected, [NewEvent("withdrawn", NOW + dt.timedelta(days=2), {})],
                         "clerk")
    with pytest.raises(ConcurrencyConflict):
        with services.engine.begin() as conn:
            services.store.append(conn, stale, NOW)
    assert snapshot(services) == before
    assert verify(services).ok


def test_a_conflict_in_one_stream_of_a_batch_writes_none_of_the_batch_even_if_the_caller_commits(services):
    receive(services, "2026-003")
    before = snapshot(services)
    with services.engine.begin() as conn:  # the caller swallows the conflict and commits its transaction
        with pytest.raises(ConcurrencyConflict):
            services.store.append_many(conn, [
                StreamAppend("contract/fresh", 0, [NewEvent("noted", NOW, {"a": 1})], "clerk"),
                StreamAppend(request_stream("2026-003"), 0, [NewEvent("noted", NOW, {"b": 2})], "clerk"),
            ], NOW)
    assert snapshot(services) == before
    assert verify(services).ok


def test_a_writer_that_skips_the_version_check_is_still_stopped_by_the_stream_version_uniqueness(services):
    receive(services, "2026-004")
    before = snapshot(services)
    with pytest.raises(ConcurrencyConflict):
        with services.engine.begin() as conn:
            services.store.append_many(conn, [StreamAppend(request_stream("2026-004"), 0,
                                                           [NewEvent("received", NOW, {"forged": True})], "clerk")],
                                       NOW, check_versions=False)
    assert snapshot(services) == before
    assert verify(services).ok


# -- the projection moves with the log, in one transaction --------------------------------------------


def test_a_refused_command_leaves_events_and_projection_unchanged(services):
    receive(services, "2026-005")
    advance(services, days=40)  # the reply and correction-notice periods have lapsed: act would fire timers first
    before = snapshot(services)
    with pytest.raises(RuleViolation):
        services.requests.act("2026-005", c.Deliver(at=services.clock.now(), method="post"), user(services, "clerk"))
    assert snapshot(services) == before


def test_a_command_that_fails_after_writing_its_projection_leaves_events_and_projection_unchanged(
        services, monkeypatch):
    receive(services, "2026-006")
    advance(services, days=40)  # timer events are due too: they must vanish with the failed command
    before = snapshot(services)
    reached = []

    class FailsAfterTheProjection:
        """The last after-append projector: everything before it has written, then the disk fills up."""

        name = "fails"

        def apply(self, conn, changes):
            reached.append(changes[-1].version)
            raise RuntimeError("the disk filled up after the projection was written")

    monkeypatch.setattr(services.requests, "projectors", (*services.requests.projectors, FailsAfterTheProjection()))
    with pytest.raises(RuntimeError, match="disk filled up"):
        services.requests.act("2026-006", c.Withdraw(at=services.clock.now()), user(services, "clerk"))
    assert reached and reached[0] > 2  # the events and the projection were written, timers included, then undone
    assert snapshot(services) == before
    monkeypatch.undo()
    state = services.requests.act("2026-006", c.Withdraw(at=services.clock.now()), user(services, "clerk"))
    events = read_stream(services, request_stream("2026-006"))
    [row] = snapshot(services)["requests"]
    last = events[-1]
    assert row == sealed_row(services, state, last.version, last.stream_hash) == sealed_row(services, fold_stored(events), last.version, last.stream_hash)


def test_a_failing_projection_insert_rolls_back_the_receipt_event(services):
    receive(services, "2026-007")
    before = snapshot(services)
    with services.engine.begin() as conn:  # a stale projection row, e.g. left by a crashed import
        conn.execute(insert(requests_table).values(**{**before["requests"][0], "request_id": "2026-008"}))
    before = snapshot(services)
    with pytest.raises((IntegrityError, OgiError)):
        receive(services, "2026-008")
    assert snapshot(services) == before  # no orphan `received` event in the log


def test_rebuild_projections_reproduces_the_projection_tables_exactly_and_repairs_a_damaged_one(services):
    clerk = user(services, "clerk")
    advance(services, days=20)  # received in mid-December: the reply periods run into 2027 (provisional until set)
    receive(services, "2026-010", channel="online")
    receive(services, "2026-011", subject="征地补偿安置方案")
    receive(services, "2026-012", name="王五", electronic_service=True)  # served electronically below (235号)
    services.requests.act("2026-010", c.ConfirmReceipt(at=advance(services, days=1)), clerk)
    services.requests.act("2026-011", c.StartConsultation(at=advance(services, days=1), party="agency"), clerk)
    for step in issued_reply(advance(services, days=2), "unable.not_held"):  # the approval is the head's own act
        services.requests.act("2026-012", step, user(services, "head") if step.name == "approve_document" else clerk)
    services.requests.act("2026-012", c.Decide(at=services.clock.now(), outcome="unable.not_held"), clerk)
    services.requests.act("2026-012", c.Deliver(at=advance(services, days=1), method="electronic"), clerk)
    changed = services.requests.set_calendar_year(
        YearArrangement(2027, frozenset({dt.date(2027, 1, 1), dt.date(2027, 2, 8)}), frozenset({dt.date(2027, 2, 6)}),
                        "国办发明电〔2026〕测试号"), user(services))
    assert changed  # the open requests' provisional 2027 deadlines were recomputed through the log
    services.requests.run_due_timers(clerk)
    before = snapshot(services)
    assert len(before["requests"]) == 3 and len(before["calendar"]) == 1
    assert services.requests.rebuild_projections()["requests"] == 3
    assert snapshot(services) == before
    with services.engine.begin() as conn:  # damage the read models behind the engine's back
        conn.execute(update(requests_table).where(requests_table.c.request_id == "2026-011")
                     .values(stage="closed", version=99))
        conn.execute(requests_table.delete().where(requests_table.c.request_id == "2026-012"))
        conn.execute(calendar_years_table.delete())
    assert services.requests.rebuild_projections()["requests"] == 3
    assert snapshot(services) == before


def test_reading_the_log_leaves_the_callers_transaction_usable_for_batch_writes(services):
    receive(services, "2026-013")
    receive(services, "2026-014")
    with services.engine.begin() as conn:
        assert services.store.verify(conn).ok
        assert len(list(services.store.read_all(conn))) == 2
        rows = [dict(r._mapping) for r in conn.execute(select(requests_table))]
        conn.execute(requests_table.delete())
        conn.execute(insert(requests_table), rows)  # an executemany in the same transaction
    assert len(snapshot(services)["requests"]) == 2


# -- two writers at once --------------------------------------------------------------------------------


def race(writers) -> list:
    """Run the writer functions in threads; each returns its result or the exception it raised."""
    results: list = [None] * len(writers)

    def run(i):
        try:
            results[i] = writers[i]()
        except BaseException as error:  # reported to the test, not lost in the thread
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(writers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return results


def test_two_concurrent_writers_on_one_request_exactly_one_wins_and_the_other_gets_a_conflict(services):
    """Both load version n before either writes; on SQLite (BEGIN IMMEDIATE) the load is its own transaction."""
    receive(services, "2026-020")
    stream = request_stream("2026-020")
    n = len(read_stream(services, stream))
    sqlite = services.engine.dialect.name == "sqlite"
    barrier = threading.Barrier(2, timeout=JOIN_TIMEOUT)
    now = advance(services, days=1)
    commands = [c.Extend(at=now, working_days=10, approved_by="head"), c.StartConsultation(at=now, party="third_party")]

    def load_and_decide(conn, command):
        events = services.store.read_stream(conn, stream)
        return events[-1].version, decide(fold_stored(events), command, services.requests.calendar(conn))

    def writer(command):
        def write():
            if sqlite:
                with services.engine.connect() as conn:
                    version, new_events = load_and_decide(conn, command)
                barrier.wait()
                with services.engine.begin() as conn:
                    return services.store.append(conn, StreamAppend(stream, version, new_events, "clerk"), now)
            with services.engine.begin() as conn:
                version, new_events = load_and_decide(conn, command)
                barrier.wait()  # both transactions have read version n
                return services.store.append(conn, StreamAppend(stream, version, new_events, "clerk"), now)
        return write

    results = race([writer(command) for command in commands])
    won = [r for r in results if isinstance(r, list)]
    lost = [r for r in results if isinstance(r, ConcurrencyConflict)]
    assert (len(won), len(lost)) == (1, 1), results
    events = read_stream(services, stream)
    assert [e.version for e in events] == list(range(1, n + 2))
    assert events[-1] == won[0][0]
    audit = verify(services)
    assert audit.ok and audit.events_checked == n + 1


def test_concurrent_writers_on_different_requests_all_succeed_in_one_contiguous_log(services, monkeypatch):
    ids = [f"2026-03{i}" for i in range(4)]
    for request_id in ids:
        receive(services, request_id)
    barrier = threading.Barrier(len(ids), timeout=JOIN_TIMEOUT)
    now = advance(services, days=1)
    sqlite = services.engine.dialect.name == "sqlite"

    clerk = user(services, "clerk")
    if sqlite:  # BEGIN IMMEDIATE queues the writers: they start together and take turns
        start_together = lambda request_id: barrier.wait()  # noqa: E731
    else:  # every writer has loaded its request inside its transaction before any appends
        load = services.requests.load
        monkeypatch.setattr(services.requests, "load", lambda conn, request_id: (load(conn, request_id), barrier.wait())[0])
        start_together = lambda request_id: None  # noqa: E731

    def writer(request_id):
        def write():
            start_together(request_id)
            return services.requests.act(request_id, c.Withdraw(at=now), clerk)
        return write

    results = race([writer(request_id) for request_id in ids])
    assert [getattr(r, "stage", r) for r in results] == ["withdrawn"] * len(ids), results
    with services.engine.connect() as conn:
        seqs = list(conn.execute(select(events_table.c.seq).order_by(events_table.c.seq)).scalars())
        head = conn.execute(select(log_head_table.c.seq)).scalar_one()
    assert seqs == list(range(1, 2 * len(ids) + 1)) and head == len(seqs)
    assert verify(services).ok
    assert {r["stage"] for r in snapshot(services)["requests"]} == {"withdrawn"}


def test_two_staff_commands_racing_on_one_request_leave_one_event_and_a_matching_projection_on_postgresql(
        postgres_services, monkeypatch):
    """Through `App.act`, both loading version n in their transactions (PostgreSQL: SQLite queues at BEGIN)."""
    services = postgres_services
    receive(services, "2026-040")
    barrier = threading.Barrier(2, timeout=JOIN_TIMEOUT)
    load = services.requests.load

    def load_then_wait(conn, request_id):
        loaded = load(conn, request_id)
        barrier.wait()
        return loaded

    monkeypatch.setattr(services.requests, "load", load_then_wait)
    now = advance(services, days=1)
    clerk = user(services, "clerk")
    results = race([lambda: services.requests.act("2026-040", c.AskReasons(at=now), clerk),
                    lambda: services.requests.act("2026-040", c.Withdraw(at=now), clerk)])
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], ConcurrencyConflict), results
    events = read_stream(services, request_stream("2026-040"))
    assert [e.version for e in events] == [1, 2]
    assert fold_stored(events) == won[0]
    [row] = snapshot(services)["requests"]
    assert row == sealed_row(services, won[0], 2, events[-1].stream_hash)
    assert verify(services).ok
