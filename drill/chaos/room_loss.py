"""Fault: a whole room loses power (every container of it stops at once), and its removal."""

from __future__ import annotations

from drill.chaos.selection import halt, resume
from infra.docker_hosts import LOCAL_ENGINE

__all__ = ["power_off_room", "power_on_room"]


def power_off_room(room: str, stack: str, docker_host: str = LOCAL_ENGINE) -> list[str]:
    """Kill every running container of room, as a power loss would; return their names."""
    return halt(docker_host, stack, room)


def power_on_room(room: str, stack: str, docker_host: str = LOCAL_ENGINE) -> list[str]:
    """Start every container of room that is not running; return their names."""
    return resume(docker_host, stack, room)
