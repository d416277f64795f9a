"""Restore time against data size, as a ratio to a raw copy of the same bytes on the same disk.

On the deployed stack, the storage array is filled with appointments and
lab results up to each size; the vault is restarted so that its newest base
backup holds them; then an array is restored exactly as the recovery plan
makes one (the array's image with RESTORE_FROM, fetching the vault's export
over the backup link), timed from its start until it takes connections,
and checked to hold every row. The physical limit is a plain `cp` of the
same files (the newest base backup and the WAL from the segment it starts
at, which is what a restore reads) between two volumes on the same disk.
The page cache is dropped before each, when root can.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
from typing import Any

import docker
from docker.models.containers import Container

from drill.engines import container_of
from drill.errors import BenchError
from drill.progress import working
from drill.records.bench import Restore, RestoreSize
from infra.backup_vault import export_url
from infra.topology import Topology

log = logging.getLogger(__name__)

PGDATA = "/var/lib/postgresql/data"
BATCH_MB = 100
COUNT_APPOINTMENTS = "SELECT count(*) FROM appointments WHERE status = 'bench'"
COUNT_RESULTS = "SELECT count(*) FROM results WHERE control_id LIKE 'bench-%'"
SIZE = (
    "SELECT sum(pg_database_size(datname)) FROM pg_database WHERE datname IN ('appointments', 'labresults')"
)


def bench_restore(topology: Topology, sizes_mb: list[int]) -> Restore:
    """Fill, back up, restore and copy at each size; return one row per size."""
    array = _only(topology, "storage")
    vault = _only(topology, "vault")
    rows = []
    empty_mb = _query(array, "postgres", SIZE) / 1e6  # the databases as the services made them
    for size in sorted(sizes_mb):
        row = _one_size(topology, array, vault, size, empty_mb)
        log.info(f"restore {size} MB: {row.restore_s} s, raw copy {row.copy_s} s, ratio {row.ratio}")
        rows.append(row)
    return Restore(sizes=tuple(rows))


def _one_size(
    topology: Topology, array: Container, vault: Container, size: int, empty_mb: float
) -> RestoreSize:
    """Fill the databases up to size MB over what they held, back up, restore, copy the same bytes."""
    client = vault.client  # the engine of the vault's room, where the restore runs
    source = export_url(topology.prefix, topology.service("vault").containers[0].room)
    with working(f"restore: adding bench data up to {size} MB…"):
        data_mb = _fill(array, empty_mb + size) - empty_mb
    with working(f"restore: {data_mb:.0f} MB; the vault takes a new base backup…"):
        backup = _fresh_base_backup(vault)
        files = _needed(vault, backup)
        copied_bytes = int(_sh(vault, f"du -sbc {files} | tail -n 1").split()[0])
    expected = (
        _query(array, "appointments", COUNT_APPOINTMENTS),
        _query(array, "labresults", COUNT_RESULTS),
    )
    with working(f"restore: restoring {copied_bytes / 1e6:.0f} MB from the vault…"):
        restore_s, restored = _timed_restore(client, array, source, topology.backup_link, topology.prefix)
    if restored != expected:
        raise BenchError(
            f"the restore at {size} MB holds {restored} bench rows, the array {expected}",
            "look at the vault's status and the restore-from-vault log",
        )
    with working(f"restore: copying the same {copied_bytes / 1e6:.0f} MB…"):
        copy_s = _timed_copy(client, vault, files, topology.prefix)
    return RestoreSize(
        target_mb=size,
        data_mb=round(data_mb, 1),
        vault_bytes=copied_bytes,
        rows=sum(expected),
        restore_s=round(restore_s, 2),
        copy_s=round(copy_s, 2),
        restore_mb_per_s=round(copied_bytes / 1e6 / restore_s, 1),
        copy_mb_per_s=round(copied_bytes / 1e6 / copy_s, 1),
        ratio=round(restore_s / copy_s, 2),
        cold_cache=_can_drop_caches(),
    )


def _only(topology: Topology, service: str) -> Container:
    [info] = topology.service(service).containers
    found = container_of(topology, info)
    if found is None or found.status != "running":
        raise BenchError(f"{info.name} is not running", "stand the stack up first (`drill up`)")
    return found


def _sh(container: Container, command: str, user: str = "root") -> str:
    done = container.exec_run(["bash", "-c", command], user=user)
    if done.exit_code != 0:
        raise BenchError(
            f"`{command}` in {container.name} failed: {done.output.decode()[-300:]}", "see that output"
        )
    return str(done.output.decode())


def _query(array: Container, database: str, sql: str) -> int:
    return int(_sh(array, f'psql --no-psqlrc -At -d {database} -c "{sql}"', user="postgres").strip())


def _fill(array: Container, size_mb: float) -> float:
    """Add bench appointments and results (half the bytes each) until both databases hold size_mb."""
    while (now := _query(array, "postgres", SIZE) / 1e6) < size_mb:
        batch = min(BATCH_MB, size_mb - now) * 1e6 / 2
        appointments, results = int(batch / 420) + 1, int(batch / 1250) + 1
        _query(
            array,
            "appointments",
            "WITH added AS (INSERT INTO appointments (ref, patient, clinic, day, slot, status)"  # noqa: S608 - only counts go in
            " SELECT 'bench-' || md5(random()::text) || g, 'Bench ' || repeat(md5(random()::text), 6),"
            " 'surgery', date '2030-01-01' + g % 3000, lpad((g % 24)::text, 2, '0') || ':00', 'bench'"
            f" FROM generate_series(1, {appointments}) g RETURNING 1) SELECT count(*) FROM added",
        )
        _query(
            array,
            "labresults",
            "WITH added AS (INSERT INTO results (control_id, patient, order_id, priority, observations,"  # noqa: S608 - only counts go in
            " received_at, raw) SELECT 'bench-' || md5(random()::text) || g, 'P' || g, 'O' || g, 'R',"
            " '[]'::jsonb, now(), repeat(md5(random()::text), 30)"
            f" FROM generate_series(1, {results}) g RETURNING 1) SELECT count(*) FROM added",
        )
    return now


def _status(vault: Container) -> dict[str, Any]:
    try:
        found: dict[str, Any] = json.loads(_sh(vault, "cat /vault/status.json"))
    except (BenchError, ValueError):
        return {}
    return found


def _fresh_base_backup(vault: Container, timeout_s: float = 1800) -> str:
    """Restart the vault (it takes a base backup when it starts); return the new backup's name."""
    before = _status(vault).get("base_backups", [])
    vault.restart(timeout=10)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = _status(vault)
        backups = status.get("base_backups", [])
        if backups and backups != before and backups[-1] not in before and status.get("streaming"):
            return str(backups[-1])
        time.sleep(1)
    raise BenchError(
        f"{vault.name} took no new base backup in {timeout_s:.0f} s", f"docker logs {vault.name}"
    )


def _timed_restore(
    client: docker.DockerClient, array: Container, source: str, link: str, prefix: str
) -> tuple[float, tuple[int, int]]:
    """Restore an array as the plan does; seconds from its start to taking connections, and its rows."""
    name = f"{prefix}-bench-restore"
    volume = client.volumes.create(name=name, labels=array.labels)
    secrets, _ = array.get_archive("/run/secrets")
    restored = client.containers.create(
        array.attrs["Config"]["Image"],
        name=name,
        environment={"RESTORE_FROM": source, "SYNCHRONOUS_STANDBY": ""},
        network=link,
        volumes={name: {"bind": PGDATA, "mode": "rw"}},
        shm_size="128m",
        labels=array.labels,
    )
    try:
        restored.put_archive("/run", b"".join(secrets))
        _drop_caches()
        started = time.monotonic()
        restored.start()
        while restored.exec_run(["pg_isready", "--quiet", "--host", "127.0.0.1"]).exit_code != 0:
            restored.reload()
            if restored.status != "running":
                raise BenchError(
                    f"the restored array stopped: {restored.logs().decode()[-400:]}", "see its log"
                )
            time.sleep(0.2)
        seconds = time.monotonic() - started
        return seconds, (
            _query(restored, "appointments", COUNT_APPOINTMENTS),
            _query(restored, "labresults", COUNT_RESULTS),
        )
    finally:
        restored.remove(force=True)
        volume.remove(force=True)


def _needed(vault: Container, backup: str) -> str:
    """The vault's files a restore reads, as its export names them (the restore set)."""
    wanted = json.loads(
        _sh(vault, "PYTHONPATH=/app python3 -m services.common.vault_export --restore-set /vault")
    )
    if wanted["base"] != backup:
        raise BenchError(
            f"the vault's newest base backup is {wanted['base']}, not {backup}", f"docker logs {vault.name}"
        )
    return " ".join([f"/vault/base/{backup}", *(f"/vault/wal/{name}" for name in wanted["wal"])])


def _timed_copy(client: docker.DockerClient, vault: Container, files: str, prefix: str) -> float:
    """Seconds a plain cp of the files a restore reads takes, volume to volume."""
    [vault_volume] = [m["Name"] for m in vault.attrs["Mounts"] if m["Destination"] == "/vault"]
    name = f"{prefix}-bench-copy"
    volume = client.volumes.create(name=name, labels=vault.labels)
    script = (
        f"start=$(date +%s.%N); cp -r {files} /copy/ && sync -f /copy; end=$(date +%s.%N); echo $start $end"
    )
    _drop_caches()
    try:
        output = client.containers.run(
            vault.attrs["Config"]["Image"],
            ["bash", "-c", script],
            name=name,
            user="root",
            network_mode="none",
            volumes={vault_volume: {"bind": "/vault", "mode": "ro"}, name: {"bind": "/copy", "mode": "rw"}},
            labels=vault.labels,
            remove=True,
        )
    finally:
        volume.remove(force=True)
    start, end = (float(part) for part in output.decode().split())
    return end - start


def _can_drop_caches() -> bool:
    return os.access("/proc/sys/vm/drop_caches", os.W_OK)


def _drop_caches() -> None:
    """Write dirty pages and drop the page cache, so both reads come from the disk (root only)."""
    subprocess.run(["sync"], check=False)
    if _can_drop_caches():
        with open("/proc/sys/vm/drop_caches", "w") as caches:
            caches.write("3\n")
