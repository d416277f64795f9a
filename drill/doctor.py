"""`drill doctor`: every part of the toolchain, its version, and the fix for what is wrong."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from drill.paths import StatePaths
from drill.toolchain.bootstrap import toolchain_steps
from drill.toolchain.pulumi_env import pulumi_env

PYTHON_PACKAGES = ("pulumi", "pulumi-docker", "chaostoolkit", "chaostoolkit-lib", "docker", "rich", "pytest")


@dataclass(frozen=True)
class Finding:
    """One part of the toolchain: found (with its version) or not (with the fix)."""

    part: str
    ok: bool
    detail: str
    fix: str = ""


def examine(paths: StatePaths) -> list[Finding]:
    """Look at every part without changing anything."""
    findings = [_python_package(name) for name in PYTHON_PACKAGES]
    findings.append(
        _program(
            "Go", ["go", "version"], "install Go 1.26 or newer (it builds the Pulumi CLI and the plugin)"
        )
    )
    findings.append(_program("Docker client", ["docker", "--version"], "apt-get install -y docker.io"))
    for step in toolchain_steps(paths):
        found = step.existing()
        findings.append(Finding(step.name, found is not None, found or "missing or broken", step.fix))
    env = pulumi_env(paths)
    findings.append(
        Finding(
            "engine settings",
            True,
            f"PULUMI_HOME={env['PULUMI_HOME']}, backend {env['PULUMI_BACKEND_URL']}, "
            "plugin downloads and update checks off",
        )
    )
    return findings


def _python_package(name: str) -> Finding:
    try:
        return Finding(f"python: {name}", True, version(name))
    except PackageNotFoundError:
        return Finding(f"python: {name}", False, "not installed", "make venv")


def _program(part: str, argv: list[str], fix: str) -> Finding:
    try:
        done = subprocess.run(argv, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return Finding(part, False, "not found", fix)
    text = done.stdout.decode().strip().splitlines()
    if done.returncode != 0 or not text:
        return Finding(part, False, "does not run", fix)
    return Finding(part, True, text[0])
