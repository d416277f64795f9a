"""The networks that join rooms: bridges on one engine, attachable overlays across a swarm.

On one engine (hosting shared) each such network is declared on the engine
of the room that owns it, as it always was. Across a swarm (hosting swarm)
they are overlays, swarm-scoped: declared through one Provider, `swarm-engine`,
on the engine of the first room that stands (the recovery plan re-points it
when that room is lost; the networks live on in the swarm's managers), and
attachable, so that plain containers on any host join them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from infra.config import StackSpec

OVERLAY = "overlay"


class Swarm(pulumi.ComponentResource):
    """The swarm's own scope: the Provider its overlays are declared through."""

    TYPE = "hospital:infra:Swarm"

    def __init__(self, name: str, docker_host: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE, name, None, opts)
        self.docker_host = docker_host
        self.provider = docker.Provider(
            "swarm-engine", host=docker_host, opts=pulumi.ResourceOptions(parent=self)
        )
        self.register_outputs({"docker_host": docker_host})


def swarm_host(spec: StackSpec) -> str:
    """The engine the swarm's overlays are declared through: the first room not lost."""
    lost = set(spec.recovery.lost_rooms) if spec.recovery else set()
    return next(room.docker_host for room in spec.rooms if room.name not in lost)


@dataclass(frozen=True)
class Joints:
    """How the stack declares a network that joins rooms (swarm None: on one engine)."""

    swarm: Swarm | None = None

    def network(
        self,
        resource: str,
        name: str,
        labels: list[docker.NetworkLabelArgs],
        owner: pulumi.ProviderResource | None,
        parent: pulumi.Resource | None,
        internal: bool = True,
    ) -> docker.Network:
        """The network: on owner's engine under parent (one engine), or an attachable overlay of the swarm.

        In a swarm the owner may be a room that is lost (None): the overlay does not depend on it.
        """
        if self.swarm is None:
            if owner is None or parent is None:
                raise ValueError(f"network {name} on one engine needs the provider and parent of its owner")
            opts = pulumi.ResourceOptions(parent=parent, provider=owner)
            return docker.Network(resource, name=name, internal=internal or None, labels=labels, opts=opts)
        return docker.Network(
            resource,
            name=name,
            driver=OVERLAY,
            attachable=True,
            internal=internal or None,
            labels=labels,
            opts=pulumi.ResourceOptions(parent=self.swarm, provider=self.swarm.provider),
        )


def joints_of(spec: StackSpec) -> Joints:
    """The Joints of the stack spec: a Swarm scope when its rooms form one."""
    return Joints(Swarm("swarm", swarm_host(spec))) if spec.swarm else Joints()
