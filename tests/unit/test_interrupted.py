"""A lock left by a dead process is stale; one held by a running process (or another machine) is not."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

from drill.interrupted import stale_locks


def lock(folder: Path, name: str, pid: int, hostname: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"pid": pid, "username": "root", "hostname": hostname}))
    return path


def test_only_locks_of_dead_processes_on_this_machine_are_stale(tmp_path: Path) -> None:
    folder = tmp_path / ".pulumi" / "locks" / "organization" / "hospital-drp" / "ci"
    dead_pid = subprocess.Popen(["true"])
    dead_pid.wait()
    dead = lock(folder, "dead", dead_pid.pid, socket.gethostname())
    lock(folder, "alive", os.getpid(), socket.gethostname())
    lock(folder, "elsewhere", dead_pid.pid, "another-machine")
    assert stale_locks(tmp_path, "hospital-drp", "ci") == [dead]
    assert stale_locks(tmp_path, "hospital-drp", "gameday") == []
