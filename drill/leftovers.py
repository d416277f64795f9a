"""What a stack may leave behind on its Docker hosts, found and removed by its `hospital.stack` label.

`drill down` lets Pulumi destroy what it knows; this finds what it does not
(a run killed mid-deploy, a state folder that was lost), so that nothing is
left behind and a fresh deploy never collides with an old container's name.
"""

from __future__ import annotations

import docker
import docker.errors

from infra.docker_hosts import docker_client
from infra.labels import selector as stack_selector


def find_leftovers(stack: str, docker_hosts: set[str]) -> list[str]:
    """Every container, network or volume still labelled with the stack, on every host."""
    found = []
    for client in _clients(docker_hosts):
        selector = stack_selector(stack)
        found += [f"container {c.name}" for c in client.containers.list(all=True, filters=selector)]
        found += [f"network {n.name}" for n in client.networks.list(filters=selector)]
        found += [f"volume {v.name}" for v in client.volumes.list(filters=selector)]
    return found


def remove_leftovers(stack: str, docker_hosts: set[str]) -> list[str]:
    """Remove every container, then network, then volume labelled with the stack; return what was removed."""
    removed = []
    selector = stack_selector(stack)
    for client in _clients(docker_hosts):
        for container in client.containers.list(all=True, filters=selector):
            container.remove(force=True, v=False)
            removed.append(f"container {container.name}")
        for network in client.networks.list(filters=selector):
            network.remove()
            removed.append(f"network {network.name}")
        for volume in client.volumes.list(filters=selector):
            volume.remove(force=True)
            removed.append(f"volume {volume.name}")
    return removed


def _clients(docker_hosts: set[str]) -> list[docker.DockerClient]:
    return [docker_client(host) for host in sorted(docker_hosts)]
