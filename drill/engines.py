"""The Docker engines of the rooms, one client per host for the life of the process.

The topology names every container and its room, and every room its
Docker host; this turns a container the topology names into the container
on its engine, without opening a new client on every look (the recovery
plan looks every second while it polls).
"""

from __future__ import annotations

import functools

import docker
import docker.errors
from docker.models.containers import Container

from infra.topology import ContainerInfo, Topology


@functools.cache
def engine(docker_host: str) -> docker.DockerClient:
    """The client of docker_host (made once)."""
    return docker.DockerClient(base_url=docker_host, timeout=30)


def container_of(topology: Topology, info: ContainerInfo) -> Container | None:
    """The container info names, on its room's engine; None when it does not exist."""
    host = next(room.docker_host for room in topology.rooms if room.name == info.room)
    try:
        return engine(host).containers.get(info.name)
    except docker.errors.NotFound:
        return None
