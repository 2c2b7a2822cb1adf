"""No input crashes the importer (issue 9): any mutation of a valid import line is either imported or refused with
a clear error naming the line, and a refusal leaves the database as it was."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from sqlalchemy import func, select

from engine.adapters.eventstore import events_table
from tests.builders import event, request_line
from tests.world import user
from workflows.requests.importer import ImportRefused, import_lines

VALID = request_line("F-1", "2024-03-01", event("correction_requested", "2024-03-04", period_days=10),
                     event("corrected", "2024-03-08"), event("extended", "2024-03-20", working_days=20, approved_by="head"),
                     event("fee_notified", "2024-03-21", amount_yuan=300, method="per_request"),
                     event("fee_paid", "2024-03-25"), event("decided", "2024-04-10", outcome="disclosed"),
                     event("delivered", "2024-04-11", method="post"),
                     applicant={"kind": "natural_person", "name": "张三", "id_number": "371312198001011231",
                                "phone": "13800001234"})

texts = st.one_of(st.text(max_size=30), st.sampled_from(["\u2028", "\x00", "\x1b", "\ud800", "2024-13-01", "0001-01-01T00:00:00+14:00",
                                                          "9999-12-31", "1989-12-31", "x" * 300, "", " "]))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
                    texts)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)


@st.composite
def mutated_lines(draw) -> str:
    record = json.loads(json.dumps(VALID))
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from(["top", "applicant", "event"]))
        if target == "event" and record.get("events"):
            holder = draw(st.sampled_from(record["events"])) if isinstance(record["events"], list) else record
        elif target == "applicant" and isinstance(record.get("applicant"), dict):
            holder = record["applicant"]
        else:
            holder = record
        if not isinstance(holder, dict):
            continue
        key = draw(st.one_of(st.sampled_from(sorted(holder) or ["x"]), st.text(max_size=8)))
        if draw(st.integers(0, 5)) == 0:
            holder.pop(key, None)
        else:
            holder[key] = draw(values)
    line = json.dumps(record, ensure_ascii=draw(st.booleans()), allow_nan=True)
    edit = draw(st.integers(0, 15))
    if edit == 0:  # a duplicate key
        line = line[:-1] + ', "id": "F-2"}'
    elif edit == 1:  # deep nesting
        line = line[:-1] + ', "extra": ' + "[" * 2000 + "]" * 2000 + "}"
    elif edit == 2:  # cut short
        line = line[: draw(st.integers(0, len(line)))]
    return line


def event_count(services) -> int:
    with services.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(events_table)).scalar_one()


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(line=mutated_lines())
def test_any_mutated_import_line_is_imported_or_refused_cleanly(sqlite_services, line):
    before = event_count(sqlite_services)
    try:
        import_lines(sqlite_services.requests, [(1, line)], user(sqlite_services), source="fuzz.jsonl")
    except ImportRefused as refused:
        hypothesis_event("refused: " + (str(refused).split("：", 2) + [""])[1][:18])
        assert str(refused).startswith("fuzz.jsonl"), refused
        assert "371312198001011231" not in str(refused) and "13800001234" not in str(refused)  # no personal data
        assert event_count(sqlite_services) == before
        return
    hypothesis_event("imported")
    with sqlite_services.engine.begin() as conn:  # imported: make room for the next example
        conn.execute(events_table.delete())
        conn.exec_driver_sql("DELETE FROM requests")
        conn.exec_driver_sql("UPDATE log_head SET seq = 0, log_hash = '" + "0" * 64 + "'")
