"""The redundant intranet of the stack config (`hospital-drp:intranet`), checked into an IntranetSpec."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from infra.config_section import ensure_mapping
from infra.errors import ConfigError
from infra.room_specs import RoomSpec

_KEY = "hospital-drp:intranet"
_FIELDS = ("replicas", "balancers", "ports")
# Fields of the one-balancer intranet, and what replaced them.
_REPLACED = {"balancer": "balancers: [nord-2, bellevue]", "port": "ports: [18080, 18090]"}


@dataclass(frozen=True)
class IntranetSpec:
    """The redundant intranet: replicas in distinct rooms, and balancers in distinct rooms.

    Each balancer publishes its own port (ports[i] for balancer_rooms[i])
    and balances over every replica; users know every balancer's address.
    """

    replica_rooms: tuple[str, ...]
    balancer_rooms: tuple[str, ...]
    ports: tuple[int, ...]


def load_intranet(value: object, rooms: tuple[RoomSpec, ...]) -> IntranetSpec:
    """Check `hospital-drp:intranet` against the rooms and build the spec.

    Raises ConfigError when it is missing, names an unknown or repeated room,
    holds a field no longer read, or lists no port per balancer.
    """
    raw = ensure_mapping(value, _KEY)
    replicas = _distinct_rooms(raw, "replicas", "place each replica in its own room", rooms)
    _intranet_fields(raw)
    balancers = _distinct_rooms(raw, "balancers", "place each balancer in its own room", rooms)
    return IntranetSpec(
        replica_rooms=tuple(replicas), balancer_rooms=tuple(balancers), ports=_ports(raw, len(balancers))
    )


def _ports(raw: Mapping[str, object], balancers: int) -> tuple[int, ...]:
    """One distinct port from 1024 to 65535 per balancer, at hospital-drp:intranet.ports."""
    ports = raw.get("ports")
    key = f"{_KEY}.ports"
    if not isinstance(ports, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) and 1024 <= p <= 65535 for p in ports
    ):
        raise ConfigError(
            f"{key} {ports!r} is not a list of port numbers from 1024 to 65535",
            "set one port per balancer, e.g. `ports: [18080, 18090]`",
        )
    if len(ports) != balancers:
        raise ConfigError(
            f"{key} lists {len(ports)} ports for {balancers} balancers",
            "set one port per balancer, in the order of intranet.balancers",
        )
    if len(set(ports)) != len(ports):
        raise ConfigError(f"{key} lists a port twice", "give each balancer its own port")
    return tuple(ports)


def _intranet_fields(raw: Mapping[str, object]) -> None:
    for old, new in _REPLACED.items():
        if old in raw:
            raise ConfigError(
                f"{_KEY}.{old} is no longer read: the intranet has a balancer per room",
                f"replace it with `{new}`",
            )
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise ConfigError(
            f"{_KEY} has unknown field {unknown[0]!r}",
            f"remove it; known fields are {', '.join(_FIELDS)}",
        )


def _distinct_rooms(
    raw: Mapping[str, object], field: str, fix: str, rooms: tuple[RoomSpec, ...]
) -> list[str]:
    """A list of at least two distinct, known room names at hospital-drp:intranet.<field>."""
    key = f"{_KEY}.{field}"
    value = raw.get(field, [])
    if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
        raise ConfigError(f"{key} is not a list of room names", "e.g. [nord-2, bellevue]")
    if len(value) < 2 or len(set(value)) != len(value):
        raise ConfigError(f"{key} needs at least two distinct rooms", f"{fix}, e.g. [nord-2, bellevue]")
    known = [room.name for room in rooms]
    for room in value:
        if room not in known:
            raise ConfigError(
                f"{key} names unknown room {room!r}",
                f"use one of the rooms in hospital-drp:rooms: {', '.join(known)}",
            )
    return value
