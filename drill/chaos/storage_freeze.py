"""Fault: a room's storage hangs (every process of its storage containers frozen), and its removal.

The kernel's cgroup freezer (`docker pause`) stops every process at once, as
a storage controller that stops answering without dying: connections are
accepted by nobody and nothing times out on the storage's side.
"""

from __future__ import annotations

from drill.chaos.selection import containers
from infra.docker_hosts import LOCAL_ENGINE

__all__ = ["freeze_storage", "thaw_storage"]


def freeze_storage(room: str, stack: str, docker_host: str = LOCAL_ENGINE) -> list[str]:
    """Freeze every running storage container of room; return their names."""
    frozen = []
    for container in containers(docker_host, stack, room, tier="storage"):
        if container.status == "running":
            container.pause()
            frozen.append(container.name)
    return frozen


def thaw_storage(room: str, stack: str, docker_host: str = LOCAL_ENGINE) -> list[str]:
    """Thaw every frozen storage container of room that is still there; return their names."""
    thawed = []
    for container in containers(docker_host, stack, room, tier="storage", required=False):
        if container.status == "paused":
            container.unpause()
            thawed.append(container.name)
    return thawed
