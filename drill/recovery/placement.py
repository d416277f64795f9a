"""Where the recovery plan places what a lost domain held: by rule, and why.

The rule, for every part that stood in a lost room (or on lost storage):
never a lost room; only a room whose `takes` lists the tier the part needs;
the storage not in the vault's room (nor the vault in the storage's) when
another room can take it, so that the data stays in two rooms; the booking
app, the lab gateway and the mail front beside the storage, whose SAN they
use; the intranet's replicas and balancers each in a room of their own.
Rooms are tried in the stack config's order. When no room can take a part
the plan refuses, naming the part and why each room cannot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from drill.errors import RecoveryError
from infra.placement import PARTS, Layout
from infra.topology import RoomInfo, Topology

APPS = ("appointments", "lab", "mail")


@dataclass(frozen=True)
class Move:
    """One part placed in another room, and why that room."""

    part: str
    from_room: str
    to_room: str
    why: str

    def __str__(self) -> str:
        return f"{self.part}: {self.from_room} -> {self.to_room} ({self.why})"


@dataclass(frozen=True)
class Placing:
    """The layout after the moves, the moves, and what the layout leaves unprotected."""

    layout: Layout
    moves: tuple[Move, ...]
    warnings: tuple[str, ...] = ()


def current_layout(topology: Topology) -> Layout:
    """Where every part stands, read from the topology's containers."""

    def room(service: str, tier: str) -> str:
        return next(c.room for c in topology.service(service).containers if c.tier == tier)

    intranet = topology.service("intranet").containers
    return Layout(
        storage=room("storage", "storage"),
        vault=room("vault", "backup"),
        appointments=room("appointments", "app"),
        lab=room("lab", "app"),
        mail=room("mail", "app"),
        replicas=tuple(c.room for c in intranet if c.tier == "app"),
        balancers=tuple(c.room for c in intranet if c.tier == "edge"),
    )


def place(topology: Topology, lost_rooms: set[str], lost_storage: set[str]) -> Placing:
    """Place every part that stood in a lost room (the storage also on lost storage).

    Raises RecoveryError naming the part no surviving room can take, and why.
    """
    layout = current_layout(topology)
    rooms = topology.machine_rooms()
    moves: list[Move] = []
    warnings: list[str] = []

    def move(part: str, avoid: str = "", avoid_why: str = "", prefer: str = "") -> None:
        nonlocal layout
        before = layout.room_of(part)
        extra = _storage_lost(lost_storage) if part == "storage" else _nothing
        chosen, why = _choose(part, PARTS[part], rooms, lost_rooms, extra, prefer, avoid, avoid_why)
        layout = layout.moved(part, chosen)
        moves.append(Move(part, before, chosen, why))
        if avoid and chosen == avoid:
            warnings.append(f"the {part} and the {avoid_why} both stand in {chosen}: one room holds the data")

    if layout.storage in lost_rooms | lost_storage:
        move("storage", avoid=layout.vault, avoid_why="vault")
    if layout.vault in lost_rooms:
        move("vault", avoid=layout.storage, avoid_why="storage")
    for app in APPS:
        if layout.room_of(app) in lost_rooms:
            move(app, prefer=layout.storage)
    layout, intranet_moves = _intranet(layout, rooms, lost_rooms)
    return Placing(layout, (*moves, *intranet_moves), tuple(warnings))


def _choose(
    part: str,
    tier: str,
    rooms: tuple[RoomInfo, ...],
    lost_rooms: set[str],
    extra: Callable[[RoomInfo], str],
    prefer: str,
    avoid: str,
    avoid_why: str,
) -> tuple[str, str]:
    """The room `prefer` when it can take part, else the first that can and is not `avoid`;
    raise RecoveryError when none can."""
    able = _able(part, tier, rooms, lambda room: _cannot(room, tier, lost_rooms) or extra(room))
    if prefer in able:
        return prefer, f"beside the storage, whose SAN it uses ({prefer})"
    preferred = [name for name in able if name != avoid]
    if preferred:
        why = f"a surviving room that takes {tier}"
        return preferred[0], why + (
            f", not the {avoid_why}'s room ({avoid}): the data stays in two rooms" if avoid else ""
        )
    return able[0], f"the only surviving room that takes {tier}"


def _cannot(room: RoomInfo, tier: str, lost_rooms: set[str]) -> str:
    if room.name in lost_rooms:
        return "is lost"
    if tier not in room.takes:
        return f"does not take {tier} (its takes: {', '.join(room.takes) or 'nothing'})"
    return ""


def _storage_lost(lost_storage: set[str]) -> Callable[[RoomInfo], str]:
    return lambda room: "lost its storage" if room.name in lost_storage else ""


def _nothing(room: RoomInfo) -> str:
    return ""


def _able(part: str, tier: str, rooms: tuple[RoomInfo, ...], why_not: Callable[[RoomInfo], str]) -> list[str]:
    """The rooms that can take part, in order; raise RecoveryError naming why each cannot when none can."""
    reasons = {room.name: why_not(room) for room in rooms}
    able = [name for name, reason in reasons.items() if not reason]
    if not able:
        told = "; ".join(f"{name} {reason}" for name, reason in reasons.items())
        raise RecoveryError(
            f"no surviving room can take the {part}: {told}",
            f"add `{tier}` to the `takes` of a surviving room in the stack config, or bring a room back",
        )
    return able


def _not_twice(tier: str, lost_rooms: set[str], taken: set[str], kind: str) -> Callable[[RoomInfo], str]:
    """Why a room cannot take one more of a kind that must stand one per room."""
    return lambda room: (
        _cannot(room, tier, lost_rooms) or (f"holds another {kind}" if room.name in taken else "")
    )


def _intranet(layout: Layout, rooms: tuple[RoomInfo, ...], lost_rooms: set[str]) -> tuple[Layout, list[Move]]:
    """Replicas and balancers in lost rooms, each into a surviving room that holds no other of its kind."""
    moves: list[Move] = []
    placed = {"replicas": list(layout.replicas), "balancers": list(layout.balancers)}
    for kind, tier in (("replicas", "app"), ("balancers", "edge")):
        for n, room in enumerate(placed[kind]):
            if room not in lost_rooms:
                continue
            part = f"intranet {kind[:-1]} {n + 1}"
            why_not = _not_twice(tier, lost_rooms, set(placed[kind]), f"intranet {kind[:-1]}")
            able = _able(part, tier, rooms, why_not)
            placed[kind][n] = able[0]
            moves.append(Move(part, room, able[0], f"a surviving room that takes {tier} and holds no other"))
    return Layout(
        layout.storage,
        layout.vault,
        layout.appointments,
        layout.lab,
        layout.mail,
        tuple(placed["replicas"]),
        tuple(placed["balancers"]),
    ), moves
