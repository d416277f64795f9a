"""Faults of a whole room's host across a swarm, and their removal, which fences what the host held.

They act on the hosts `drill hosts up` makes on this machine (drill/hosts):

- `cut_host`: the host's link on the switch goes down. The host, its engine
  and every container on it go on running, cut off from everyone: a
  network partition, the room's uplinks lost.
- `stop_host`: every process of the host dies at once (its engine,
  containerd, every container), as a power loss.

`return_host` brings the host back the way a site comes back after a
disaster: isolated first (its link down, its engine started), then, when
the recovery plan declared the room lost and re-created what it held
elsewhere, everything of the stack still on it is removed (containers,
volumes, its room's own networks; never the swarm's overlays): fenced, so
that a stale array, gateway or mail store never resumes beside the new
ones. Only then is its link plugged in again, and the swarm waited for.
When the plan did not declare the room lost, nothing is fenced: the host
comes back as it was.
"""

from __future__ import annotations

import time

import docker
import docker.errors
from chaoslib.exceptions import ActivityFailed

from drill.errors import DrillError
from drill.hosts import harness
from drill.paths import state_paths
from drill.workspace import read_recovery
from infra.labels import selector

__all__ = ["cut_host", "return_host", "stop_host"]
SWARM_READY_S = 180.0  # a host whose engine was killed took 79 s to be ready again


def _host(room: str, docker_host: str) -> harness.Host:
    host = harness.host_of(docker_host)
    if host is None:
        raise ActivityFailed(
            f"room {room}'s engine {docker_host} is not a host of `drill hosts`: drill cannot cut or stop "
            "a host it did not make (cut its link or stop its engine by hand)"
        )
    return host


def cut_host(room: str, stack: str, docker_host: str) -> list[str]:
    """Pull the link of room's host: it and every container on it are cut off, alive."""
    host = _host(room, docker_host)
    harness.set_link(host, up=False)
    return [host.name]


def stop_host(room: str, stack: str, docker_host: str) -> list[str]:
    """Kill every process of room's host at once, as a power loss."""
    host = _host(room, docker_host)
    if not harness.kill_engine(host):
        raise ActivityFailed(f"{host.name} runs nothing to stop: is `drill hosts up` done?")
    return [host.name]


def return_host(room: str, stack: str, docker_host: str) -> list[str]:
    """Bring room's host back isolated, fence what of the stack it holds when the plan declared the
    room lost, then plug its link in and wait for the swarm; return what was fenced."""
    host = _host(room, docker_host)
    harness.set_link(host, up=False)
    try:
        harness.start_engine(host)
    except DrillError as exc:
        raise ActivityFailed(f"{host.name}'s engine did not start again: {exc}") from exc
    fenced = fence_host(host, stack) if room in _declared_lost(stack) else []
    harness.set_link(host, up=True)
    try:
        harness.wait_ready(SWARM_READY_S)
    except DrillError as exc:
        raise ActivityFailed(f"{host.name} did not rejoin the swarm: {exc}") from exc
    return fenced


def _declared_lost(stack: str) -> tuple[str, ...]:
    recovery = read_recovery(state_paths(), stack)
    return recovery.lost_rooms if recovery else ()


def fence_host(host: harness.Host, stack: str) -> list[str]:
    """Remove every container, volume and local network of the stack on host; return their names."""
    client = harness.engine(host, timeout=60)
    try:
        labels = selector(stack)
        fenced = []
        for container in client.containers.list(all=True, filters=labels):
            container.remove(force=True)
            fenced.append(container.name)
        for volume in client.volumes.list(filters=labels):
            volume.remove(force=True)
            fenced.append(f"volume {volume.name}")
        for network in client.networks.list(filters=labels):
            if network.attrs.get("Scope") == "local":  # the swarm's overlays live on
                _remove_network(network)
                fenced.append(f"network {network.name}")
        return fenced
    except docker.errors.DockerException as exc:
        raise ActivityFailed(f"fencing {host.name} failed: {exc}") from exc
    finally:
        client.close()


def _remove_network(network: docker.models.networks.Network, tries: int = 10) -> None:
    """Remove a network whose last endpoints may still be going (a container just removed)."""
    for attempt in range(tries):
        try:
            network.remove()
            return
        except docker.errors.APIError:
            if attempt == tries - 1:
                raise
            time.sleep(0.5)
