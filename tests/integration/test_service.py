"""The service layer fills what a person may leave out, from the agency's settings and the request's state."""

from __future__ import annotations

import datetime as dt

from tests.builders import issued_document
from tests.conftest import AGENCY, user
from workflows.foi import commands as c


def received(services, request_id="S-1"):
    now = services.clock.now()
    services.requests.receive(c.Receive(at=now, request_id=request_id, agency=AGENCY, applicant={"kind": "natural_person", "name": "张三"},
                               channel="in_person", subject="s"), user(services, "clerk"))
    return now


def test_a_correction_notice_without_a_period_takes_the_agencys_default_art30(sqlite_services):
    now = received(sqlite_services)
    clerk = user(sqlite_services, "clerk")
    for step in issued_document(now, "correction_notice"):  # the approval is the head's own act (DESIGN §9)
        sqlite_services.requests.act("S-1", step, user(sqlite_services, "head") if step.name == "approve_document" else clerk)
    state = sqlite_services.requests.act("S-1", c.RequestCorrection(at=now), clerk)
    assert state.correction_period_days == 15  # the default of `ogi agency add`
    assert state.deadlines["correction"].working_days == 15


def test_ending_a_consultation_without_naming_the_party_ends_the_open_one_art32(sqlite_services):
    now = received(sqlite_services)
    clerk = user(sqlite_services, "clerk")
    sqlite_services.requests.act("S-1", c.StartConsultation(at=now, party="agency"), clerk)
    sqlite_services.clock.advance_to(now + dt.timedelta(hours=1))
    state = sqlite_services.requests.act("S-1", c.EndConsultation(at=now + dt.timedelta(hours=1), opinion="consent"), clerk)
    with sqlite_services.engine.connect() as conn:
        last = sqlite_services.store.read_stream(conn, "request/S-1")[-1]
    assert state.open_consultation is None and last.payload["party"] == "agency"


def test_the_queue_puts_the_nearest_deadline_first_and_masks_names(sqlite_services):
    from workflows.readmodels.queue import queue_rows

    now = received(sqlite_services, "S-late")
    sqlite_services.clock.advance_to(now + dt.timedelta(days=3))
    received(sqlite_services, "S-new")
    sqlite_services.requests.act("S-new", c.StartConsultation(at=sqlite_services.clock.now(), party="agency"), user(sqlite_services, "clerk"))
    with sqlite_services.engine.connect() as conn:
        rows = queue_rows(conn)
    # S-new waits for the consultation (15 working days), which ends before S-late's reply is due (20)
    assert [r["request_id"] for r in rows] == ["S-new", "S-late"]
    assert rows[0]["reply_due_text"] == "中止中" and rows[0]["due_text"].startswith("征求意见期限")
    assert all(r["applicant"] == "张*" for r in rows)
