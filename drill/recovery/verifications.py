"""The verifications of the recovery plan: each looks, changes nothing, and says what it saw.

A verification is polled until it passes or its step's timeout runs out.
Those that prove a service back through its own protocol, and time its
recovery, are in drill/recovery/proofs.py: each writes once per step.
"""

from __future__ import annotations

from collections.abc import Callable

from drill.checks import check_stack
from drill.recovery.actions import DEPENDENTS, lab_health, mail_queue
from drill.recovery.context import Recovery, Verdict
from drill.recovery.proofs import PROOFS, Check
from infra.topology import ContainerInfo


def vault_can_restore(rec: Recovery) -> Verdict:
    """The vault holds a base backup and WAL, and its mail copy is there; else say what cannot be restored."""
    if rec.already_recovered:
        return Verdict(True, "already recovered")
    if rec.damage is not None and not rec.damage.lost:
        return Verdict(True, "no disaster: nothing to restore")
    if not rec.storage_lost():
        return Verdict(True, "the storage was not lost: nothing to restore from the vault")
    [vault] = rec.topology.service("vault").containers
    [copy] = [c for c in rec.topology.service("mail").containers if c.tier == "backup"]
    missing = []
    code, status = rec.run(vault, "cat", "/vault/status.json")
    if code != 0 or '"base_backups": []' in status:
        seen = status if code != 0 else "no base backup"
        missing.append(f"the appointments and labresults databases (vault {vault.name}: {seen})")
    code, output = rec.run(copy, "ls", "/var/mail")
    if code != 0:
        missing.append(f"the mail store's mailboxes (vault copy {copy.name}: {output})")
    if missing:
        return Verdict(False, "cannot restore " + "; ".join(missing), cannot_restore=tuple(missing))
    return Verdict(True, f"{vault.name} holds base backups and WAL; {copy.name} holds the mailboxes")


def dependents_stopped(rec: Recovery) -> Verdict:
    """Nothing that depends on the dead storage is running (or the storage is already recovered)."""
    if rec.already_recovered:
        return Verdict(True, "storage recovered: dependents run")
    if not rec.storage_lost():
        return Verdict(True, "the storage answers: what depends on it goes on")
    running = [
        info.name
        for service, tier in DEPENDENTS
        for info in rec.tier(service, tier)
        if info.room not in rec.beyond_reach() and not rec.health(info).is_down
    ]
    return Verdict(not running, f"still running: {', '.join(running)}" if running else "all stopped")


def takes_writes(rec: Recovery, array: ContainerInfo) -> tuple[bool, str]:
    """Whether the array is promoted and takes writes (its recovery over), and what it answered."""
    code, answer = rec.run(array, "psql", "-Atc", "SELECT NOT pg_is_in_recovery()", user="postgres")
    return code == 0 and answer == "t", answer or str(code)


def storage_answers(rec: Recovery) -> Verdict:
    """The array (promoted, taking writes) and the mail store of the spare room answer."""
    array, store = rec.storage("storage"), rec.storage("mail")
    promoted, answer = takes_writes(rec, array)
    store_health = rec.health(store)
    ok = promoted and store_health.is_healthy
    return Verdict(ok, f"{array.name} takes writes: {answer}; {store.name} {store_health}")


def databases_restored(rec: Recovery) -> Verdict:
    """Both databases are on the new array, with their rows (nothing to check when it was not lost)."""
    if not rec.storage_lost():
        return Verdict(True, "the storage was not lost: nothing restored")
    array = rec.storage("storage")
    counts = []
    queries = (
        ("appointments", "SELECT count(*) FROM appointments"),
        ("labresults", "SELECT count(*) FROM results"),
    )
    for database, query in queries:
        code, answer = rec.run(array, "psql", "-d", database, "-Atc", query, user="postgres")
        if code != 0:
            # Once promoted the array has replayed all it ever will: what it lacks stays missing.
            final = "does not exist" in answer and takes_writes(rec, array)[0]
            return Verdict(False, f"{database}: {answer}", final)
        counts.append(f"{database}: {answer} rows")
    return Verdict(True, ", ".join(counts))


def mail_store_restored(rec: Recovery) -> Verdict:
    """The new mail store holds at least the mailboxes it restored from the vault's copy, and answers."""
    if not rec.storage_lost():
        return Verdict(True, "the storage was not lost: nothing restored")
    store = rec.storage("mail")
    found = rec.container(store)
    logged = found.logs().decode(errors="replace") if found is not None else ""
    restored = [line.split()[2] for line in logged.splitlines() if line.startswith("mailstore: restored ")]
    code, here = rec.run(store, "bash", "-c", "find /var/mail/*.* -mindepth 1 -maxdepth 1 -type d | wc -l")
    ok = code == 0 and bool(restored) and here.isdigit() and int(here) >= int(restored[-1])
    seen = restored[-1] if restored else "none"
    return Verdict(ok and rec.health(store).is_healthy, f"{store.name}: {here} mailboxes, {seen} restored")


def services_healthy(rec: Recovery) -> Verdict:
    """Every container of the topology runs healthy and every health URL answers 200."""
    failed = [f"{c.subject} ({c.seen})" for c in check_stack(rec.topology) if not c.ok]
    return Verdict(not failed, "not yet: " + ", ".join(failed[:4]) if failed else "every container healthy")


def lab_journal_empty(rec: Recovery) -> Verdict:
    """The gateway delivers, and nothing waits in its journal."""
    health = lab_health(rec)
    ok = health.get("delivering") is True and health.get("pending") == 0
    return Verdict(ok, f"delivering: {health.get('delivering')}, waiting: {health.get('pending')}")


def mail_queue_empty(rec: Recovery) -> Verdict:
    """Postfix's queue is empty: every accepted message is delivered."""
    queued = mail_queue(rec)
    return Verdict(not queued, f"{len(queued)} messages queued")


def _looks(verification: Callable[[Recovery], Verdict]) -> Callable[[Recovery], Check]:
    """A verification that only looks: each poll asks it again."""

    def begin(rec: Recovery) -> Check:
        return lambda: verification(rec)

    return begin


# verification name -> what makes the check a step polls (made once per step)
VERIFICATIONS: dict[str, Callable[[Recovery], Check]] = {
    **{
        f.__name__: _looks(f)
        for f in (
            vault_can_restore,
            dependents_stopped,
            storage_answers,
            databases_restored,
            mail_store_restored,
            services_healthy,
            lab_journal_empty,
            mail_queue_empty,
        )
    },
    **PROOFS,
}
