"""Container health as yes/no questions, from what Docker's inspect says."""

from __future__ import annotations

from typing import Any

import pytest

from drill.engines import ContainerHealth


class Inspected:
    """A container as docker-py shows it: only its attrs."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.attrs = {"State": state}


@pytest.mark.parametrize(
    ("state", "down", "ready", "healthy"),
    [
        ({"Status": "running", "Health": {"Status": "healthy"}}, False, True, True),
        ({"Status": "running", "Health": {"Status": "starting"}}, False, False, False),
        ({"Status": "running", "Health": {"Status": "unhealthy"}}, False, False, False),
        ({"Status": "running"}, False, True, False),  # no health check: ready, never "healthy"
        ({"Status": "paused", "Health": {"Status": "healthy"}}, False, False, False),  # frozen, not down
        ({"Status": "exited", "Health": {"Status": "unhealthy"}}, True, False, False),
        ({"Status": "created"}, True, False, False),
        ({"Status": "dead"}, True, False, False),
        ({"Status": "restarting"}, False, False, False),
    ],
)
def test_each_docker_state_answers_the_questions_the_plan_asks(
    state: dict[str, Any], down: bool, ready: bool, healthy: bool
) -> None:
    found = ContainerHealth.of("c", Inspected(state))  # type: ignore[arg-type, unused-ignore]
    assert (found.exists, found.is_down, found.is_ready, found.is_healthy) == (True, down, ready, healthy)


def test_a_missing_container_is_down_and_says_so() -> None:
    found = ContainerHealth.of("hdrp-ci-postgres-nord-1", None)
    assert not found.exists and found.is_down and not found.is_ready
    assert str(found) == "missing, no health check"
