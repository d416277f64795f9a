"""How a server reaches the storage: over the SAN of the storage's room, or stretched to another room.

On one engine a server in any room joins the SAN bridge of the storage's
room, as always. Across a swarm a bridge is its host's alone: a server that
stands in another room than the storage (the recovery plan re-created the
storage elsewhere and the apps stayed, with their journals and queues)
reaches it over that part of the SAN stretched between rooms, as a metro
SAN is: an internal, attachable overlay `<SAN part>-link` that the storage
and only the servers of other rooms that use that part join. It carries
the SAN's labels, so a fault on the storage room's SAN takes it too.
Across a swarm every room's SAN has its links, wherever the storage stands:
the recovery plan deploys the storage alone first, links included
(storage_urns), and a room's links are never deleted while a lost host's
stale storage may still hold them (the swarm refuses to remove an overlay
a container is attached to, even on a host that is cut off).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi_docker as docker

from infra.config import StackSpec
from infra.joints import Joints
from infra.labels import network_labels
from infra.rooms import MachineRoom, san_network_name

# The SAN's parts (MachineRoom): the database's, the mail store's LMTP and IMAP, and who uses each.
DATABASE, LMTP, IMAP = "database", "lmtp", "imap"


PARTS = (DATABASE, LMTP, IMAP)


def link_resource(room: str, part: str) -> str:
    """The Pulumi name of the stretched link of part of room's SAN."""
    return f"{room}-{'san' if part == DATABASE else f'san-{part}'}-link"


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
        """The stretched link of part (across a swarm), which the storage joins."""
        return self.links.get(part)


def storage_reach(spec: StackSpec, rooms: Mapping[str, MachineRoom], joints: Joints) -> StorageReach:
    """The reach of the storage where spec places it: across a swarm, with the stretched links of
    every room's SAN declared (infra/san_links.py), the storage's own among them."""
    room = rooms[spec.layout.storage]
    if not spec.swarm:
        return StorageReach(room)
    every = {name: _links(spec, name, joints) for name in (r.name for r in spec.rooms)}
    return StorageReach(room, every[room.spec.name])


def _links(spec: StackSpec, room: str, joints: Joints) -> dict[str, docker.Network]:
    san = san_network_name(spec.prefix, room)
    names = {DATABASE: san, LMTP: f"{san}-lmtp", IMAP: f"{san}-imap"}
    labels = network_labels(spec.stack, room, "san", san)
    return {
        part: joints.network(
            link_resource(room, part), f"{names[part]}-link", labels, owner=None, parent=None
        )
        for part in PARTS
    }
