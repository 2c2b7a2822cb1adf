"""`ogi import` (DESIGN §6): the seed agency's example imports; bad files are refused whole, naming line, field and rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.adapters.eventstore import events_table
from tests.builders import as_lines, decided, event, request_line
from tests.conftest import user
from workflows.requests.importer import ImportRefused, import_file, import_lines
from workflows.tables import requests_table

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hedong-2023.jsonl"
SHARED_EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "examples" / "hedong-2023.jsonl"


# one request, decided in time; each broken file below changes one thing of it
T1 = request_line("T-1", "2024-03-01", decided("2024-03-10"), channel="online",
                  applicant={"kind": "natural_person", "name": "张三", "id_number": "371315198209213958"})


def counts(services) -> tuple[int, int]:
    with services.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(events_table)).scalar_one(),
                conn.execute(select(func.count()).select_from(requests_table)).scalar_one())


def test_the_repository_copy_of_the_example_is_the_shared_one():
    if not SHARED_EXAMPLE.exists():
        pytest.skip(f"shared example not present at {SHARED_EXAMPLE}")
    assert EXAMPLE.read_bytes() == SHARED_EXAMPLE.read_bytes()


def test_the_seed_agency_2023_example_imports_cleanly(services):
    assert import_file(services.requests, EXAMPLE, user(services)) == 8
    with services.engine.connect() as conn:
        rows = {r.request_id: r for r in conn.execute(select(requests_table))}
        first = services.store.read_stream(conn, "request/hedong-xzsp-2023-00001")
    assert len(rows) == 8
    assert sorted(r.outcome for r in rows.values()).count("disclosed") == 4
    assert sorted(r.outcome for r in rows.values()).count("unable.not_held") == 4
    assert all(r.stage == "decided" for r in rows.values())
    assert [e.type for e in first] == ["received", "fee_notified", "fee_paid", "decided"]
    assert first[0].payload["imported_from"] == "hedong-2023.jsonl"
    with services.engine.connect() as conn:
        assert services.store.verify(conn).ok


def test_an_import_replays_timers_on_a_virtual_clock(services):
    record = T1 | {"events": [event("correction_requested", "2024-03-04", period_days=10),
                              decided("2024-03-25", "other.no_correction")]}
    import_lines(services.requests, as_lines(record), user(services))
    with services.engine.connect() as conn:
        events = services.store.read_stream(conn, "request/T-1")
    lapse = [e for e in events if e.type == "period_lapsed"]
    assert len(lapse) == 1 and lapse[0].actor == "system" and lapse[0].payload["period"] == "correction"
    assert lapse[0].occurred_at.date().isoformat() == "2024-03-19"  # the day after the 10th working day


def test_late_steps_are_imported_and_flagged(services):
    record = T1 | {"events": [event("correction_requested", "2024-03-20", period_days=10),
                              event("corrected", "2024-03-22"), decided("2024-06-01")]}
    import_lines(services.requests, as_lines(record), user(services))
    with services.engine.connect() as conn:
        flags = json.loads(conn.execute(select(requests_table.c.flags)).scalar_one())
    assert "late_correction_notice" in flags and "late_reply" in flags


BAD_FILES = [
    ("not json", '{"id": "T-1", ', "第 2 行：不是有效的 JSON"),
    ("unknown outcome", T1 | {"events": [decided("2024-03-10", "published")]},
     "第 2 行（T-1）：第 1 个事件（events[0]，decided）：答复结果（outcome）“published”不是可选的值"),
    ("event before receipt", T1 | {"events": [decided("2024-02-10")]},
     "第 2 行（T-1）：第 1 个事件（events[0]，decided）：“作出答复”的日期（2024-02-10）不能早于收到申请之日（2024-03-01）"),
    ("unknown agency", T1 | {"agency": "nowhere"}, "第 2 行：受理机关（agency）“nowhere”不存在，请先由管理员添加该机关"),
    ("impossible sequence", T1 | {"events": [event("fee_paid", "2024-03-10")]},
     "第 2 行（T-1）：第 1 个事件（events[0]，fee_paid）：申请当前为“办理中”，不能办理“缴费”"),
    ("second extension", T1 | {"events": [event("extended", "2024-03-10", working_days=10, approved_by="李"),
                                          event("extended", "2024-03-11", working_days=10, approved_by="李")]},
     "第 2 个事件（events[1]，extended）：答复期限已延长 10 个工作日；答复期限只能延长一次（依据：《条例》第三十三条）"),
    ("no_correction too early", T1 | {"events": [event("correction_requested", "2024-03-04", period_days=10),
                                                 decided("2024-03-05", "other.no_correction")]},
     "须在补正期限届满后作出"),
    ("unknown event type", T1 | {"events": [event("published", "2024-03-10")]},
     "第 2 行：类型（events[0].type）：事件类型（type）“published”不是可导入的类型"),
    ("missing field", T1 | {"events": [event("decided", "2024-03-10")]},
     "第 1 个事件（events[0]，decided）：decided 事件须填写答复结果（outcome）"),
    ("bad date", T1 | {"received_at": "2024-13-01"}, "第 2 行：收到申请之日（received_at）：“2024-13-01”不是有效的日期"),
    ("unknown applicant kind", T1 | {"applicant": {"kind": "alien"}}, "申请人类型（kind）“alien”不是可选的值"),
    ("duplicate id", T1 | {"id": "ok-1"}, "第 2 行：申请编号（id）“ok-1”在文件中出现了两次"),
    ("decision on a concluded request", T1 | {"events": [decided("2024-03-10"), decided("2024-03-11", "partial")]},
     "申请当前为“已答复待送达”，不能办理“作出答复”"),
]


@pytest.mark.parametrize("broken, message", [(b, m) for _, b, m in BAD_FILES], ids=[n for n, _, _ in BAD_FILES])
def test_a_broken_file_is_refused_with_a_precise_message_and_nothing_is_written(services, broken, message):
    good = T1 | {"id": "ok-1"}
    before = counts(services)
    with pytest.raises(ImportRefused) as refused:
        import_lines(services.requests, as_lines(good, broken), user(services), source="broken.jsonl")
    assert message in str(refused.value)
    assert str(refused.value).startswith("broken.jsonl 第 2 行")
    assert counts(services) == before == (0, 0)


def test_an_existing_request_id_is_refused_and_nothing_is_written(services):
    import_lines(services.requests, as_lines(T1 | {"id": "dup"}), user(services))
    before = counts(services)
    with pytest.raises(ImportRefused, match="编号为“dup”的申请已经存在，未导入任何内容"):
        import_lines(services.requests, as_lines(T1 | {"id": "new-1"}, T1 | {"id": "dup"}), user(services))
    assert counts(services) == before


def test_an_auditor_cannot_import(services):
    from engine.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_file(services.requests, EXAMPLE, user(services, "auditor"))


def test_a_control_character_in_a_name_is_refused_by_field(services):
    bad = T1 | {"applicant": {"kind": "natural_person", "name": "张\u0000三"}}
    with pytest.raises(ImportRefused, match=r"申请人姓名或名称（applicant.name）：含有不可见的控制字符 U\+0000"):
        import_lines(services.requests, as_lines(bad), user(services))
    assert counts(services) == (0, 0)


def test_an_import_line_keeps_the_intakes_new_facts(services):
    """obtain_method (Art. 29(3)), the correction's content and the consulted party's name and address (Art. 32)
    are imported and read back from the log; a line without them imports as before."""
    record = T1 | {"obtain_method": "post", "events": [
        event("correction_requested", "2024-03-04", period_days=10),
        event("corrected", "2024-03-06", content="补充了身份证件复印件"),
        event("consultation_started", "2024-03-07", party="third_party", party_name="河东建设有限公司",
              party_address="河东市人民路1号"),
        event("consultation_ended", "2024-03-12", party="third_party", opinion="consent"),
        decided("2024-03-25")]}
    import_lines(services.requests, as_lines(record), user(services))
    with services.engine.connect() as conn:
        events = {e.type: e.payload for e in services.store.read_stream(conn, "request/T-1")}
    assert events["received"]["obtain_method"] == "post"
    assert events["corrected"]["content"] == "补充了身份证件复印件"
    assert (events["consultation_started"]["party_name"], events["consultation_started"]["party_address"]) == (
        "河东建设有限公司", "河东市人民路1号")
