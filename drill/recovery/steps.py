"""The actions of the recovery plan: each changes one thing and says whether it did.

Every action is idempotent: run on a stack already recovered, it finds
nothing to do and says so (`changed` false). Verifications live in
drill/recovery/verifications.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from drill import stack as stacks
from drill.errors import RecoveryError
from drill.recovery.context import Outcome, Recovery
from drill.recovery.damage import judge
from drill.workload import clients
from drill.workspace import read_recovery, write_recovery
from infra.config import RecoverySpec
from infra.program import storage_resources

# What depends on the dead storage and is stopped on purpose: (service, tier).
DEPENDENTS = (("appointments", "app"), ("mail", "edge"))


def assess_damage(rec: Recovery) -> Outcome:
    """Judge, from where the services stand, whether the storage is lost (drill/recovery/damage.py).

    On a stack the plan already recovered whose storage answers, note it
    (every later step then finds nothing to do). When the storage answers,
    or answers again within the grace, the plan ends there: no disaster,
    nothing changed. Raises RecoveryError when the lost storage stands in
    the plan's spare room.
    """
    array = rec.storage("storage")
    rec.damage = damage = judge(rec, array.room)
    recovered = read_recovery(rec.paths, rec.stack)
    if recovered is not None and array.room == recovered.array_room and not damage.lost:
        rec.already_recovered = True
        return Outcome(False, f"storage already recovered into {array.room}: {damage.summary}")
    if not damage.lost:
        return Outcome(False, damage.summary)
    if array.room == rec.plan.spare_room:
        raise RecoveryError(
            f"{damage.summary}, and it stands in the plan's spare room",
            f"set another spare_room in {rec.plan.path.name}",
        )
    rec.lost_room = array.room
    return Outcome(True, f"{damage.summary}; recovering into {rec.plan.spare_room}")


def stop_dependents(rec: Recovery) -> Outcome:
    """Stop what depends on the dead storage (bookings, IMAP), as the hospital did on purpose."""
    if rec.already_recovered:
        return Outcome(False, "nothing to stop: the storage is recovered")
    stopped = []
    for service, tier in DEPENDENTS:
        for info in rec.tier(service, tier):
            found = rec.container(info)
            if found is not None and found.status == "running":
                found.stop(timeout=3)
                stopped.append(info.name)
    return Outcome(bool(stopped), f"stopped {', '.join(stopped)}" if stopped else "already stopped")


def recreate_storage(rec: Recovery) -> Outcome:
    """Place the storage in the spare room (restored from the vault) and deploy it alone with Pulumi."""
    room = rec.storage("storage").room if rec.already_recovered else rec.plan.spare_room
    if not rec.already_recovered:
        fenced = fence_lost_storage(rec)
        rec.console.print(f"fenced the lost storage: {', '.join(fenced) or 'nothing left to fence'}")
        write_recovery(rec.paths, rec.stack, RecoverySpec(room, rec.without_partial))
    targets = [stacks.urn(rec.stack, kind, name) for kind, name in storage_resources(room)]
    result = stacks.up(rec.paths, rec.stack, rec.console, targets=targets)
    rec.topology = result.topology
    return Outcome(result.changed, _changes(result, f"storage in {room}"))


def fence_lost_storage(rec: Recovery) -> list[str]:
    """Remove the lost room's storage containers for good (their volumes stay until Pulumi deletes them).

    Once the storage is re-created elsewhere, the old array must never come
    back (a restart, a rollback): two primaries would split what is written.
    """
    fenced = []
    for info in (rec.storage("storage"), rec.storage("mail")):
        found = rec.container(info)
        if found is not None:
            found.remove(force=True)
            fenced.append(info.name)
    return fenced


def report_database_restore(rec: Recovery) -> Outcome:
    """Tell what the new array restored from the vault (its start-up log says it)."""
    return _restore_lines(rec, "storage", "restore-from-vault:")


def report_mail_restore(rec: Recovery) -> Outcome:
    """Tell what the new mail store took from the vault's copy (its start-up log says it)."""
    return _restore_lines(rec, "mail", "mailstore: restored")


def repoint_services(rec: Recovery) -> Outcome:
    """Deploy the whole stack: the apps, the vault and the mail front follow the new array."""
    result = stacks.up(rec.paths, rec.stack, rec.console)
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


def none(rec: Recovery) -> Outcome:
    """No action: the step only verifies."""
    return Outcome(False, "")


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
        none,
    )
}


def lab_health(rec: Recovery) -> dict[str, object]:
    """The lab gateway's /health answer."""
    url = rec.topology.service("lab").health_url
    status, body = clients.http_json("GET", url)
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
