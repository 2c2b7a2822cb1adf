"""schemathesis against the API's own OpenAPI (issue 12): generated calls to every operation, with a staff token,
never get a 5xx and every response matches its documented status, content type and schema."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import user
from web.api import create_api

# not `positive_data_acceptance`: a schema-valid step that the law refuses is a documented 422 with its rule
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_the_api_answers_every_generated_call_within_its_schema(site):
    token = site.web.create_token(user(site, "admin"), "clerk")
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_api(site))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/requests", "/requests/{request_id}", "/tasks",
                                               "/requests/{request_id}/actions/{command}"}
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def calls(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        calls()
