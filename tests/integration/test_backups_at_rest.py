"""Backups encrypted at rest: the vault holds a patient's booking only sealed to the stack's backup
key, cannot open it, and a restore opens it with that key alone.

The booking is a real one through the app, its patient a name of its own; the
WAL segment that holds it is completed by a switch and sealed by the vault.
Debian's `age` on the host (installed by `make test-clients`), a client that
is not ours, opens what the vault sealed with the stack's identity.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import time
import uuid
from pathlib import Path

import pytest
from docker.models.containers import Container

from drill.backup_key import make_backup_key
from drill.workload.operations import booking_slot
from infra.backup_vault import export_url
from infra.config import BACKUP_IDENTITY
from tests.integration.conftest import Deployed
from tests.integration.engine import client, http, secret_tar

pytestmark = pytest.mark.docker
AGE = "/usr/bin/age"
WAIT_S = 60


def only(deployed: Deployed, service: str) -> Container:
    [info] = deployed.topology.service(service).containers
    return client().containers.get(info.name)


def sh(container: Container, command: str, user: str = "root") -> str:
    done = container.exec_run(["bash", "-c", command], user=user)
    assert done.exit_code == 0, f"{command} in {container.name}: {done.output.decode()[-400:]}"
    return str(done.output.decode())


def files_of(container: Container, path: str) -> dict[str, bytes]:
    """Every regular file under path in container, by its path below path."""
    stream, _ = container.get_archive(path)
    found = {}
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
        for member in tar.getmembers():
            extracted = tar.extractfile(member) if member.isfile() else None
            if extracted is not None:
                found[member.name.split("/", 1)[1] if "/" in member.name else member.name] = extracted.read()
    return found


@pytest.fixture(scope="module")
def identity_file(deployed: Deployed, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("backup-key") / "identity.txt"
    path.touch(mode=0o600)
    path.write_text(deployed.secret(BACKUP_IDENTITY) + "\n")
    return path


def opened(sealed: bytes, identity: Path) -> bytes:
    """sealed opened by Debian's age with the identity in the file identity."""
    done = subprocess.run([AGE, "--decrypt", "--identity", str(identity)], input=sealed, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def in_clear(held: dict[str, bytes]) -> list[str]:
    """The completed WAL files held in clear (a segment pg_receivewal has just completed is, for a
    second or so, until the vault seals it)."""
    return [p for p in held if p.startswith("wal/") and not p.endswith((".age", ".partial", ".tmp"))]


def settled(vault: Container) -> dict[str, bytes]:
    """What the vault holds, read at a moment when every completed WAL file is sealed."""
    deadline = time.monotonic() + WAIT_S
    while clear := in_clear(held := files_of(vault, "/vault")):
        assert time.monotonic() < deadline, f"the vault left {clear} in clear for {WAIT_S} s"
        time.sleep(1)
    return held


@pytest.fixture(scope="module")
def patient(deployed: Deployed) -> str:
    """A booking of a patient named for this test, its WAL segment completed by a switch and
    sealed by the vault (waited for: the vault completes a segment only once WAL after it arrives,
    which the checkpoint after the switch writes)."""
    name = f"Sealed Patient {uuid.uuid4().hex[:10]}"
    clinic, day, slot = booking_slot(name, 0)
    url = deployed.topology.service("appointments").endpoint("http")
    body = {"patient": name, "clinic": clinic, "day": day, "slot": slot, "ref": f"sealed-{name[-10:]}"}
    status, made, _ = http("POST", f"{url}/api/appointments", body)
    assert status == 201, made
    array, vault = only(deployed, "storage"), only(deployed, "vault")
    switch = "psql --no-psqlrc -Atc 'SELECT pg_walfile_name(pg_switch_wal())' -c 'CHECKPOINT'"
    segment = sh(array, switch, user="postgres").split()[0]
    deadline = time.monotonic() + WAIT_S
    while vault.exec_run(["test", "-e", f"/vault/wal/{segment}.age"]).exit_code != 0:
        assert time.monotonic() < deadline, f"the vault did not seal {segment} in {WAIT_S} s"
        time.sleep(0.5)
    return name


def test_the_vault_holds_no_patient_data_in_clear_and_cannot_open_it(
    deployed: Deployed, patient: str, identity_file: Path
) -> None:
    vault = only(deployed, "vault")
    held = settled(vault)
    sealed = {path: data for path, data in held.items() if path.endswith(".age")}
    # The booking's segment is sealed, and only the stack's identity opens it.
    assert any(patient.encode() in opened(data, identity_file) for path, data in sealed.items())
    # Nothing holds the name in clear but the segment still being written, which RPO 0 keeps
    # in clear (it may hold a later page image of the same row).
    clear = [path for path, data in held.items() if patient.encode() in data]
    assert [path for path in clear if not path.endswith(".partial")] == [], "a patient's name in clear"
    assert all(data.startswith(b"age-encryption.org/v1\n") for data in sealed.values())
    backups = {path.split("/")[1] for path in held if path.startswith("base/")}
    newest = max(b for b in backups if not b.endswith(".partial"))
    for taking in (b for b in backups if b.endswith(".partial")):  # a backup in progress: sealing
        inside = {path.rsplit("/", 1)[1] for path in held if path.startswith(f"base/{taking}/")}
        assert inside <= {"base.tar.age.tmp"}, inside
    assert {path.rsplit("/", 1)[1] for path in held if path.startswith(f"base/{newest}/")} == {
        "backup_label",
        "base.tar.age",
    }
    with tarfile.open(fileobj=io.BytesIO(opened(held[f"base/{newest}/base.tar.age"], identity_file))) as tar:
        assert {"PG_VERSION", "backup_label"} <= set(tar.getnames())
    # The vault has the recipient to seal to, not the identity to open with.
    assert "backup_key" not in sh(vault, "ls /run/secrets").split()
    assert sh(vault, "cat /run/secrets/backup_recipient").startswith("age1")


def restore_beside(deployed: Deployed, identity: str) -> Container:
    """An array restored from the vault's export as the plan restores one, beside the stack's own,
    holding the given backup identity; started, not yet waited for."""
    array = only(deployed, "storage")
    secrets, _ = array.get_archive("/run/secrets")
    room = deployed.topology.service("vault").containers[0].room
    restored = client().containers.create(
        array.attrs["Config"]["Image"],
        name=f"{deployed.topology.prefix}-test-restore-{uuid.uuid4().hex[:6]}",
        environment={"RESTORE_FROM": export_url(deployed.topology.prefix, room), "SYNCHRONOUS_STANDBY": ""},
        network=deployed.topology.backup_link,
        shm_size="128m",
        labels=array.labels,
    )
    restored.put_archive("/run", b"".join(secrets))
    restored.put_archive("/run", secret_tar(BACKUP_IDENTITY, identity))  # over the array's own
    restored.start()
    return restored


def test_a_restore_opens_the_vault_with_the_stacks_key_only(deployed: Deployed, patient: str) -> None:
    stranger = restore_beside(deployed, make_backup_key()[BACKUP_IDENTITY])
    try:
        assert stranger.wait(timeout=120)["StatusCode"] != 0
        said = stranger.logs().decode()
        assert "cannot open" in said and "another key" in said, said[-600:]
    finally:
        stranger.remove(force=True)
    restored = restore_beside(deployed, deployed.secret(BACKUP_IDENTITY))
    try:
        deadline = time.monotonic() + 120
        while restored.exec_run(["pg_isready", "--quiet", "--host", "127.0.0.1"]).exit_code != 0:
            restored.reload()
            assert restored.status == "running", restored.logs().decode()[-600:]
            assert time.monotonic() < deadline, "the restore did not take connections in 120 s"
            time.sleep(0.5)
        query = f"SELECT count(*) FROM appointments WHERE patient = '{patient}'"  # our own name, no quote
        found = sh(restored, f'psql --no-psqlrc -At -d appointments -c "{query}"', user="postgres")
        assert found.strip() == "1"
    finally:
        restored.remove(force=True)
