"""Fuzzing the appointments API against its own OpenAPI document (schemathesis).

Every operation, with generated valid and invalid inputs, must answer as
documented: no server error, only documented status codes and content
types, bodies that match their schemas.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err

from tests.integration.conftest import Deployed

pytestmark = pytest.mark.docker
EXAMPLES = 60


def test_every_operation_answers_as_its_openapi_document_says(deployed: Deployed) -> None:
    url = deployed.topology.service("appointments").endpoint("http")
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", verify=deployed.ca_file)
    checked, failed = [], []
    for found in schema.get_all_operations():
        if isinstance(found, Err):
            failed.append(f"an operation the schema does not describe well: {found.err()}")
            continue
        operation = found.ok()

        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        @given(operation.as_strategy())
        def call(case: Any) -> None:
            case.call_and_validate(verify=deployed.ca_file)  # HTTPS, checked against the stack's CA

        try:
            call()
        except (FailureGroup, AssertionError) as failure:
            failed.append(f"{operation.label}: {str(failure)[:400]}")
        checked.append(operation.label)
    assert len(checked) >= 5, checked
    assert failed == []
