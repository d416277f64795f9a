"""The labels every Docker object of the stack carries, so experiments target by label."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi_docker as docker

ROOM = "hospital.room"
TIER = "hospital.tier"
SERVICE = "hospital.service"
STACK = "hospital.stack"

TIERS = ("storage", "app", "edge", "backup", "lab")


@dataclass(frozen=True)
class Placement:
    """Where a container stands and what it is: room, tier, service, stack."""

    stack: str
    room: str
    tier: str
    service: str

    def as_dict(self) -> dict[str, str]:
        """The labels as a plain mapping."""
        return {STACK: self.stack, ROOM: self.room, TIER: self.tier, SERVICE: self.service}

    def container_labels(self) -> list[docker.ContainerLabelArgs]:
        """The labels in the form docker.Container takes."""
        return [docker.ContainerLabelArgs(label=k, value=v) for k, v in sorted(self.as_dict().items())]


def selector(stack: str, room: str = "", tier: str = "", service: str = "") -> dict[str, list[str]]:
    """The Docker filter that finds the stack's objects (in room, of tier and service when given)."""
    labels = [f"{STACK}={stack}"]
    labels += [f"{ROOM}={room}"] if room else []
    labels += [f"{TIER}={tier}"] if tier else []
    labels += [f"{SERVICE}={service}"] if service else []
    return {"label": labels}


SAN = "hospital.san"


def network_labels(stack: str, room: str, kind: str, san: str = "") -> list[docker.NetworkLabelArgs]:
    """Labels of a network: its stack, its room, what kind of network it is (and the SAN it is part of)."""
    values = {STACK: stack, ROOM: room, "hospital.network": kind, **({SAN: san} if san else {})}
    return [docker.NetworkLabelArgs(label=k, value=v) for k, v in sorted(values.items())]


def volume_labels(placement: Placement) -> list[docker.VolumeLabelArgs]:
    """Labels of a named volume, the same as its container's."""
    return [docker.VolumeLabelArgs(label=k, value=v) for k, v in sorted(placement.as_dict().items())]
