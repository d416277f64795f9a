"""How the rooms are hosted (`hospital-drp:hosting`): on one engine, or each on a host of its own.

shared (the default): every room on one Docker engine; the networks that
join rooms are bridges there, and users reach the hospital on 127.0.0.1.

swarm: each room on its own Docker host, the hosts joined in a Docker Swarm.
The networks that join rooms (the access network, the backup links, the
intranet's and the lab's) become attachable overlays, internal where they
are internal on one engine; the SAN and the room networks stay bridges on
their room's engine. Each room names the address its published ports
listen on (`rooms.<room>.address`), where users reach what stands there.
Overlays are swarm-scoped: they are declared through the engine of a
manager that stands (the first room not lost), and outlive any one host.
"""

from __future__ import annotations

from collections.abc import Sequence

from infra.docker_hosts import LOOPBACK
from infra.errors import ConfigError
from infra.room_specs import RoomSpec

HOSTING = "hosting"
KEY = f"hospital-drp:{HOSTING}"
SHARED, SWARM = "shared", "swarm"
MODES = (SHARED, SWARM)


def load_hosting(raw: object, rooms: Sequence[RoomSpec]) -> str:
    """Check `hospital-drp:hosting` against the rooms and return the mode.

    shared: every room on one engine, and no room address (they all publish
    on 127.0.0.1). swarm: every room on a host of its own, each with an
    address of its own. Raises ConfigError naming the key and the fix.
    """
    mode = SHARED if raw is None else raw
    if mode not in MODES:
        raise ConfigError(
            f"{KEY} {mode!r} is not one of {', '.join(MODES)}", f"set `{KEY}: shared` or `swarm`"
        )
    if mode == SHARED:
        _check_shared(rooms)
    else:
        _check_swarm(rooms)
    return str(mode)


def _check_shared(rooms: Sequence[RoomSpec]) -> None:
    hosts = sorted({room.docker_host for room in rooms})
    if len(hosts) > 1:
        raise ConfigError(
            f"{KEY} is {SHARED} (the default), but the rooms name {len(hosts)} Docker hosts: "
            f"{', '.join(hosts)}",
            f"give every room the same docker_host, or set `{KEY}: {SWARM}` to put each room on its own host",
        )
    addressed = [room.name for room in rooms if room.address]
    if addressed:
        raise ConfigError(
            f"hospital-drp:rooms.{addressed[0]}.address is set, but {KEY} is {SHARED}: rooms on one engine "
            f"publish on {LOOPBACK}",
            f"remove it, or set `{KEY}: {SWARM}`",
        )


def _check_swarm(rooms: Sequence[RoomSpec]) -> None:
    if len(rooms) < 3:
        raise ConfigError(
            f"{KEY} is {SWARM} with {len(rooms)} rooms: a swarm of fewer than three managers "
            "loses its quorum with any one room",
            "list at least three rooms, each on its own host",
        )
    seen: dict[str, str] = {}
    for room in rooms:
        key = f"hospital-drp:rooms.{room.name}"
        if room.docker_host in seen:
            raise ConfigError(
                f"{key}.docker_host is {room.docker_host}, the host of room {seen[room.docker_host]}: with "
                f"{KEY} {SWARM} each room is a host of its own",
                "give each room its own docker_host (`drill hosts up` makes three on this machine)",
            )
        seen[room.docker_host] = room.name
        if not room.address:
            raise ConfigError(
                f"{key}.address is missing: with {KEY} {SWARM} users reach each room at its host's address",
                f"set {key}.address to the IP address of its host, e.g. 10.231.0.1",
            )
    addresses = [room.address for room in rooms]
    twice = sorted({a for a in addresses if addresses.count(a) > 1})
    if twice:
        raise ConfigError(
            f"two rooms have the address {twice[0]}", "give each room the address of its own host"
        )
