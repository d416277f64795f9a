"""The access network: where users reach the hospital, published on 127.0.0.1 only."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from infra.labels import network_labels
from infra.rooms import MachineRoom

PUBLISH_IP = "127.0.0.1"


@dataclass(frozen=True)
class AccessNetworkArgs:
    """The room whose engine holds the access network, and naming."""

    room: MachineRoom
    stack: str
    prefix: str


class AccessNetwork(pulumi.ComponentResource):
    """The one non-internal network; edge containers publish their ports from it."""

    def __init__(
        self, name: str, args: AccessNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("hospital:infra:AccessNetwork", name, None, opts)
        self.network_name = f"{args.prefix}-access"
        self.network = docker.Network(
            "access-network",
            name=self.network_name,
            labels=network_labels(args.stack, args.room.spec.name, "access"),
            opts=pulumi.ResourceOptions(parent=self, provider=args.room.provider),
        )
        self.register_outputs({"network": self.network.name})
