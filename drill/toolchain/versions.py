"""The versions the toolchain builds and expects."""

from __future__ import annotations

from importlib.metadata import version

PULUMI_CLI_VERSION = "3.274.1"


def docker_plugin_version() -> str:
    """The docker provider plugin version: exactly the pinned pulumi-docker SDK's,
    because the engine loads only the plugin whose version the SDK asks for."""
    return version("pulumi-docker")


def parse_version(text: str) -> tuple[int, ...]:
    """Turn 'v3.274.1' or '3.274.1-dev.0' into (3, 274, 1); () when unreadable."""
    core = text.strip().lstrip("v").split("-")[0].split("+")[0]
    try:
        return tuple(int(part) for part in core.split("."))
    except ValueError:
        return ()


# Docker Compose v2, built from Go modules for the benchmarks only (make bench).
COMPOSE_VERSION = "2.40.3"
