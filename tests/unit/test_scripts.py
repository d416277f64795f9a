"""Every shell script the images run parses: a quote left open fails here, not as a container that
restarts until a deploy's two-minute wait runs out."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from drill.paths import PROJECT_ROOT

SCRIPTS = sorted((PROJECT_ROOT / "services").rglob("*.sh"))


def test_the_images_have_scripts_to_check() -> None:
    assert len(SCRIPTS) >= 5, SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_a_script_parses(script: Path) -> None:
    shell = "sh" if script.read_text().startswith("#!/bin/sh") else "bash"
    parsed = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True, check=False)
    assert parsed.returncode == 0, parsed.stderr
