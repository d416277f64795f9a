"""The Docker engines of the rooms, one client per host for the life of the process.

The topology names every container and its room, and every room its
Docker host; this turns a container the topology names into the container
on its engine, without opening a new client on every look (the recovery
plan looks every second while it polls).
"""

from __future__ import annotations

import docker
import docker.errors
from docker.models.containers import Container

from infra.docker_hosts import docker_client
from infra.topology import ContainerInfo, Topology


def engine(docker_host: str) -> docker.DockerClient:
    """The client of docker_host (made once per process)."""
    return docker_client(docker_host)


def container_of(topology: Topology, info: ContainerInfo) -> Container | None:
    """The container info names, on its room's engine; None when it does not exist."""
    host = next(room.docker_host for room in topology.rooms if room.name == info.room)
    try:
        return engine(host).containers.get(info.name)
    except docker.errors.NotFound:
        return None
