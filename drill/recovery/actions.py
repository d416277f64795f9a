"""The actions of the recovery plan: each changes one thing and says whether it did.

Every action is idempotent: run on a stack already recovered, it finds
nothing to do and says so (`changed` false). Verifications live in
drill/recovery/verifications.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from drill import stack as stacks
from drill.errors import RecoveryError
from drill.recovery import surgery
from drill.recovery.context import Outcome, Recovery
from drill.recovery.damage import judge
from drill.recovery.placement import place
from drill.workload import clients
from drill.workspace import write_recovery
from infra.hosting import SWARM
from infra.placement import RecoverySpec

log = logging.getLogger(__name__)

# What depends on the dead storage and is stopped on purpose: (service, tier).
DEPENDENTS = (("appointments", "app"), ("mail", "edge"))


def assess_damage(rec: Recovery) -> Outcome:
    """Judge from where the services stand what is lost (drill/recovery/damage.py) and place,
    by rule, what it held in surviving rooms (drill/recovery/placement.py).

    On a stack the plan already recovered where nothing more is lost, note it
    (every later step then finds nothing to do). When nothing is lost, or it
    answers again within the grace, the plan ends there: no disaster,
    nothing changed. Raises RecoveryError naming what no surviving room can take.
    """
    array = rec.storage("storage")
    rec.damage = damage = judge(rec, array.room)
    if rec.topology.recovered and not damage.lost:
        rec.already_recovered = True
        return Outcome(False, f"already recovered (storage in {array.room}): {damage.summary}")
    if not damage.lost:
        return Outcome(False, damage.summary)
    # What an earlier recovery declared lost stays lost (the topology carries it).
    lost_rooms = {*damage.lost_rooms, *rec.topology.lost_rooms}
    lost_storage = {*((array.room,) if damage.storage_lost else ()), *rec.topology.lost_storage}
    placing = place(rec.topology, lost_rooms, lost_storage)
    order = [room.name for room in rec.topology.machine_rooms()]
    rec.recovery = RecoverySpec(
        placing.layout,
        tuple(r for r in order if r in lost_rooms),
        tuple(r for r in order if r in lost_storage),
        rec.without_partial,
    )
    said = [damage.summary, "the plan places " + "; ".join(map(str, placing.moves)), *placing.warnings]
    return Outcome(True, "; ".join(said))


def stop_dependents(rec: Recovery) -> Outcome:
    """Stop what depends on the dead storage (bookings, IMAP), as the hospital did on purpose."""
    if rec.already_recovered or not rec.storage_lost():
        return Outcome(False, "nothing to stop: the storage answers")
    stopped = []
    for service, tier in DEPENDENTS:
        for info in rec.tier(service, tier):
            if info.room in rec.beyond_reach():
                continue  # on a lost host: cut off already, and fenced when it comes back
            found = rec.container(info)
            if found is not None and found.status == "running":
                found.stop(timeout=3)
                stopped.append(info.name)
    return Outcome(bool(stopped), f"stopped {', '.join(stopped)}" if stopped else "already stopped")


def recreate_storage(rec: Recovery) -> Outcome:
    """Fence what was lost, write the new placement, and deploy the new storage alone with Pulumi
    (restored from the vault) when the storage was lost."""
    if rec.recovery is not None:
        fenced = fence(rec)
        log.info(f"fenced what was lost: {', '.join(fenced) or 'nothing left to fence'}")
        write_recovery(rec.paths, rec.stack, rec.recovery)
        taken = take_out_lost_hosts(rec)
        if taken:
            log.info(f"took the lost hosts out of the stack's state: {len(taken)} resources")
        if not rec.storage_lost():
            room = rec.recovery.placement.storage
            return Outcome(
                True, f"placement written; the storage of {room} was not lost: nothing to re-create"
            )
    room = rec.recovery.placement.storage if rec.recovery else rec.storage("storage").room
    urns = list(rec.topology.room(room).storage_urns)
    if not urns:
        raise RecoveryError(
            f"the topology names no storage resources for {room}", "run `drill up` once to refresh it"
        )
    result = stacks.up(rec.paths, rec.stack, only=urns)
    rec.topology = result.topology
    return Outcome(result.changed or rec.recovery is not None, _changes(result, f"storage in {room}"))


def fence(rec: Recovery) -> list[str]:
    """Remove for good the lost storage's containers and every container of a lost room
    (their volumes stay until Pulumi deletes them).

    What was lost must never come back (a restart, a rollback, power back
    on): a second array would split what is written, a second app would
    claim the same addresses.
    """
    lost_rooms = rec.recovery.lost_rooms if rec.recovery else ()
    doomed = [c for c in rec.topology.containers() if c.room in lost_rooms]
    if rec.storage_lost():
        doomed += [rec.storage("storage"), rec.storage("mail")]
    doomed = [c for c in doomed if c.room not in rec.beyond_reach()]
    fenced = []
    for info in dict.fromkeys(doomed):
        found = rec.container(info)
        if found is not None:
            found.remove(force=True)
            fenced.append(info.name)
    return fenced


def take_out_lost_hosts(rec: Recovery) -> list[str]:
    """Across a swarm, take the lost rooms' hosts out of the stack's state (drill/recovery/surgery.py),
    the swarm's provider re-pointed at the first room that stands; return the URNs taken out."""
    lost = rec.recovery.lost_rooms if rec.recovery else ()
    if rec.topology.hosting != SWARM or not lost:
        return []
    standing = next(room.docker_host for room in rec.topology.machine_rooms() if room.name not in lost)
    return surgery.take_out_lost_hosts(rec.paths, rec.stack, lost, standing)


def report_database_restore(rec: Recovery) -> Outcome:
    """Tell what the new array restored from the vault (its start-up log says it)."""
    return _restore_lines(rec, "storage", "restore-from-vault:")


def report_mail_restore(rec: Recovery) -> Outcome:
    """Tell what the new mail store took from the vault's copy (its start-up log says it)."""
    return _restore_lines(rec, "mail", "mailstore: restored")


def repoint_services(rec: Recovery) -> Outcome:
    """Deploy the whole stack: the apps, the vault and the mail front follow the new array."""
    result = stacks.up(rec.paths, rec.stack)
    rec.topology = result.topology
    return Outcome(result.changed, _changes(result, "services re-pointed"))


def flush_lab_journal(rec: Recovery) -> Outcome:
    """The gateway delivers its journal by itself, STAT first; say how much waits."""
    health = lab_health(rec)
    waiting = int(str(health.get("pending", 0)))
    return Outcome(waiting > 0, f"{waiting} results waiting in the gateway's journal, STAT first")


def flush_mail_queue(rec: Recovery) -> Outcome:
    """Ask Postfix to deliver its deferred messages now (`postqueue -f`)."""
    [front] = rec.tier("mail", "app")
    waiting = len(mail_queue(rec))
    code, output = rec.run(front, "postqueue", "-f")
    if code != 0:
        raise RecoveryError(f"postqueue -f failed in {front.name}: {output}", "look at the mail front's log")
    return Outcome(waiting > 0, f"{waiting} messages were queued; flush asked")


ACTIONS: dict[str, Callable[[Recovery], Outcome]] = {
    f.__name__: f
    for f in (
        assess_damage,
        stop_dependents,
        recreate_storage,
        report_database_restore,
        report_mail_restore,
        repoint_services,
        flush_lab_journal,
        flush_mail_queue,
    )
}


def lab_health(rec: Recovery) -> dict[str, object]:
    """The lab gateway's /health answer."""
    url = rec.topology.service("lab").health_url
    status, body = clients.http_json("GET", url, tls=clients.tls_context(rec.topology.tls_ca))
    if status != 200 or not isinstance(body, dict):
        raise RecoveryError(f"the lab gateway's health answered HTTP {status}", "look at the gateway's log")
    return body


def mail_queue(rec: Recovery) -> list[dict[str, object]]:
    """The messages in the mail front's Postfix queue (`postqueue -j`)."""
    [front] = rec.tier("mail", "app")
    code, output = rec.run(front, "postqueue", "-j")
    if code != 0:
        raise RecoveryError(f"cannot read the mail queue of {front.name}: {output}", "look at its log")
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def _restore_lines(rec: Recovery, service: str, marker: str) -> Outcome:
    if not rec.storage_lost():
        return Outcome(False, "the storage was not lost: nothing to restore")
    info = rec.storage(service)
    found = rec.container(info)
    if found is None:
        raise RecoveryError(f"{info.name} does not exist", "run the recreate-storage step first")
    lines = [line for line in found.logs().decode(errors="replace").splitlines() if line.startswith(marker)]
    if not lines:
        raise RecoveryError(
            f"{info.name} did not restore from the vault (no `{marker}` line in its log)",
            "it started from an empty volume: remove it and run the plan again",
        )
    return Outcome(not rec.already_recovered, lines[-1])


def _changes(result: stacks.UpResult, what: str) -> str:
    changes = (
        ", ".join(f"{op} {n}" for op, n in sorted(result.changes.items()) if op != "same") or "no change"
    )
    return f"{what}: {changes} in {result.seconds:.1f} s"
