"""The access network: where users reach the hospital, published on each room's address
(127.0.0.1 on one engine: infra/hosting.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from infra.joints import Joints
from infra.labels import network_labels
from infra.listen import attach, listen_name
from infra.rooms import MachineRoom


@dataclass(frozen=True)
class AccessNetworkArgs:
    """The room whose engine holds the access network on one engine (None: a room the plan lost,
    across a swarm), how rooms are joined, and naming."""

    room_name: str
    room: MachineRoom | None
    joints: Joints
    stack: str
    prefix: str


class AccessNetwork(pulumi.ComponentResource):
    """The one non-internal network; edge containers publish their ports from it."""

    def __init__(
        self, name: str, args: AccessNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("hospital:infra:AccessNetwork", name, None, opts)
        self.network_name = f"{args.prefix}-access"
        self.network = args.joints.network(
            "access-network",
            self.network_name,
            network_labels(args.stack, args.room_name, "access"),
            owner=args.room.provider if args.room else None,
            parent=self,
            internal=False,
        )
        self.register_outputs({"network": self.network.name})

    def attach(self, room: MachineRoom, host: str) -> list[docker.ContainerNetworksAdvancedArgs]:
        """Attach host, standing in room, to the users' network, and across a swarm to the room's
        edge bridge that publishes its ports; each with the alias its services bind to there."""
        edge = [attach(room.edge, host, "edge")] if room.edge is not None else []
        return [attach(self.network, host, "access"), *edge]

    @staticmethod
    def listen(room: MachineRoom, host: str) -> tuple[str, ...]:
        """The names a service of host, standing in room, binds to for its users (infra/listen.py)."""
        return (listen_name("access", host), *([listen_name("edge", host)] if room.edge is not None else []))
