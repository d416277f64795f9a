"""Fault: the storage layer of a room dies (its tier=storage containers are killed), and its removal."""

from __future__ import annotations

from drill.chaos.selection import halt, resume
from infra.docker_hosts import LOCAL_ENGINE

__all__ = ["kill_storage", "restart_storage"]


def kill_storage(room: str, stack: str, docker_host: str = LOCAL_ENGINE) -> list[str]:
    """Kill (SIGKILL, no clean shutdown) every storage container of room; return their names."""
    return halt(docker_host, stack, room, tier="storage")


def restart_storage(room: str, stack: str, docker_host: str = LOCAL_ENGINE) -> list[str]:
    """Start again every storage container of room that is not running; return their names."""
    return resume(docker_host, stack, room, tier="storage")
