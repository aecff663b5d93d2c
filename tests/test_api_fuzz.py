"""Schema-driven fuzzing (schemathesis) of every operation in /openapi.json: no input may cause a 5xx.

Valid (positive) and invalid (negative) requests are generated from the
OpenAPI description, 20 of each per operation, and sent with a valid key to
the app backed by the real Elasticsearch.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from test_api_fixtures import api_world  # noqa: F401  (a fixture)

pytestmark = pytest.mark.integration

EXAMPLES_PER_OPERATION = 20
# Left out on purpose: positive_data_acceptance (an opaque cursor, or a time range longer than the server
# allows, is schema-valid yet rightly refused with a 4xx) and negative_data_rejection (a query string cannot
# tell the string "null" from null, and a repeated scalar parameter is read as its last value).
CHECKS = {
    GenerationMode.POSITIVE: [not_a_server_error, status_code_conformance, content_type_conformance,
                              response_schema_conformance],
    GenerationMode.NEGATIVE: [not_a_server_error, status_code_conformance],
}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_never_get_a_server_error(api_world, mode):
    key = api_world.key("fuzz", editor=True)  # an editor key reaches the correction routes' own logic too
    schema = schemathesis.openapi.from_asgi("/openapi.json", api_world.http().app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 8
    seen: dict[str, set[int]] = {}

    for operation in operations:
        statuses = seen.setdefault(operation.label, set())

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                             suppress_health_check=list(HealthCheck))
        def call(case):
            response = case.call(headers={"X-API-Key": key})
            statuses.add(response.status_code)
            assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
            case.validate_response(response, checks=CHECKS[mode], headers={"X-API-Key": key})

        call()
    assert all(seen.values())
    if mode is GenerationMode.POSITIVE:
        # The fuzzer did reach real searches; a correction needs an existing id, which random ids never are.
        assert all(200 in statuses for label, statuses in seen.items() if label.startswith("GET")), seen
