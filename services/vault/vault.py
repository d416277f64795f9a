"""The backup vault: continuous WAL streaming and scheduled base backups.

pg_receivewal runs with --synchronous under the application name `vault`,
which the storage array lists in synchronous_standby_names: a commit is
acknowledged to a client only once this process has flushed its WAL here.
Base backups (pg_basebackup, tar, without WAL: the WAL is streamed) run at
start and then every BASE_BACKUP_INTERVAL_S; the two newest are kept.

/vault/status.json tells the health check and the recovery plan what the
vault holds: whether the receiver streams, the newest WAL file, the base
backups. The vault's files are exported read-only over HTTPS on the backup
link (port 8008), for a restore in another room.

The vault knows its primary by host name and system identifier (the
replication protocol's IDENTIFY_SYSTEM). When either changes (a recovered
array in another room, or a new array initialised under the same name), what
it held for the old one moves to /vault/previous/ and it starts afresh: a new
base backup, then streaming from the new primary's slot. Resuming an old WAL
stream against a new primary would fail ("requested WAL segment ... has
already been removed") or, worse, mix two histories.

Run as `python3 -m services.vault.vault` (`--check`: the health check).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

VAULT = Path("/vault")
WAL = VAULT / "wal"
BASE = VAULT / "base"
STATUS = VAULT / "status.json"
KEEP_BASE_BACKUPS = 2
STEADY_S = 3.0
PRIMARY = VAULT / "primary"
PREVIOUS = VAULT / "previous"
EXPORT_PORT = "8008"
TOKEN_FILE = Path("/run/secrets/vault_token")
TLS_FILES = ("/run/secrets/vault_export_tls_cert", "/run/secrets/vault_export_tls_key")


def conninfo() -> str:
    """Connection string of the storage array's replication user."""
    host = os.environ["PRIMARY_HOST"]
    return f"host={host} port=5432 user=replicator application_name=vault connect_timeout=3"


def child_env() -> dict[str, str]:
    """Environment for the PostgreSQL tools, with the password from its secret file."""
    password = Path("/run/secrets/replication_password").read_text().strip()
    return {**os.environ, "PGPASSWORD": password}


def start_receiver() -> subprocess.Popen[bytes]:
    """Start streaming WAL into /vault/wal through the `vault` slot."""
    argv = [
        "pg_receivewal",
        "--directory",
        str(WAL),
        "--slot",
        "vault",
        "--synchronous",
        "--no-loop",
        "--no-password",
        "--status-interval",
        "1",
        "--dbname",
        conninfo(),
    ]
    return subprocess.Popen(argv, env=child_env())


def base_backup() -> str | None:
    """Take a base backup into /vault/base/<time>; return its name, or None when it failed."""
    name = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = BASE / f"{name}.partial"
    argv = [
        "pg_basebackup",
        "--pgdata",
        str(target),
        "--format",
        "tar",
        "--wal-method",
        "none",
        "--checkpoint",
        "fast",
        "--no-password",
        "--dbname",
        conninfo(),
    ]
    done = subprocess.run(argv, env=child_env(), capture_output=True, check=False)
    if done.returncode != 0:
        print(f"vault: base backup failed: {done.stderr.decode().strip()}", file=sys.stderr, flush=True)
        shutil.rmtree(target, ignore_errors=True)
        return None
    target.rename(BASE / name)
    for old in sorted(p for p in BASE.iterdir() if not p.name.endswith(".partial"))[:-KEEP_BASE_BACKUPS]:
        shutil.rmtree(old)
    return name


def write_status(streaming: bool, last_backup: float) -> None:
    """Record what the vault holds, atomically."""
    wal_files = sorted(p.name for p in WAL.iterdir())
    status = {
        "streaming": streaming,
        "newest_wal": wal_files[-1] if wal_files else None,
        "wal_files": len(wal_files),
        "base_backups": sorted(p.name for p in BASE.iterdir() if not p.name.endswith(".partial")),
        "last_base_backup_unix": last_backup,
        "updated_unix": time.time(),
    }
    partial = STATUS.with_suffix(".tmp")
    partial.write_text(json.dumps(status))
    partial.rename(STATUS)


def check() -> int:
    """Health check: healthy when the receiver streamed within 10 s and a base backup exists."""
    try:
        status = json.loads(STATUS.read_text())
    except (OSError, ValueError):
        return 1
    fresh = time.time() - status["updated_unix"] < 10
    return 0 if fresh and status["streaming"] and status["base_backups"] else 1


def system_identifier() -> str:
    """The primary's system identifier, asked over the replication protocol; waits for it."""
    argv = ["psql", "--no-password", "--tuples-only", "--no-align", "--command", "IDENTIFY_SYSTEM"]
    argv += ["--dbname", conninfo() + " replication=true"]
    while True:
        done = subprocess.run(argv, env=child_env(), capture_output=True, check=False)
        fields = done.stdout.decode().strip().split("|")
        if done.returncode == 0 and fields[0].isdigit():
            return fields[0]
        why = done.stderr.decode().strip()
        print(f"vault: primary not identified yet: {why}", file=sys.stderr, flush=True)
        time.sleep(1)


def follow_primary(host: str, system_id: str) -> None:
    """Move aside what the vault holds for another primary, then remember this one."""
    identity = f"{host} {system_id}"
    known = PRIMARY.read_text().strip() if PRIMARY.exists() else None
    held = any(WAL.iterdir()) or any(BASE.iterdir())
    if known != identity and (held or known is not None):
        label = (known or "unknown").replace(" ", "-")
        aside = PREVIOUS / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{label}"
        aside.mkdir(parents=True)
        for folder in (WAL, BASE):
            folder.rename(aside / folder.name)
            folder.mkdir()
        print(f"vault: new primary {identity}; what was held for {known} is in {aside}", flush=True)
        for old in sorted(PREVIOUS.iterdir())[:-KEEP_BASE_BACKUPS]:
            shutil.rmtree(old)
    PRIMARY.write_text(identity + "\n")


def main() -> int:
    """Export, stream and back up forever (or run the health check); return the exit code."""
    if "--check" in sys.argv:
        return check()
    # The export first: a restore must reach what the vault holds while its primary is dead.
    subprocess.Popen(
        [
            sys.executable,
            "-m",
            "services.common.vault_export",
            str(VAULT),
            EXPORT_PORT,
            str(TOKEN_FILE),
            *TLS_FILES,
        ]
    )
    follow_primary(os.environ["PRIMARY_HOST"], system_identifier())
    interval = int(os.environ.get("BASE_BACKUP_INTERVAL_S", "600"))
    receiver, since = start_receiver(), time.monotonic()
    last_backup = 0.0
    while True:
        if receiver.poll() is not None:
            print(f"vault: pg_receivewal exited {receiver.returncode}", file=sys.stderr, flush=True)
            time.sleep(1)
            receiver, since = start_receiver(), time.monotonic()
        if time.time() - last_backup >= interval and base_backup():
            last_backup = time.time()
        # With --no-loop the receiver exits on any error: alive for a while means streaming.
        write_status(receiver.poll() is None and time.monotonic() - since >= STEADY_S, last_backup)
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
