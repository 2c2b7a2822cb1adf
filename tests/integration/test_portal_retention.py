"""What the online door keeps, and for how long (PIPL Art. 19): a submission never verified is deleted with its scans
two days after it was made; a filed one keeps its link to the request and loses its copy of the form a day after;
sign-in codes go after a day. The sweep does it."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from tests.integration.test_portal_submissions import UPLOADS, code_of, fields, online  # noqa: F401 (fixture)
from tests.world import user
from workflows.tables import applicant_codes_table, portal_submissions_table, portal_uploads_table


def rows(services, table) -> int:
    with services.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def later(services, **delta) -> None:
    services.clock.advance_to(services.clock.now() + dt.timedelta(**delta))


def test_an_unverified_submission_and_its_scans_are_deleted_two_days_on_and_a_filed_one_is_emptied(online):  # noqa: F811
    services = online
    services.portal.submit(fields(), UPLOADS, "10.0.0.1")  # never verified
    filed = services.portal.submit(fields(phone="13900139000", email="li@example.cn"), UPLOADS, "10.0.0.2")
    request = services.portal.verify(filed.submission_id, code_of(services, filed.submission_id), "10.0.0.2")
    desk_code = services.applicant_desk.start_sign_in(request.request_id, request.query_code, "sms", "10.0.0.3")
    assert desk_code is not None and rows(services, applicant_codes_table) == 1
    later(services, hours=47)
    services.sweeper.run(user(services, "admin"))
    assert rows(services, portal_submissions_table) == 2 and rows(services, portal_uploads_table) == 2  # not yet
    later(services, hours=2)
    services.sweeper.run(user(services, "admin"))
    with services.engine.connect() as conn:
        kept = conn.execute(select(portal_submissions_table)).all()
    assert [row.id for row in kept] == [filed.submission_id]  # the stranger's form and scans are gone
    assert rows(services, portal_uploads_table) == 0 and rows(services, applicant_codes_table) == 0
    assert kept[0].request_id == request.request_id and json.loads(kept[0].fields)["form"] == {}
    assert "110101" not in kept[0].fields and "13900139000" not in kept[0].fields  # no ID number, no phone left
    with services.engine.connect() as conn:  # the request itself keeps the application
        assert services.requests.load(conn, request.request_id).state.applicant["phone"] == "13900139000"


def test_a_double_verify_after_the_form_was_emptied_still_answers_the_filed_request(online):  # noqa: F811
    services = online
    held = services.portal.submit(fields(), UPLOADS, "10.0.0.1")
    code = code_of(services, held.submission_id)
    first = services.portal.verify(held.submission_id, code, "10.0.0.1")
    later(services, days=2)
    services.sweeper.run(user(services, "admin"))
    again = services.portal.verify(held.submission_id, code, "10.0.0.1")
    assert (again.request_id, again.created) == (first.request_id, False)
