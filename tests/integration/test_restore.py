"""The vault is enough: a restore from it alone reaches the last acknowledged booking.

The storage array is killed (a hard failure); a scratch PostgreSQL, with no
network, is made from the vault's newest base backup and WAL, opened with the
stack's backup key (the vault holds them sealed: test_backups_at_rest.py). With the
partial WAL segment, every acknowledged booking is there; without it (the
negative control), the newest ones are lost, which shows the check can see loss.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import uuid
from collections.abc import Iterator

import docker.errors
import pytest

from infra.config import BACKUP_IDENTITY
from tests.integration.conftest import Deployed
from tests.integration.engine import client, http, secret_tar, wait_healthy


def book(deployed: Deployed, ref: str, day: str, slot: str, within_s: float = 30.0) -> None:
    """Book until confirmed: just after the array or the vault restarted, a commit waits for the
    vault's receiver to stream again and the app answers 503 (outcome unknown) meanwhile; a retry
    with the same ref is taken once (200 finds the booking an earlier try made)."""
    url = deployed.topology.service("appointments").endpoint("http")
    body = {"patient": "Restore Check", "clinic": "surgery", "day": day, "slot": slot, "ref": ref}
    deadline = time.monotonic() + within_s
    while True:
        status, answer, _ = http("POST", f"{url}/api/appointments", body)
        if status in (200, 201):
            return
        assert status == 503 and time.monotonic() < deadline, answer
        time.sleep(0.5)


def restored_refs(deployed: Deployed, extra: str, refs: list[str]) -> set[str]:
    """Start a scratch PostgreSQL restored from the vault's volume; return which refs it holds."""
    [array] = deployed.topology.service("storage").containers
    [vault] = deployed.topology.service("vault").containers
    image = client().containers.get(array.name).attrs["Config"]["Image"]
    [vault_volume] = [m["Name"] for m in client().containers.get(vault.name).attrs["Mounts"]]
    name = f"{deployed.topology.prefix}-restore-check"
    script = (
        f"mkdir -p /tmp/restore && restore-from-vault /vault {extra} && exec drop-to postgres"
        " postgres -D /tmp/restore/data -c synchronous_standby_names= -c listen_addresses="
    )
    scratch = client().containers.create(
        image,
        ["bash", "-c", script],
        name=name,
        network_mode="none",
        environment={"PGDATA": "/tmp/restore/data"},
        volumes={vault_volume: {"bind": "/vault", "mode": "ro"}},
    )
    try:
        # The vault's files are sealed to the stack's backup key: the restore holds its identity.
        scratch.put_archive("/run", secret_tar(BACKUP_IDENTITY, deployed.secret(BACKUP_IDENTITY)))
        scratch.start()
        deadline = time.monotonic() + 90
        while True:
            done = scratch.exec_run(["psql", "-Atc", "SELECT pg_is_in_recovery()"], user="postgres")
            if done.exit_code == 0 and done.output.decode().strip() == "f":
                break
            assert time.monotonic() < deadline, scratch.logs().decode()[-2000:]
            time.sleep(1)
        listed = ",".join(f"'{ref}'" for ref in refs)
        query = f"SELECT ref FROM appointments WHERE ref IN ({listed})"
        found = scratch.exec_run(["psql", "-d", "appointments", "-Atc", query], user="postgres")
        if b'relation "appointments" does not exist' in found.output:
            return set()  # even the table was in the WAL left out
        assert found.exit_code == 0, found.output
        return set(found.output.decode().split())
    finally:
        scratch.remove(force=True)


@pytest.fixture
def array_killed_after_bookings(deployed: Deployed) -> Iterator[list[str]]:
    tag = uuid.uuid4().hex[:8]
    refs = [f"restore-{tag}-{n}" for n in range(5)]
    day = (dt.date(2031, 1, 1) + dt.timedelta(days=int(tag, 16) % 3000)).isoformat()
    for n, ref in enumerate(refs):
        book(deployed, ref, day, f"0{n}:15")
    [array] = deployed.topology.service("storage").containers
    client().containers.get(array.name).kill()
    try:
        yield refs
    finally:
        with contextlib.suppress(docker.errors.NotFound):
            client().containers.get(f"{deployed.topology.prefix}-restore-check").remove(force=True)
        client().containers.get(array.name).start()
        wait_healthy(array.name)
        [vault] = deployed.topology.service("vault").containers
        wait_healthy(vault.name)


def test_restore_with_the_partial_wal_reaches_the_last_acknowledged_booking(
    deployed: Deployed, array_killed_after_bookings: list[str]
) -> None:
    refs = array_killed_after_bookings
    assert restored_refs(deployed, "", refs) == set(refs)


def test_restore_without_the_partial_wal_loses_the_newest_bookings(
    deployed: Deployed, array_killed_after_bookings: list[str]
) -> None:
    refs = array_killed_after_bookings
    assert refs[-1] not in restored_refs(deployed, "--without-partial", refs)


def test_the_vault_moves_aside_what_it_held_for_another_primary(deployed: Deployed) -> None:
    """A vault whose folder was written for another primary (same host name, another
    system identifier: a re-initialised array) keeps that aside and streams afresh."""
    [vault] = deployed.topology.service("vault").containers
    container = client().containers.get(vault.name)

    def sh(command: str) -> str:
        done = container.exec_run(["bash", "-c", command], user="vault")
        assert done.exit_code == 0, done.output
        return str(done.output.decode()).strip()

    host, system_id = sh("cat /vault/primary").split()
    sh(f"echo '{host} 42' > /vault/primary")
    before = set(sh("ls /vault/previous 2>/dev/null || true").split())
    container.restart(timeout=5)
    wait_healthy(vault.name)
    moved = set(sh("ls /vault/previous").split()) - before
    assert len(moved) == 1 and moved.pop().endswith(f"-{host}-42")
    assert sh("cat /vault/primary") == f"{host} {system_id}"
    tag = uuid.uuid4().hex[:8]
    day = (dt.date(2041, 1, 1) + dt.timedelta(days=int(tag, 16) % 3000)).isoformat()
    book(deployed, f"after-vault-restart-{tag}", day, "09:15")  # a commit needs the vault again
