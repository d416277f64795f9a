"""Commands that fail say which command, what it printed, and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from drill.errors import ToolchainError
from drill.paths import StatePaths
from drill.process import run_command
from drill.toolchain import docker_plugin, pulumi_cli


def test_output_of_a_good_command() -> None:
    assert run_command(["echo", "ward 4"], fix="-") == "ward 4\n"


def test_missing_program_names_it_and_the_fix() -> None:
    with pytest.raises(ToolchainError, match=r"`no-such-tool` is not installed\. Fix: install it"):
        run_command(["no-such-tool"], fix="install it")


def test_failing_command_shows_exit_code_and_last_lines() -> None:
    with pytest.raises(ToolchainError) as caught:
        run_command(["sh", "-c", "echo one >&2; echo two >&2; exit 3"], fix="read the log")
    assert "exited 3: one | two. Fix: read the log" in str(caught.value)


def test_command_past_its_timeout_is_stopped() -> None:
    with pytest.raises(ToolchainError, match="ran past 1 s"):
        run_command(["sleep", "5"], fix="-", timeout=1)


def test_builds_without_go_say_to_install_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    paths = StatePaths(tmp_path / "state")
    with pytest.raises(ToolchainError, match="Go is not installed"):
        pulumi_cli.build_pulumi_cli(paths)
    with pytest.raises(ToolchainError, match="Go is not installed"):
        docker_plugin.build_docker_plugin(paths)


def test_a_go_build_that_fails_names_the_builder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_go = tmp_path / "go"
    fake_go.write_text("#!/bin/sh\necho 'cannot find module providing package' >&2\nexit 1\n")
    fake_go.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(ToolchainError) as caught:
        pulumi_cli.build_pulumi_cli(StatePaths(tmp_path / "state"))
    message = str(caught.value)
    assert "exited 1: cannot find module providing package" in message
    assert "toolchain/pulumi-cli" in message


def test_plugin_build_without_pulumi_cli_says_to_bootstrap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(docker_plugin, "find_pulumi_cli", lambda paths: None)
    with pytest.raises(ToolchainError, match=r"Pulumi CLI is missing\. Fix: run `make bootstrap`"):
        docker_plugin.build_docker_plugin(StatePaths(tmp_path / "state"))


def test_a_missing_plugin_is_reported_missing(tmp_path: Path) -> None:
    assert docker_plugin.describe_docker_plugin(StatePaths(tmp_path / "state")) is None
