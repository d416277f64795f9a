"""The machine rooms of the stack config (`hospital-drp:rooms`), checked into RoomSpecs."""

from __future__ import annotations

from dataclasses import dataclass

from infra.config_section import NAME, ensure_mapping
from infra.docker_hosts import LOCAL_ENGINE, LOOPBACK, ensure_address, ensure_docker_host
from infra.errors import ConfigError
from infra.labels import TIERS

# What a room can host unless its `takes` says otherwise (the lab tier is the biology platform's).
ROOM_TIERS = tuple(tier for tier in TIERS if tier != "lab")
_FIELDS = {"site", "docker_host", "address", "takes"}


@dataclass(frozen=True)
class RoomSpec:
    """One machine room: a failure domain with its own Docker provider, and the tiers it can host.

    takes is what the recovery plan may place there when another room is
    lost (storage, app, edge, backup); what the config places there itself
    is not limited by it.
    """

    name: str
    site: str
    docker_host: str
    takes: tuple[str, ...] = ROOM_TIERS
    # The address the room's published ports listen on (hosting swarm); "" on one engine: 127.0.0.1.
    address: str = ""

    @property
    def publish_ip(self) -> str:
        """Where users reach the ports published in this room."""
        return self.address or LOOPBACK


def load_rooms(raw: object) -> tuple[RoomSpec, ...]:
    """Check `hospital-drp:rooms` (room name -> its fields) and return the rooms in order.

    Raises ConfigError when it is missing, empty, or a room is misnamed or holds a bad field.
    """
    rooms = ensure_mapping(raw, "hospital-drp:rooms")
    if not rooms:
        raise ConfigError("hospital-drp:rooms lists no room", "list the rooms, e.g. nord-1, nord-2, bellevue")
    return tuple(_room(name, value) for name, value in rooms.items())


def _room(name: str, value: object) -> RoomSpec:
    key = f"hospital-drp:rooms.{name}"
    if not NAME.match(name):
        raise ConfigError(f"{key}: room name {name!r} is not a lower-case name", "use e.g. `nord-1`")
    fields = ensure_mapping(value, key)
    extra = sorted(set(fields) - _FIELDS)
    if extra:
        raise ConfigError(
            f"{key}: unknown field {extra[0]!r}",
            "a room has only `site`, `docker_host`, `address` and `takes`",
        )
    host_key = f"{key}.docker_host"
    host = ensure_docker_host(_text(fields.get("docker_host", LOCAL_ENGINE), host_key), host_key)
    return RoomSpec(
        name=name,
        site=_text(fields.get("site", name), f"{key}.site"),
        docker_host=host,
        takes=_takes(fields.get("takes", list(ROOM_TIERS)), f"{key}.takes"),
        address=ensure_address(fields["address"], f"{key}.address") if "address" in fields else "",
    )


def _takes(value: object, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(tier in ROOM_TIERS for tier in value):
        raise ConfigError(
            f"{key} {value!r} is not a list of tiers",
            f"list what the room can host of {', '.join(ROOM_TIERS)}",
        )
    return tuple(str(tier) for tier in value)


def _text(value: object, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{key} is missing or not a string", f"set {key} to a non-empty string")
    return value
