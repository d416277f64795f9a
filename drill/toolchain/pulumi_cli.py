"""The Pulumi CLI: one on PATH at least PULUMI_CLI_VERSION, or built from Go modules."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from drill.errors import ToolchainError
from drill.paths import PROJECT_ROOT, StatePaths
from drill.toolchain.build_cache import go_build_once
from drill.toolchain.versions import PULUMI_CLI_VERSION, parse_version

BUILDER = PROJECT_ROOT / "toolchain" / "pulumi-cli"
_LDFLAGS = f"-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v{PULUMI_CLI_VERSION}"
PACKAGE = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"


def cli_version(binary: Path) -> str | None:
    """Return what `binary version` prints, or None when it does not run."""
    try:
        done = subprocess.run([str(binary), "version"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = done.stdout.decode().strip()
    return text if done.returncode == 0 and text else None


def find_pulumi_cli(paths: StatePaths) -> Path | None:
    """Return a usable Pulumi CLI: ours when built, else one on PATH new enough."""
    candidates = [paths.tools_bin / "pulumi"]
    on_path = shutil.which("pulumi")
    if on_path:
        candidates.append(Path(on_path))
    wanted = parse_version(PULUMI_CLI_VERSION)
    for candidate in candidates:
        found = cli_version(candidate) if candidate.exists() else None
        if found and parse_version(found) >= wanted:
            return candidate
    return None


def describe_pulumi_cli(paths: StatePaths) -> str | None:
    """Describe the usable CLI (path and version), or None when there is none."""
    binary = find_pulumi_cli(paths)
    return f"{binary} {cli_version(binary)}" if binary else None


def build_pulumi_cli(paths: StatePaths) -> str:
    """Build the Pulumi CLI from the Go module proxy into the tools folder.

    Raises ToolchainError when Go is missing or the build fails.
    """
    target = paths.tools_bin / "pulumi"
    built = go_build_once("pulumi", BUILDER, PACKAGE, _LDFLAGS, target, lambda: cli_version(target))
    if not built.found:
        raise ToolchainError(f"the built {target} does not run", "delete it and run `make bootstrap` again")
    return built.said(f"{target} {built.found}")
