"""The as-of report replays the log alone: a projection edited behind the engine's back cannot change it.

Regression: `ogi report annual --as-of T` took each request's agency from the requests projection, so with one
projection row deleted it reported 7 of the example's 8 requests with every check passing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from tests.conftest import AGENCY, user
from workflows.report.source import ProjectionTampered
from workflows.requests.importer import import_file
from workflows.tables import requests_table

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hedong-2023.jsonl"


def figures(report) -> tuple:
    return report.table3, report.table4, [(c.name, c.ok) for c in report.checks]


@pytest.fixture
def example(services):
    import_file(services.requests, EXAMPLE, user(services))
    services.clock.advance_to(services.clock.now() + dt.timedelta(hours=1))
    return services


def test_as_of_report_is_unchanged_when_projection_rows_are_deleted_or_moved(example):
    services = example
    as_of = services.clock.now()
    before = services.reports.annual(2023, AGENCY, as_of=as_of)
    assert before.table3["new"][-1] + before.table3["carried_in"][-1] == 8 and before.ok
    with services.engine.begin() as conn:
        ids = sorted(conn.execute(requests_table.select()).scalars())
        conn.execute(delete(requests_table).where(requests_table.c.request_id == ids[0]))
        conn.execute(update(requests_table).where(requests_table.c.request_id == ids[1]).values(agency="elsewhere"))
        conn.execute(update(requests_table).where(requests_table.c.request_id == ids[2])
                     .values(outcome="withheld.state_secret", applicant_kind="research"))
    assert figures(services.reports.annual(2023, AGENCY, as_of=as_of)) == figures(before)
    with pytest.raises(ProjectionTampered):  # the plain report reads the projection, and refuses it
        services.reports.annual(2023, AGENCY)


def test_as_of_report_with_the_whole_projection_gone_still_counts_every_request(example):
    services = example
    as_of = services.clock.now()
    before = services.reports.annual(2023, AGENCY, as_of=as_of)
    with services.engine.begin() as conn:
        conn.execute(delete(requests_table))
    assert figures(services.reports.annual(2023, AGENCY, as_of=as_of)) == figures(before)
