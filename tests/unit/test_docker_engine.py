"""An engine that cannot be started gives one error naming its log."""

from __future__ import annotations

from pathlib import Path

import pytest

from drill.errors import EngineError
from drill.paths import StatePaths
from drill.toolchain import docker_engine


def fake(tmp_path: Path, name: str, script: str) -> None:
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)


def test_dockerd_that_dies_gives_an_error_naming_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake(tmp_path, "dockerd", "echo 'failed to start daemon: pid file found' >&2; exit 1")
    fake(tmp_path, "docker", "exit 1")
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    monkeypatch.setattr(docker_engine, "START_TIMEOUT_S", 1.0)
    paths = StatePaths(tmp_path / "state")
    with pytest.raises(EngineError) as caught:
        docker_engine.ensure_docker_engine(paths)
    assert "dockerd did not answer within 1 s" in str(caught.value)
    assert str(paths.logs / "dockerd.log") in str(caught.value)
    assert "pid file found" in (paths.logs / "dockerd.log").read_text()


def test_no_engine_answering_gives_no_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake(tmp_path, "docker", "echo 'Cannot connect to the Docker daemon' >&2; exit 1")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert docker_engine.engine_version() is None
