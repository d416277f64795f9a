"""The stack configuration, read once and checked into typed, frozen specs.

Everything placement-related comes from here: which rooms exist, on which
Docker host each runs, and where each service is placed. Bad values raise
ConfigError naming the key and the fix; nothing is deployed then.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from drill.errors import ConfigError

LOCAL_ENGINE = "unix:///var/run/docker.sock"
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_HOST = re.compile(r"^(unix|tcp|ssh)://\S+$")


@dataclass(frozen=True)
class RoomSpec:
    """One machine room: a failure domain with its own Docker provider."""

    name: str
    site: str
    docker_host: str


@dataclass(frozen=True)
class IntranetSpec:
    """The redundant intranet: replicas in distinct rooms behind one balancer."""

    replica_rooms: tuple[str, ...]
    balancer_room: str
    port: int


@dataclass(frozen=True)
class StackSpec:
    """Everything the Pulumi program needs to know, checked."""

    stack: str
    rooms: tuple[RoomSpec, ...]
    intranet: IntranetSpec

    @property
    def prefix(self) -> str:
        """Prefix of every Docker object's name, so stacks never collide."""
        return f"hdrp-{self.stack}"

    def room(self, name: str) -> RoomSpec:
        """Return the room called name (the spec was checked: it exists)."""
        return next(room for room in self.rooms if room.name == name)


def load_stack_spec(stack: str, raw: Mapping[str, object]) -> StackSpec:
    """Check the stack's `hospital-drp:*` config values and build the spec.

    raw maps config keys without namespace (`rooms`, `intranet`) to the
    values Pulumi parsed from YAML. Raises ConfigError on any bad value.
    """
    if not _NAME.match(stack):
        raise ConfigError(f"stack name {stack!r} is not a lower-case name", "use e.g. `gameday` or `ci`")
    unknown = sorted(set(raw) - {"rooms", "intranet"})
    if unknown:
        raise ConfigError(
            f"unknown config key hospital-drp:{unknown[0]} in Pulumi.{stack}.yaml",
            "remove it; known keys are hospital-drp:rooms and hospital-drp:intranet",
        )
    rooms = _rooms(_mapping(raw.get("rooms"), "hospital-drp:rooms"))
    intranet = _intranet(_mapping(raw.get("intranet"), "hospital-drp:intranet"), rooms)
    return StackSpec(stack=stack, rooms=rooms, intranet=intranet)


def _rooms(raw: Mapping[str, object]) -> tuple[RoomSpec, ...]:
    if not raw:
        raise ConfigError("hospital-drp:rooms lists no room", "list the rooms, e.g. nord-1, nord-2, bellevue")
    rooms = []
    for name, value in raw.items():
        key = f"hospital-drp:rooms.{name}"
        if not _NAME.match(name):
            raise ConfigError(f"{key}: room name {name!r} is not a lower-case name", "use e.g. `nord-1`")
        fields = _mapping(value, key)
        extra = sorted(set(fields) - {"site", "docker_host"})
        if extra:
            raise ConfigError(
                f"{key}: unknown field {extra[0]!r}", "a room has only `site` and `docker_host`"
            )
        host = _text(fields.get("docker_host", LOCAL_ENGINE), f"{key}.docker_host")
        if not _HOST.match(host):
            raise ConfigError(
                f"{key}.docker_host {host!r} is not a Docker host address",
                f"use unix://, tcp:// or ssh://, e.g. {LOCAL_ENGINE}",
            )
        rooms.append(
            RoomSpec(name=name, site=_text(fields.get("site", name), f"{key}.site"), docker_host=host)
        )
    return tuple(rooms)


def _intranet(raw: Mapping[str, object], rooms: tuple[RoomSpec, ...]) -> IntranetSpec:
    known = [room.name for room in rooms]
    replicas = raw.get("replicas", [])
    if not isinstance(replicas, list) or not all(isinstance(r, str) for r in replicas):
        raise ConfigError(
            "hospital-drp:intranet.replicas is not a list of room names", "e.g. [nord-2, bellevue]"
        )
    if len(replicas) < 2 or len(set(replicas)) != len(replicas):
        raise ConfigError(
            "hospital-drp:intranet.replicas needs at least two distinct rooms",
            "place each replica in its own room, e.g. [nord-2, bellevue]",
        )
    balancer = _text(raw.get("balancer"), "hospital-drp:intranet.balancer")
    for field, room in [*(("replicas", r) for r in replicas), ("balancer", balancer)]:
        if room not in known:
            raise ConfigError(
                f"hospital-drp:intranet.{field} names unknown room {room!r}",
                f"use one of the rooms in hospital-drp:rooms: {', '.join(known)}",
            )
    port = raw.get("port")
    if not isinstance(port, int) or isinstance(port, bool) or not 1024 <= port <= 65535:
        raise ConfigError(
            f"hospital-drp:intranet.port {port!r} is not a port number from 1024 to 65535",
            "set e.g. `port: 18080`",
        )
    return IntranetSpec(replica_rooms=tuple(replicas), balancer_room=balancer, port=port)


def _mapping(value: object, key: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{key} is missing or not a mapping", f"set {key} in the stack's Pulumi.<stack>.yaml"
        )
    return value


def _text(value: object, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{key} is missing or not a string", f"set {key} to a non-empty string")
    return value
