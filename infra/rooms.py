"""A machine room: its own Docker provider, its room network and its SAN network."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from infra.labels import network_labels
from infra.room_specs import RoomSpec


@dataclass(frozen=True)
class MachineRoomArgs:
    """What a room needs: its spec and the stack's name prefix."""

    room: RoomSpec
    stack: str
    prefix: str


class MachineRoom(pulumi.ComponentResource):
    """One failure domain.

    The room network joins the room's servers; the SAN network, internal
    (no route out), joins its app servers to its storage array.
    """

    def __init__(self, name: str, args: MachineRoomArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hospital:infra:MachineRoom", name, None, opts)
        room = args.room
        self.spec = room
        self.provider = docker.Provider(
            f"{room.name}-engine", host=room.docker_host, opts=pulumi.ResourceOptions(parent=self)
        )
        child = pulumi.ResourceOptions(parent=self, provider=self.provider)
        self.network_name = f"{args.prefix}-{room.name}"
        self.san_network_name = f"{args.prefix}-{room.name}-san"
        self.network = self._internal_network(f"{room.name}-network", self.network_name, "room", args, child)
        self.san_network = self._internal_network(
            f"{room.name}-san", self.san_network_name, "san", args, child
        )
        self.register_outputs({"network": self.network.name, "san_network": self.san_network.name})

    @staticmethod
    def _internal_network(
        resource: str, name: str, kind: str, args: MachineRoomArgs, opts: pulumi.ResourceOptions
    ) -> docker.Network:
        """A network with no route out, labelled with its room and kind."""
        labels = network_labels(args.stack, args.room.name, kind)
        return docker.Network(resource, name=name, internal=True, labels=labels, opts=opts)
