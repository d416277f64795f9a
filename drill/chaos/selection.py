"""Finding the containers an experiment acts on, on a Docker host, by the labels the topology names."""

from __future__ import annotations

import docker
import docker.errors
from chaoslib.exceptions import ActivityFailed
from docker.models.containers import Container

from infra.docker_hosts import docker_client
from infra.labels import selector


def engine(docker_host: str) -> docker.DockerClient:
    """A client of the room's Docker host; ActivityFailed when it does not answer."""
    try:
        client = docker_client(docker_host)
        client.ping()
    except docker.errors.DockerException as exc:
        raise ActivityFailed(f"the Docker host {docker_host} does not answer: {exc}") from exc
    return client


def containers(
    docker_host: str, stack: str, room: str, tier: str = "", service: str = "", required: bool = True
) -> list[Container]:
    """Every container of the stack in room (and tier, service when given), running or not.

    Raises ActivityFailed when none matches and required: a fault aimed at
    nothing would prove nothing. A removal (required false) may find nothing
    left to mend, e.g. once the recovery plan moved the storage elsewhere.
    """
    filters = selector(stack, room, tier, service)
    labels = filters["label"]
    found = engine(docker_host).containers.list(all=True, filters=filters)
    if not found and required:
        raise ActivityFailed(
            f"no container of stack {stack} matches {', '.join(labels[1:])}:"
            " check the var file written from topology"
        )
    return sorted(found, key=lambda c: c.name)


def halt(docker_host: str, stack: str, room: str, tier: str = "", kill: bool = True) -> list[str]:
    """Kill (or stop cleanly) the running containers that match; return their names."""
    halted = []
    for container in containers(docker_host, stack, room, tier=tier):
        if container.status == "running":
            if kill:
                container.kill()
            else:
                container.stop(timeout=2)
            halted.append(container.name)
    return halted


def resume(docker_host: str, stack: str, room: str, tier: str = "") -> list[str]:
    """Start the containers that match and are not running; return their names."""
    started = []
    for container in containers(docker_host, stack, room, tier=tier, required=False):
        if container.status != "running":
            container.start()
            started.append(container.name)
    return started
