"""Fault: a room's SAN is cut (its storage containers leave the SAN network), and its removal."""

from __future__ import annotations

import docker.errors
from chaoslib.exceptions import ActivityFailed

from drill.chaos.selection import containers, engine
from infra.docker_hosts import LOCAL_ENGINE

__all__ = ["cut_san", "mend_san"]


def cut_san(room: str, stack: str, san_network: str, docker_host: str = LOCAL_ENGINE) -> list[str]:
    """Disconnect every storage container of room from san_network; return their names."""
    network = _network(docker_host, san_network)
    cut = []
    for container in containers(docker_host, stack, room, tier="storage"):
        if san_network in container.attrs["NetworkSettings"]["Networks"]:
            network.disconnect(container, force=True)
            cut.append(container.name)
    return cut


def mend_san(room: str, stack: str, san_network: str, docker_host: str = LOCAL_ENGINE) -> list[str]:
    """Connect every storage container of room to san_network again; return their names."""
    network = _network(docker_host, san_network)
    mended = []
    for container in containers(docker_host, stack, room, tier="storage", required=False):
        if san_network not in container.attrs["NetworkSettings"]["Networks"]:
            network.connect(container)
            mended.append(container.name)
    return mended


def _network(docker_host: str, name: str) -> docker.models.networks.Network:
    try:
        return engine(docker_host).networks.get(name)
    except docker.errors.NotFound as exc:
        raise ActivityFailed(
            f"no network {name} on {docker_host}: check san_network in the var file"
        ) from exc
