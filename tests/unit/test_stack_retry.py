"""A deploy across a swarm that lost the overlay race is run once more; any other failure is not."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from drill import stack as stacks
from drill.errors import DeployError
from drill.paths import StatePaths

RACE = (
    "deploying stack swarm failed: error:   sdk-v2/provider2.go:572: sdk.helper_schema: Unable to start "
    "container: Error response from daemon: network mi9q26lfh0v2styo3qrphc6fd not found: provider=docker"
)


def failing(messages: list[str]) -> tuple[list[int], Callable[..., str]]:
    calls: list[int] = []

    def fake(paths: StatePaths, stack: str, only: list[str] | None = None) -> str:
        calls.append(1)
        if messages:
            raise DeployError(messages.pop(0), "run `drill up` again")
        return "deployed"

    return calls, fake


def test_the_overlay_race_is_deployed_once_more(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls, fake = failing([RACE])
    monkeypatch.setattr(stacks, "_up", fake)
    assert str(stacks.up(StatePaths(tmp_path), "swarm")) == "deployed"
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("messages", "tries"),
    [
        ([RACE, RACE], 2),  # once more only: a race that comes back is no race
        (["deploying stack swarm failed: error: port is already allocated"], 1),
        (["deploying stack swarm failed: network hdrp-swarm-access not found"], 1),  # not a start
    ],
)
def test_other_failures_and_a_second_race_are_raised(
    messages: list[str], tries: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls, fake = failing(list(messages))
    monkeypatch.setattr(stacks, "_up", fake)
    with pytest.raises(DeployError):
        stacks.up(StatePaths(tmp_path), "swarm")
    assert len(calls) == tries


def test_a_destroy_that_found_an_overlay_still_held_is_run_once_more(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    held = (
        "destroying stack swarm failed: error: Error response from daemon: rpc error: code = "
        "FailedPrecondition desc = network mi9q26lfh0v2styo3qrphc6fd is in use by task 6j0vcoifp7xw"
    )
    calls, fake = failing([held])
    monkeypatch.setattr(stacks, "_down", lambda paths, stack: fake(paths, stack))
    monkeypatch.setattr(time, "sleep", lambda _: None)
    assert str(stacks.down(StatePaths(tmp_path), "swarm")) == "deployed" and len(calls) == 2
    calls, fake = failing(["destroying stack swarm failed: error: permission denied"])
    monkeypatch.setattr(stacks, "_down", lambda paths, stack: fake(paths, stack))
    with pytest.raises(DeployError):
        stacks.down(StatePaths(tmp_path), "swarm")
    assert len(calls) == 1
