"""Where each part of the stack stands: as the stack config plans it, or as the recovery plan moved it.

The recovery plan writes a RecoverySpec into this machine's copy of the
stack config (never the committed file): which rooms (or rooms' storage)
it declared lost and the room of every part it placed. The program then
deploys that placement; `drill down` drops it, and the next deploy
follows the plan again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from infra.errors import ConfigError

RECOVERY = "recovery"
KEY = f"hospital-drp:{RECOVERY}"
# Single-room parts the recovery may move, with the tier each needs from its room.
PARTS = {"storage": "storage", "vault": "backup", "appointments": "app", "lab": "app", "mail": "app"}


@dataclass(frozen=True)
class Layout:
    """The room of every part of the stack.

    storage: the array and the mail store; vault: the backup vault and its
    mail copy; mail: the mail front and its IMAP proxy; replicas and
    balancers: the intranet's, one room each, in order.
    """

    storage: str
    vault: str
    appointments: str
    lab: str
    mail: str
    replicas: tuple[str, ...]
    balancers: tuple[str, ...]

    def room_of(self, part: str) -> str:
        """The room of a single-room part (a key of PARTS)."""
        return str(getattr(self, part))

    def moved(self, part: str, room: str) -> Layout:
        """This placement with one single-room part (a key of PARTS) in another room."""
        if part not in PARTS:
            raise ValueError(f"{part!r} is not a single-room part")
        changes: dict[str, str] = {part: room}
        return replace(self, **changes)  # type: ignore[arg-type]

    def rooms_in_use(self) -> set[str]:
        """Every room that holds a part."""
        return {*(self.room_of(p) for p in PARTS), *self.replicas, *self.balancers}


@dataclass(frozen=True)
class RecoverySpec:
    """What the recovery plan declared lost and where it placed everything.

    lost_rooms: rooms lost entire; lost_storage: rooms whose storage layer
    was lost (the room itself may still run apps). The storage restored from
    the vault is the one standing outside its planned room. without_partial
    is the negative control: the restore leaves out the vault's newest,
    partial WAL segment, so the newest commits must be lost.
    """

    placement: Layout
    lost_rooms: tuple[str, ...] = ()
    lost_storage: tuple[str, ...] = ()
    without_partial: bool = False

    def to_config(self) -> dict[str, object]:
        """The plain form written into the machine's copy of the stack config."""
        placed = self.placement
        return {
            "lost_rooms": list(self.lost_rooms),
            "lost_storage": list(self.lost_storage),
            "without_partial": self.without_partial,
            **{f"{part}_room": placed.room_of(part) for part in PARTS},
            "replica_rooms": list(placed.replicas),
            "balancer_rooms": list(placed.balancers),
        }


def load_recovery(raw: object, rooms: Sequence[str], planned: Layout) -> RecoverySpec:
    """Check the recovery section against the stack's rooms and planned placement.

    Raises ConfigError naming the key and the fix: only the recovery plan
    writes this section, so a bad one means a hand edit or another version.
    """
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{KEY} is not a mapping", "run `drill down` to drop it, then `drill up`")
    fields = dict(raw)
    if "array_room" in fields:  # written by earlier versions: only the storage had moved
        fields.setdefault("storage_room", fields.pop("array_room"))
        fields.setdefault("lost_storage", [planned.storage])
    known = {"lost_rooms", "lost_storage", "without_partial", "replica_rooms", "balancer_rooms"}
    known |= {f"{part}_room" for part in PARTS}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise ConfigError(f"{KEY} has unknown field {unknown[0]!r}", "run `drill down`, then `drill up`")
    lost_rooms = _rooms(fields, "lost_rooms", rooms, ())
    lost_storage = _rooms(fields, "lost_storage", rooms, ())
    placement = Layout(
        **{part: _room(fields, f"{part}_room", rooms, planned.room_of(part)) for part in PARTS},
        replicas=_rooms(fields, "replica_rooms", rooms, planned.replicas),
        balancers=_rooms(fields, "balancer_rooms", rooms, planned.balancers),
    )
    without_partial = fields.get("without_partial", False)
    if not isinstance(without_partial, bool):
        raise ConfigError(f"{KEY}.without_partial is not true or false", "set `without_partial: false`")
    spec = RecoverySpec(placement, lost_rooms, lost_storage, without_partial)
    check_recovery(spec, planned)
    return spec


def check_recovery(spec: RecoverySpec, planned: Layout) -> None:
    """Refuse a placement that uses a lost room, stacks the intranet in one room or drops a part."""
    placed = spec.placement
    for part in PARTS:
        room = placed.room_of(part)
        if room in spec.lost_rooms or (part == "storage" and room in spec.lost_storage):
            raise ConfigError(
                f"{KEY}.{part}_room is {room}, which the recovery declared lost",
                "place it in a surviving room: run the recovery plan again",
            )
    for name, rooms, wanted in (
        ("replica_rooms", placed.replicas, planned.replicas),
        ("balancer_rooms", placed.balancers, planned.balancers),
    ):
        if len(rooms) != len(wanted) or len(set(rooms)) != len(rooms) or set(rooms) & set(spec.lost_rooms):
            raise ConfigError(
                f"{KEY}.{name} {list(rooms)} is not {len(wanted)} distinct surviving rooms",
                "place each intranet replica and balancer in its own surviving room",
            )


def _room(fields: Mapping[str, object], key: str, rooms: Sequence[str], default: str) -> str:
    value = fields.get(key, default)
    if value not in rooms:
        raise ConfigError(f"{KEY}.{key} names unknown room {value!r}", f"use one of {', '.join(rooms)}")
    return str(value)


def _rooms(
    fields: Mapping[str, object], key: str, rooms: Sequence[str], default: tuple[str, ...]
) -> tuple[str, ...]:
    value = fields.get(key, list(default))
    if not isinstance(value, list) or not all(v in rooms for v in value):
        raise ConfigError(f"{KEY}.{key} {value!r} is not a list of known rooms", f"use {', '.join(rooms)}")
    return tuple(str(v) for v in value)
