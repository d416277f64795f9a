"""How a server reaches the storage: over the SAN of the storage's room, or stretched to another room.

On one engine a server in any room joins the SAN bridge of the storage's
room, as always. Across a swarm a bridge is its host's alone: a server that
stands in another room than the storage (the recovery plan re-created the
storage elsewhere and the apps stayed, with their journals and queues)
reaches it over that part of the SAN stretched between rooms, as a metro
SAN is: an internal, attachable overlay `<SAN part>-link` that the storage
and only the servers of other rooms that use that part join. It carries
the SAN's labels, so a fault on the storage room's SAN takes it too. The
storage's room has its links across a swarm even while every server stands
beside it: the recovery plan deploys the storage alone first, links
included (storage_urns), before anything is re-pointed to it.
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


def storage_reach(spec: StackSpec, room: MachineRoom, joints: Joints) -> StorageReach:
    """The reach of the storage in room: across a swarm, a stretched link for each part of its SAN."""
    if not spec.swarm:
        return StorageReach(room)
    san = room.san_network_name
    names = {DATABASE: san, LMTP: f"{san}-lmtp", IMAP: f"{san}-imap"}
    links = {
        part: joints.network(
            link_resource(room.spec.name, part),
            f"{names[part]}-link",
            network_labels(spec.stack, room.spec.name, "san", san),
            owner=None,
            parent=None,
        )
        for part in PARTS
    }
    return StorageReach(room, links)
