"""The Docker engines of the rooms, one client per host for the life of the process.

The topology names every container and its room, and every room its
Docker host; this turns a container the topology names into the container
on its engine, without opening a new client on every look (the recovery
plan looks every second while it polls).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import docker
import docker.errors
import requests
from docker.models.containers import Container

from infra.docker_hosts import docker_client
from infra.hosting import SWARM
from infra.topology import ContainerInfo, RoomInfo, Topology

SWARM_PORT = 2377  # where a swarm manager listens: any answer there is its host's kernel answering


def engine(docker_host: str) -> docker.DockerClient:
    """The client of docker_host (made once per process)."""
    return docker_client(docker_host)


def container_of(topology: Topology, info: ContainerInfo) -> Container | None:
    """The container info names, on its room's engine; None when it does not exist, or when its
    engine does not answer across a swarm (its host is lost: nothing on it can be reached)."""
    host = next(room.docker_host for room in topology.rooms if room.name == info.room)
    try:
        return engine(host).containers.get(info.name)
    except docker.errors.NotFound:
        return None
    except (docker.errors.DockerException, requests.exceptions.ConnectionError, OSError):
        if topology.hosting != SWARM:
            raise  # one engine for every room: its failure is not a room's
        return None


def host_answers(room: RoomInfo, timeout_s: float = 2.0) -> bool:
    """Whether room's host answers, as seen from outside it: its engine, and (across a swarm) its
    address on the network, where any answer of its kernel counts (a refused port too); a cut
    link or a dead host gives none."""
    try:
        docker_client(room.docker_host, timeout_s=int(max(timeout_s, 1))).ping()
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError):
        return False
    try:
        with socket.create_connection((room.address, SWARM_PORT), timeout=timeout_s):
            return True
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


@dataclass(frozen=True)
class ContainerHealth:
    """What Docker says of one container, as yes/no questions (as testinfra's modules ask them).

    status is Docker's (created, running, paused, restarting, exited, dead) or
    `missing`; health is its health check's (healthy, unhealthy, starting) or
    "" when it has none.
    """

    name: str
    status: str
    health: str = ""

    @staticmethod
    def of(name: str, container: Container | None) -> ContainerHealth:
        """The health of container (None: it does not exist), called name."""
        if container is None:
            return ContainerHealth(name, "missing")
        state = container.attrs["State"]
        return ContainerHealth(
            name, str(state.get("Status", "")), str(state.get("Health", {}).get("Status", ""))
        )

    @property
    def exists(self) -> bool:
        """The engine knows the container."""
        return self.status != "missing"

    @property
    def is_down(self) -> bool:
        """It runs nothing: missing, never started, exited or dead (a paused one is not down)."""
        return self.status in ("missing", "created", "exited", "dead")

    @property
    def is_healthy(self) -> bool:
        """It runs and its health check says healthy."""
        return self.status == "running" and self.health == "healthy"

    @property
    def is_ready(self) -> bool:
        """It runs, and is healthy when it has a health check."""
        return self.status == "running" and self.health in ("healthy", "")

    def __str__(self) -> str:
        return f"{self.status}, {self.health or 'no health check'}"
