"""The backup vault: continuous WAL streaming and scheduled base backups.

pg_receivewal runs with --synchronous under the application name `vault`,
which the storage array lists in synchronous_standby_names: a commit is
acknowledged to a client only once this process has flushed its WAL here.
Base backups (pg_basebackup, tar, without WAL: the WAL is streamed) run at
start and then every BASE_BACKUP_INTERVAL_S; the two newest are kept.

What the vault holds is encrypted at rest to the stack's backup key (its
recipient, public, in /run/secrets/backup_recipient; the private half is
only on the restore path): a base backup's tar (its backup_manifest inside)
is streamed from pg_basebackup through Debian's `age` (never in clear on
disk) before the backup is named complete, its backup_label read from the
stream and kept in clear beside it (where its WAL starts, no data);
each WAL segment once pg_receivewal completes it. The segment still being
written (`.partial`) stays in clear: RPO 0 needs it flushed before a commit
is acknowledged (docs/security.md). A seal is written aside, then renamed.

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

import functools
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import IO, Any

from services.common.vault_export import SEALED, SEALING

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
RECIPIENT_FILE = Path("/run/secrets/backup_recipient")


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


class Tee(io.RawIOBase):
    """A readable stream over source that writes every byte read to sink as well."""

    def __init__(self, source: IO[bytes], sink: IO[bytes]) -> None:
        self.source, self.sink = source, sink

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.source.read(len(buffer))
        self.sink.write(data)
        buffer[: len(data)] = data
        return len(data)


def sealed_base_backup(target: Path) -> bytes:
    """Stream pg_basebackup's tar through age into target/base.tar.age, never in clear on disk;
    return its backup_label, read from the stream on the way. Raises on any failure."""
    sealing = target / f"base.tar{SEALED}{SEALING}"
    backup = ["pg_basebackup", "--pgdata", "-", "--format", "tar", "--wal-method", "none"]
    backup += ["--checkpoint", "fast", "--no-password", "--dbname", conninfo()]
    encrypt = ["age", "--encrypt", "--recipient", recipient(), "--output", str(sealing)]
    with (
        subprocess.Popen(backup, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE) as source,
        subprocess.Popen(encrypt, stdin=subprocess.PIPE, stderr=subprocess.PIPE) as sink,
    ):
        assert source.stdout is not None and sink.stdin is not None
        label = b""
        stream = Tee(source.stdout, sink.stdin)
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                if member.name == "backup_label":
                    label = (tar.extractfile(member) or io.BytesIO()).read()
        while stream.read(1 << 16):  # the tar's end blocks, and anything after them
            pass
        sink.stdin.close()
        why = (source.stderr.read() if source.stderr else b"") + (sink.stderr.read() if sink.stderr else b"")
    if source.returncode != 0 or sink.returncode != 0 or not label:
        raise RuntimeError(why.decode().strip() or "the backup's tar held no backup_label")
    with sealing.open("rb") as written:
        os.fsync(written.fileno())
    sealing.rename(target / f"base.tar{SEALED}")
    return label


def base_backup() -> str | None:
    """Take a base backup into /vault/base/<time>, sealed; return its name, or None when it failed."""
    name = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = BASE / f"{name}.partial"
    target.mkdir()
    try:
        (target / "backup_label").write_bytes(sealed_base_backup(target))
    except (OSError, RuntimeError, tarfile.TarError) as exc:
        print(f"vault: base backup failed: {exc}", file=sys.stderr, flush=True)
        shutil.rmtree(target, ignore_errors=True)
        return None
    target.rename(BASE / name)
    for old in sorted(p for p in BASE.iterdir() if not p.name.endswith(".partial"))[:-KEEP_BASE_BACKUPS]:
        shutil.rmtree(old)
    return name


@functools.cache
def recipient() -> str:
    """The stack's backup recipient (`age1...`), read once; refuses a bad one by name."""
    try:
        text = RECIPIENT_FILE.read_text().strip()
    except OSError as exc:
        raise SystemExit(f"vault: cannot read the backup recipient {RECIPIENT_FILE}: {exc.strerror}") from exc
    if not text.startswith("age1"):
        raise SystemExit(f"vault: {RECIPIENT_FILE} holds no age recipient (age1...): run drill up")
    return text


def seal(path: Path) -> Path:
    """Encrypt path to the backup recipient as `<path>.age`, flushed to disk, then remove path."""
    sealed = path.with_name(path.name + SEALED)
    aside = sealed.with_name(sealed.name + SEALING)
    argv = ["age", "--encrypt", "--recipient", recipient(), "--output", str(aside), str(path)]
    subprocess.run(argv, check=True, capture_output=True)
    with aside.open("rb") as written:
        os.fsync(written.fileno())
    aside.rename(sealed)
    path.unlink()
    return sealed


def seal_wal() -> int:
    """Seal every completed WAL file in clear (segments, timeline histories); return how many."""
    done = 0
    for path in sorted(WAL.iterdir()):
        if path.name.endswith((".partial", SEALED, SEALING)):
            continue
        try:
            seal(path)
            done += 1
        except (OSError, subprocess.CalledProcessError) as exc:
            why = exc.stderr.decode().strip() if isinstance(exc, subprocess.CalledProcessError) else exc
            print(f"vault: cannot seal {path.name}: {why}", file=sys.stderr, flush=True)
    return done


def clear_unfinished_seals() -> None:
    """Remove seals a stopped vault left half-written (their clear files are still there)."""
    for folder in (WAL, BASE):
        for aside in folder.rglob(f"*{SEALING}"):
            aside.unlink()


def write_status(streaming: bool, last_backup: float) -> None:
    """Record what the vault holds, atomically."""
    wal_files = sorted(p.name for p in WAL.iterdir() if not p.name.endswith(SEALING))
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
    recipient()  # refused now, by name, rather than at the first seal
    clear_unfinished_seals()
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
        seal_wal()
        # With --no-loop the receiver exits on any error: alive for a while means streaming.
        write_status(receiver.poll() is None and time.monotonic() - since >= STEADY_S, last_backup)
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
