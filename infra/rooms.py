"""A machine room: its own Docker provider, its room network and its SAN network."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from infra.labels import network_labels
from infra.room_specs import RoomSpec


def room_network_name(prefix: str, room: str) -> str:
    """The Docker name of room's network."""
    return f"{prefix}-{room}"


def san_network_name(prefix: str, room: str) -> str:
    """The Docker name of room's SAN (its first part)."""
    return f"{prefix}-{room}-san"


@dataclass(frozen=True)
class MachineRoomArgs:
    """What a room needs: its spec and the stack's name prefix."""

    room: RoomSpec
    stack: str
    prefix: str
    swarm: bool = False  # hosting swarm: the room also has an edge bridge that publishes its ports


class MachineRoom(pulumi.ComponentResource):
    """One failure domain.

    The room network joins the room's servers. The SAN, internal (no route
    out), joins its app servers to its storage, one network per flow so that
    no client reaches a store it does not use: `<room>-san` (the apps to the
    database), `<room>-san-lmtp` (the mail front end to the mail store),
    `<room>-san-imap` (the IMAP proxy to the mail store). The two parts added
    to the first carry the label hospital.san=<room>-san (the first keeps the
    labels it always had): a fault on the SAN takes every part.
    """

    def __init__(self, name: str, args: MachineRoomArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hospital:infra:MachineRoom", name, None, opts)
        room = args.room
        self.spec = room
        self.provider = docker.Provider(
            f"{room.name}-engine", host=room.docker_host, opts=pulumi.ResourceOptions(parent=self)
        )
        child = pulumi.ResourceOptions(parent=self, provider=self.provider)
        self.network_name = room_network_name(args.prefix, room.name)
        self.san_network_name = san_network_name(args.prefix, room.name)
        self.network = self._internal_network(f"{room.name}-network", self.network_name, "room", args, child)
        self.san_network = self._internal_network(
            f"{room.name}-san", self.san_network_name, "san", args, child
        )
        self.lmtp_san = self._internal_network(
            f"{room.name}-san-lmtp",
            f"{self.san_network_name}-lmtp",
            "san",
            args,
            child,
            self.san_network_name,
        )
        self.imap_san = self._internal_network(
            f"{room.name}-san-imap",
            f"{self.san_network_name}-imap",
            "san",
            args,
            child,
            self.san_network_name,
        )
        self.edge: docker.Network | None = None
        if args.swarm:
            self.edge = docker.Network(
                f"{room.name}-edge",
                name=f"{args.prefix}-{room.name}-edge",
                labels=network_labels(args.stack, room.name, "edge"),
                opts=child,
            )
        self.register_outputs({"network": self.network.name, "san_network": self.san_network.name})

    @property
    def san_network_names(self) -> tuple[str, ...]:
        """The Docker names of every part of the room's SAN."""
        return (self.san_network_name, f"{self.san_network_name}-lmtp", f"{self.san_network_name}-imap")

    @staticmethod
    def _internal_network(
        resource: str,
        name: str,
        kind: str,
        args: MachineRoomArgs,
        opts: pulumi.ResourceOptions,
        san: str = "",
    ) -> docker.Network:
        """A network with no route out, labelled with its room and kind (and the SAN it is part of)."""
        labels = network_labels(args.stack, args.room.name, kind, san)
        return docker.Network(resource, name=name, internal=True, labels=labels, opts=opts)
