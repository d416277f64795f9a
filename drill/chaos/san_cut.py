"""Fault: a room's SAN is cut (the storage's links on it go down, as a pulled cable), and its removal.

The storage containers stay attached, keep their addresses and keep running:
cut off while alive. Their services listen on those addresses (infra/listen.py),
so when the links come back up every listener answers again as before. Every
part of the room's SAN is cut at once. Needs root on the Docker host (nsenter).
"""

from __future__ import annotations

from drill.chaos.netns import link_up, nsenter, san_devices, san_parts
from drill.chaos.selection import containers, engine
from infra.docker_hosts import LOCAL_ENGINE

__all__ = ["cut_san", "mend_san"]


def cut_san(room: str, stack: str, san_network: str, docker_host: str = LOCAL_ENGINE) -> list[str]:
    """Take down every running storage container's links on the room's SAN; return their names."""
    parts = san_parts(engine(docker_host), san_network)
    cut = []
    for container in containers(docker_host, stack, room, tier="storage"):
        if container.status != "running":
            continue
        devices = san_devices(container, parts)
        for device in devices:
            nsenter(container, "ip", "link", "set", "dev", device, "down")
        if devices:
            cut.append(container.name)
    return cut


def mend_san(room: str, stack: str, san_network: str, docker_host: str = LOCAL_ENGINE) -> list[str]:
    """Bring the room's storage containers' SAN links up again; return the names of those mended."""
    parts = san_parts(engine(docker_host), san_network)
    mended = []
    # Nothing may be left to mend: the recovery plan fenced the storage and placed it elsewhere.
    for container in containers(docker_host, stack, room, tier="storage", required=False):
        if container.status != "running":
            continue
        down = [d for d in san_devices(container, parts) if not link_up(container, d)]
        for device in down:
            nsenter(container, "ip", "link", "set", "dev", device, "up")
        if down:
            mended.append(container.name)
    return mended
