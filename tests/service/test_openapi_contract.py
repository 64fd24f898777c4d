"""schemathesis against the app's own OpenAPI spec, over HTTP: no 5xx, no schema violations."""

from __future__ import annotations

import time

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.service.helpers import ADMIN, LiveServer, auth

EXAMPLES_PER_OPERATION = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_every_operation_keeps_its_contract(server: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    started = time.monotonic()
    headers = auth(ADMIN)
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=server.url, headers=headers, checks=CHECKS)

        check()
    assert time.monotonic() - started < 120
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/api/health").json() == {"status": "ok"}


def test_the_spec_documents_the_error_shape_everywhere(server: LiveServer) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if path in ("/api/health", "/ready"):
                continue
            for status in ("401", "404", "422"):
                assert status in operation["responses"], (method, path, status)
