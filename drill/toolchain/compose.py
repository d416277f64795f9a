"""Docker Compose v2, for the benchmarks: built from Go modules (toolchain/docker-compose).

Debian's docker-compose is 1.29, which lacks `up --wait`; the benchmark
compares `drill up` with `docker compose up -d --wait` of the same
containers. Only `make bench` builds it: the game day and the tests do not
need it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from drill.errors import ToolchainError
from drill.paths import PROJECT_ROOT, StatePaths
from drill.toolchain.build_cache import go_build_once
from drill.toolchain.versions import COMPOSE_VERSION

BUILDER = PROJECT_ROOT / "toolchain" / "docker-compose"
_LDFLAGS = f"-X github.com/docker/compose/v2/internal.Version=v{COMPOSE_VERSION}"
PACKAGE = "github.com/docker/compose/v2/cmd"


def compose_binary(paths: StatePaths) -> Path:
    """Where the built compose binary lives (run standalone: `docker-compose ...`)."""
    return paths.tools_bin / "docker-compose"


def describe_compose(paths: StatePaths) -> str | None:
    """The built compose and its version, or None when it is missing or not the pinned one."""
    binary = compose_binary(paths)
    if not binary.exists():
        return None
    done = subprocess.run([str(binary), "version", "--short"], capture_output=True, timeout=30, check=False)
    version = done.stdout.decode().strip().removeprefix("v")
    return f"{binary} v{version}" if done.returncode == 0 and version == COMPOSE_VERSION else None


def build_compose(paths: StatePaths) -> str:
    """Build Docker Compose from the Go module proxy into the tools folder."""
    output = compose_binary(paths)
    built = go_build_once(
        "docker-compose", BUILDER, PACKAGE, _LDFLAGS, output, lambda: describe_compose(paths)
    )
    if not built.found:
        raise ToolchainError(f"the built {output} does not run", "delete it and run `make bench` again")
    return built.said(built.found)
