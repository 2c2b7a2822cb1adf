"""One access rule in the services (issue 17 item 3): staff of another agency are refused by the application services
themselves — RequestService, the queries, DocumentService, TaskService, ReportService, the importer — whatever door
called them; auditors read and never write; staff of a parent agency reach the agencies below it; the scheduler's
sweep still acts on every agency. On SQLite and PostgreSQL (`services`)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import PermissionDenied
from tests.builders import as_lines, load, request_line
from tests.conftest import AGENCY, user
from tests.world import PASSWORD
from workflows.foi import commands as c
from workflows.people import access
from workflows.people.access import POLICY, Action, Reach
from workflows.people.accounts import SCHEDULER, Role
from workflows.requests.importer import import_lines

OTHER = "lanshan-xzsp"
BELOW = "hedong-xzsp-fuwu"  # an agency below AGENCY
REFUSED = "或其上级机关工作"


@pytest.fixture
def world(services):
    admin = user(services, "admin")
    services.directory.add_agency(admin, OTHER, "蓝山区行政审批服务局")
    services.directory.add_agency(admin, BELOW, "河东区政务服务中心", parent=AGENCY)
    services.directory.add_user(admin, "outsider", Role.STAFF, PASSWORD, "外机关经办人", [OTHER])
    services.directory.add_user(admin, "outside-head", Role.HEAD, PASSWORD, "外机关负责人", [OTHER])
    services.directory.add_user(admin, "nobody", Role.STAFF, PASSWORD, "无机关经办人")
    services.directory.add_user(admin, "below-clerk", Role.STAFF, PASSWORD, "下级经办人", [BELOW])
    services.directory.set_agency(admin, AGENCY, doc_prefix="河东审批", review_body="河东区人民政府", court="河东区人民法院")
    load(services, request_line("A-1", "2026-11-20"), request_line("B-1", "2026-11-20", agency=BELOW))
    return services


def version(services, request_id: str) -> int:
    return services.queries.history(request_id)["version"]


def test_staff_of_another_agency_cannot_record_a_step_register_or_receive(world):
    outsider, now = user(world, "outsider"), world.clock.now()
    before = version(world, "A-1")
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.requests.act("A-1", c.AskReasons(at=now), outsider)
    with pytest.raises(PermissionDenied, match=REFUSED):  # a stamped command is refused before its form is read
        world.requests.act("A-1", lambda now: c.AskReasons(at=now), outsider)
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.requests.receive(c.Receive(at=now, request_id="A-2", agency=AGENCY, channel="in_person", subject="s",
                                         applicant={"kind": "natural_person", "name": "王五"}), outsider)
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.requests.register({"agency": AGENCY, "kind": "natural_person", "name": "王五", "channel": "in_person",
                                 "subject": "s"}, outsider)
    assert version(world, "A-1") == before and world.queries.request_count() == 2


def test_the_refusal_names_the_user_the_role_and_the_agency_chinese_first(world):
    with pytest.raises(PermissionDenied) as refused:
        world.requests.act("A-1", c.AskReasons(at=world.clock.now()), user(world, "outsider"))
    assert str(refused.value).startswith("无权办理申请：outsider（经办人）不在河东区行政审批服务局或其上级机关工作")


def test_staff_of_another_agency_cannot_read_a_history_a_deadline_or_the_queue(world):
    outsider = user(world, "outsider")
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.queries.history("A-1", viewer=outsider)
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.queries.deadline("A-1", viewer=outsider)
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.queries.queue(AGENCY, viewer=outsider)
    assert world.queries.queue(viewer=outsider) == [] and world.queries.queue_of(outsider) == []
    assert {r["request_id"] for r in world.queries.queue_of(user(world, "auditor"))} == {"A-1", "B-1"}


def test_staff_of_no_agency_see_no_ones_requests_or_tasks(world):
    """Before: TaskService.listing showed staff of no agency every agency's tasks (the web guarded it in its routes)."""
    nobody = user(world, "nobody")
    assert world.tasks.listing(nobody) == []
    assert world.queries.queue_of(nobody) == [] and world.queries.queue(viewer=nobody) == []


def test_document_service_refuses_staff_of_another_agency_at_every_step(world):
    clerk, outsider = user(world, "clerk"), user(world, "outsider")
    world.documents.draft("A-1", "receipt", clerk)
    world.documents.approve("A-1", "receipt", user(world, "head"))
    before = version(world, "A-1")
    steps = [
        lambda: world.documents.draft("A-1", "correction_notice", outsider, note="补正"),
        lambda: world.documents.issue("A-1", "receipt", outsider),
        lambda: world.documents.serve("A-1", "receipt", outsider, "personal"),
        lambda: world.documents.return_letter("A-1", "receipt", outsider, "拒收"),
        lambda: world.documents.approve("A-1", "receipt", user(world, "outside-head")),
        lambda: world.documents.documents("A-1", viewer=outsider),
        lambda: world.documents.find("A-1", "receipt", viewer=outsider),
        lambda: world.documents.case_file("A-1", world.queries.history("A-1"), viewer=outsider),
    ]
    for step in steps:
        with pytest.raises(PermissionDenied):
            step()
    assert version(world, "A-1") == before
    assert world.documents.issue("A-1", "receipt", clerk).number  # the agency's own staff go on
    assert world.documents.documents("A-1", viewer=user(world, "auditor"))


def test_task_service_refuses_claims_and_assignments_across_agencies(world):
    clerk, outsider = user(world, "clerk"), user(world, "outsider")
    [task] = [t for t in world.tasks.listing(clerk) if t.id == "A-1/draft_reply"]
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.tasks.claim(task.id, outsider)
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.tasks.assign(task.id, "clerk", outsider)
    with pytest.raises(PermissionDenied, match="或其上级机关工作"):  # nor given to someone who cannot act on it
        world.tasks.assign(task.id, "outsider", clerk)
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.tasks.listing(outsider, agency=AGENCY)
    assert [t for t in world.tasks.listing(outsider)] == []
    assert world.tasks.claim(task.id, clerk).assignee == "clerk"


def test_report_service_refuses_another_agencys_report_publication_and_register(world):
    outsider, outside_head = user(world, "outsider"), user(world, "outside-head")
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.reports.annual(2026, AGENCY, viewer=outsider)
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.reports.cell(2026, AGENCY, "new", "total", viewer=outsider)
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.reports.register(2026, AGENCY, viewer=outsider)
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.reports.register_history(2026, AGENCY, viewer=outsider)
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.reports.publish(2025, AGENCY, outside_head)
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.reports.set_register_entry(2026, AGENCY, "rules", {"issued": 1}, "", outsider)
    with pytest.raises(PermissionDenied, match="无权发布年度报告：须由负责人或系统管理员办理"):
        world.reports.publish(2025, AGENCY, user(world, "clerk"))
    assert world.reports.annual(2026, AGENCY, viewer=user(world, "auditor")).agency == AGENCY
    with pytest.raises(PermissionDenied, match="审计只能查看，不能修改"):
        world.reports.set_register_entry(2026, AGENCY, "rules", {"issued": 1}, "", user(world, "auditor"))
    assert world.reports.set_register_entry(2026, AGENCY, "rules", {"issued": 1}, "", user(world, "clerk"))


def test_auditors_read_every_agency_and_write_nothing(world):
    auditor = user(world, "auditor")
    assert world.queries.history("A-1", viewer=auditor)["id"] == "A-1"
    with pytest.raises(PermissionDenied, match="审计只能查看，不能修改"):
        world.requests.act("A-1", c.AskReasons(at=world.clock.now()), auditor)
    with pytest.raises(PermissionDenied):
        world.documents.draft("A-1", "receipt", auditor)


def test_staff_reach_the_agencies_below_theirs_and_not_above(world):
    clerk, below = user(world, "clerk"), user(world, "below-clerk")
    assert world.requests.act("B-1", c.AskReasons(at=world.clock.now()), clerk).request_id == "B-1"
    assert {t.request_id for t in world.tasks.listing(clerk)} == {"A-1", "B-1"}
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.requests.act("A-1", c.AskReasons(at=world.clock.now()), below)
    assert {t.request_id for t in world.tasks.listing(below)} == {"B-1"}


def test_an_import_by_staff_brings_only_requests_of_their_agencies(world):
    lines = as_lines(request_line("I-1", "2026-11-20"), request_line("I-2", "2026-11-20", agency=OTHER))
    with pytest.raises(PermissionDenied, match="第 2 行（I-2）：.*" + REFUSED):
        import_lines(world.requests, lines, user(world, "clerk"))
    assert world.queries.request_count() == 2  # nothing was imported
    assert import_lines(world.requests, as_lines(request_line("I-1", "2026-11-20")), user(world, "clerk")) == 1


def test_the_scheduler_still_sweeps_every_agency(world):
    before = {rid: version(world, rid) for rid in ("A-1", "B-1")}
    world.clock.advance_to(world.clock.now() + dt.timedelta(days=60))  # replies fall due: the timers fire
    assert world.sweeper.run(SCHEDULER).fired > 0
    assert all(version(world, rid) > before[rid] for rid in before)


def test_the_policy_table_auditors_never_write_and_applicants_reach_nothing():
    for action, rule in POLICY.items():
        assert Role.APPLICANT not in rule.reach, action
        if action is not Action.EXPORT_CASE_FILE:  # the archive, with personal data: its own agency's only
            assert rule.reach.get(Role.ADMIN) is Reach.EVERY_AGENCY, action
        reads_only = action in access.READING_ACTIONS and action not in (Action.READ_APPROVALS, Action.EXPORT_CASE_FILE)
        assert (Role.AUDITOR in rule.reach) == reads_only, action
    assert access.allows(Role.STAFF, Action.WRITE_REQUEST, own_agency=True)
    assert not access.allows(Role.STAFF, Action.WRITE_REQUEST, own_agency=False)
    assert not access.allows(Role.STAFF, Action.PUBLISH_REPORT, own_agency=True)


def test_statistics_are_of_the_agencies_the_viewer_may_read(world):
    outsider, nobody = user(world, "outsider"), user(world, "nobody")
    with pytest.raises(PermissionDenied, match=REFUSED):
        world.statistics.for_viewer(outsider, AGENCY, 2026)
    assert world.statistics.for_viewer(outsider, None, 2026).received == 0  # its own agency has no request
    assert world.statistics.for_viewer(nobody, None, 2026).received == 0  # staff of no agency: nothing, not all
    assert world.statistics.for_viewer(user(world, "auditor"), None, 2026).received == 2
    assert world.statistics.for_viewer(user(world, "clerk"), None, 2026).received == 2  # its agency and the one below
