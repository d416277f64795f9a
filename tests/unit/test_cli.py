"""The CLI turns every DrillError into one line and a non-zero exit."""

from __future__ import annotations

import pytest

from drill import cli
from drill.errors import ConfigError
from drill.paths import StatePaths


def test_a_drill_error_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(paths: StatePaths, args: object) -> int:
        raise ConfigError("hospital-drp:intranet.balancer names unknown room 'x'", "use one of nord-1")

    monkeypatch.setitem(cli.COMMANDS, "status", broken)
    assert cli.main(["status"]) == 1
    out = capsys.readouterr().out
    assert "error: hospital-drp:intranet.balancer names unknown room 'x'. Fix: use one of nord-1" in out
    assert "drill status: failed in" in out


def test_unknown_command_is_refused() -> None:
    with pytest.raises(SystemExit) as caught:
        cli.parse_args(["explode"])
    assert caught.value.code == 2
