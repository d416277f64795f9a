"""Judging storage damage from where the services stand, never from the storage's own health.

The storage layer of a room (its array and its mail store) is lost when no
service that depends on it can use it through its own path for longer than
the plan's grace period: the booking app and the lab gateway each run a
query with their own credentials, timeouts and SAN (`--storage-check`),
the mail front an LMTP exchange with the store (`lmtp-check`). Killed,
frozen, cut off while alive or slowed until useless all look the same from
there, whatever the containers' health checks say. Storage that answers
again within the grace was a blip: no disaster, nothing changes.
"""

from __future__ import annotations

import time

from drill.engines import host_answers
from drill.records.plan import Damage, Sighting
from drill.recovery.context import Recovery
from infra.hosting import SWARM

POLL_S = 1.0
# part of the storage layer -> (service, tier, command) of each dependent that can try it its own way
PROBES: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "database": (
        ("appointments", "app", ("python3", "-m", "services.appointments.appointments", "--storage-check")),
        ("lab", "app", ("python3", "-m", "services.lab_gateway.gateway", "--storage-check")),
    ),
    "mail store": (("mail", "app", ("lmtp-check",)),),
}


def judged_by(grace_s: float, probe_timeout_s: float) -> str:
    """How the damage is judged, in one sentence for the report."""
    tries = "; ".join(
        f"the {part}: "
        + ", ".join(f"{' '.join(argv)} in {service}'s {tier} container" for service, tier, argv in p)
        for part, p in PROBES.items()
    )
    return (
        f"from where the services stand, each try bounded by {probe_timeout_s:g} s ({tries}); "
        f"lost when no service can use a part for {grace_s:g} s, whatever the storage's own health says; "
        f"a room is lost when none of its containers runs for {grace_s:g} s"
    )


def look(rec: Recovery, probe_timeout_s: float) -> tuple[Sighting, ...]:
    """Try every part of the storage once from every dependent that runs."""
    sightings = []
    for part, probes in PROBES.items():
        tried = False
        for service, tier, argv in probes:
            for info in rec.tier(service, tier):
                if rec.health(info).is_down:
                    continue
                tried = True
                code, output = rec.run(info, "timeout", f"{probe_timeout_s:g}", *argv)
                detail = output.splitlines()[-1] if output else f"no answer within {probe_timeout_s:g} s"
                sightings.append(Sighting(part=part, seen_from=info.name, ok=code == 0, detail=detail))
        if not tried:
            sightings.append(Sighting(part=part, detail=f"no service that uses the {part} runs"))
    return tuple(sightings)


def usable(sightings: tuple[Sighting, ...]) -> dict[str, bool]:
    """Per part: whether at least one dependent could use it."""
    parts: dict[str, bool] = {}
    for sighting in sightings:
        parts[sighting.part] = parts.get(sighting.part, False) or sighting.ok
    return parts


def rooms_down(rec: Recovery) -> tuple[str, ...]:
    """The machine rooms that hold containers of the stack of which none runs (their engine's view);
    across a swarm, those whose host does not answer from outside (engines.host_answers), whatever
    its engine says of the containers it still runs, cut off."""
    down = []
    swarm = rec.topology.hosting == SWARM
    for room in rec.topology.machine_rooms():
        held = [c for c in rec.topology.containers() if c.room == room.name]
        if not held:
            continue
        if (swarm and not host_answers(room)) or all(rec.health(c).is_down for c in held):
            down.append(room.name)
    return tuple(down)


def judge(rec: Recovery, room: str) -> Damage:
    """Look until every service can use every part and every room runs (no disaster), or until a
    part no service can use, or a room, stays so for the grace (lost).

    A part that some services can use and others cannot for the grace is no storage loss (the
    others' own paths are at fault); the plan then changes nothing and says who could not.
    """
    spec = rec.plan.damage
    how = judged_by(spec.grace_s, spec.probe_timeout_s)
    failing_since: float | None = None  # the loss clock: a part nobody can use, or a room down
    seen_since: float | None = None  # since when any service was seen failing at all
    while True:
        tried_at = time.monotonic()
        sightings = look(rec, spec.probe_timeout_s)
        parts = usable(sightings)
        down = rooms_down(rec)
        now = time.monotonic()
        if all(s.ok for s in sightings) and not down:
            return _answers(
                room, how, spec.grace_s, sightings, None if seen_since is None else now - seen_since
            )
        seen_since = tried_at if seen_since is None else seen_since
        if all(parts.values()) and not down:
            if now - seen_since >= spec.grace_s:
                failed = ", ".join(sorted({s.seen_from for s in sightings if not s.ok}))
                summary = (
                    f"the storage of {room} answers some of the services that use it but not {failed},"
                    f" for {spec.grace_s:g} s: no storage loss, nothing changed"
                )
                return Damage(
                    room=room, summary=summary, judged_by=how, grace_s=spec.grace_s, evidence=sightings
                )
        else:
            failing_since = tried_at if failing_since is None else failing_since
            if now - failing_since >= spec.grace_s:
                return _lost(room, parts, down, round(now - failing_since, 1), how, spec.grace_s, sightings)
        time.sleep(POLL_S)


def _answers(
    room: str, how: str, grace_s: float, sightings: tuple[Sighting, ...], seen_for: float | None
) -> Damage:
    """No disaster: every service uses every part; after a blip, say how long it was seen."""
    if seen_for is None:
        summary = f"the storage of {room} answers the services that use it: no disaster, nothing changed"
        return Damage(room=room, summary=summary, judged_by=how, grace_s=grace_s, evidence=sightings)
    after = round(seen_for, 1)
    summary = (
        f"the storage of {room} answers again after {after:g} s, within the grace of "
        f"{grace_s:g} s: no disaster, nothing changed"
    )
    return Damage(
        room=room,
        summary=summary,
        judged_by=how,
        grace_s=grace_s,
        unusable_for_s=after,
        answered_again_after_s=after,
        evidence=sightings,
    )


def _lost(
    room: str,
    parts: dict[str, bool],
    down: tuple[str, ...],
    unusable_for: float,
    how: str,
    grace_s: float,
    sightings: tuple[Sighting, ...],
) -> Damage:
    unusable = ", ".join(part for part, ok in parts.items() if not ok)
    said = []
    if down:
        said.append(f"{' and '.join(down)} lost entire: none of its containers ran for {unusable_for:g} s")
    storage_lost = bool(unusable) or room in down
    if unusable:
        said.append(
            f"the storage of {room} is lost: no service could use its {unusable} for {unusable_for:g} s"
        )
    elif room in down:
        said.append(f"the storage of {room} is lost with its room")
    return Damage(
        room=room,
        lost=True,
        summary="; ".join(said),
        judged_by=how,
        grace_s=grace_s,
        unusable_for_s=unusable_for,
        evidence=sightings,
        storage_lost=storage_lost,
        lost_rooms=down,
    )
