"""The bootstrap runner skips what exists, makes what is missing, and stops at the first failure."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from drill.errors import ToolchainError
from drill.toolchain.steps import Step, run_steps
from drill.toolchain.versions import parse_version


def fail() -> str:
    raise ToolchainError("the build broke", "fix it")


def test_present_steps_are_skipped_missing_ones_made_and_failure_stops(
    caplog: pytest.LogCaptureFixture,
) -> None:
    made: list[str] = []

    def maker(name: str) -> Callable[[], str]:
        def make() -> str:
            made.append(name)
            return f"built {name}"

        return make

    caplog.set_level(logging.INFO, logger="drill")
    steps = [
        Step("engine", lambda: "dockerd 20.10", maker("engine")),
        Step("cli", lambda: None, maker("cli")),
        Step("plugin", lambda: None, fail),
        Step("image", lambda: None, maker("image")),
    ]
    with pytest.raises(ToolchainError, match="the build broke"):
        run_steps(steps)
    assert made == ["cli"]
    text = caplog.text
    assert "engine: present (dockerd 20.10)" in text
    assert "cli: made (built cli) in" in text
    assert "plugin: failed after" in text
    assert "image" not in text


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("v3.274.1", (3, 274, 1)), ("3.275.0-dev.0", (3, 275, 0)), ("", ()), ("garbage", ())],
)
def test_parse_version(text: str, parsed: tuple[int, ...]) -> None:
    assert parse_version(text) == parsed
