"""How a server reaches the storage: over the SAN of the storage's room, or stretched to another room.

On one engine a server in any room joins the SAN bridge of the storage's
room, as always. Across a swarm a bridge is its host's alone: a server that
stands in another room than the storage (the recovery plan re-created the
storage elsewhere and the apps stayed, with their journals and queues)
reaches it over that part of the SAN stretched between rooms, as a metro
SAN is: an internal, attachable overlay `<SAN part>-link` that the storage
and only the servers of other rooms that use that part join. It carries
the SAN's labels, so a fault on the storage room's SAN takes it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi_docker as docker

from infra.config import StackSpec
from infra.joints import Joints
from infra.labels import network_labels
from infra.rooms import MachineRoom

# The SAN's parts (MachineRoom): the database's, the mail store's LMTP and IMAP, and who uses each.
DATABASE, LMTP, IMAP = "database", "lmtp", "imap"


def users(spec: StackSpec) -> dict[str, tuple[str, ...]]:
    """The rooms of the servers that use each part of the storage's SAN, as the spec places them."""
    layout = spec.layout
    return {DATABASE: (layout.appointments, layout.lab), LMTP: (layout.mail,), IMAP: (layout.mail,)}


@dataclass(frozen=True)
class StorageReach:
    """The SAN of the storage's room, and the parts of it stretched to other rooms (swarm only)."""

    room: MachineRoom
    links: Mapping[str, docker.Network] = field(default_factory=dict)

    def bridge(self, part: str) -> docker.Network:
        """The part of the storage room's SAN itself."""
        return {DATABASE: self.room.san_network, LMTP: self.room.lmtp_san, IMAP: self.room.imap_san}[part]

    def network(self, part: str, from_room: str) -> docker.Network:
        """What a server standing in from_room joins to use part: the SAN, or its stretched link."""
        if from_room != self.room.spec.name and part in self.links:
            return self.links[part]
        return self.bridge(part)

    def link(self, part: str) -> docker.Network | None:
        """The stretched link of part, when a server of another room uses it."""
        return self.links.get(part)


def storage_reach(spec: StackSpec, room: MachineRoom, joints: Joints) -> StorageReach:
    """The reach of the storage in room: across a swarm, a link for each part used from another room."""
    if not spec.swarm:
        return StorageReach(room)
    san = room.san_network_name
    names = {DATABASE: san, LMTP: f"{san}-lmtp", IMAP: f"{san}-imap"}
    links = {
        part: joints.network(
            f"{room.spec.name}-{'san' if part == DATABASE else f'san-{part}'}-link",
            f"{names[part]}-link",
            network_labels(spec.stack, room.spec.name, "san", san),
            owner=None,
            parent=None,
        )
        for part, rooms in users(spec).items()
        if any(user != room.spec.name for user in rooms)
    }
    return StorageReach(room, links)
