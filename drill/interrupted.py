"""Clearing what a deploy cut short (Ctrl-C, a crash) leaves in the stack's state.

Pulumi's file backend keeps a lock file per running update, and the state
records the operations an update had begun. Cut short, the update leaves
both: the next deploy would refuse to start, or try to create containers
that half exist. Here a lock is removed only when its process no longer
runs on this machine; pending creates are dropped from the state by a
refresh, and containers they had made are removed, so the next deploy
makes them cleanly.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from drill.engines import engine
from drill.paths import StatePaths
from drill.workspace import read_recovery
from infra.config import StackSpec
from infra.labels import selector

log = logging.getLogger(__name__)


def clear_interrupted(
    paths: StatePaths, project: str, spec: StackSpec, handle: auto.Stack
) -> tuple[list[str], Mapping[str, Any]]:
    """Remove stale locks and pending operations of the stack.

    Returns what was cleared and the stack's deployment (its state) as it
    stands afterwards, read once here for the deploy that follows.
    """
    cleared = [f"stale lock {name}" for name in remove_stale_locks(paths.backend, project, spec.stack)]
    deployment = handle.export_stack().deployment or {}
    pending = deployment.get("pending_operations") or []
    if pending:
        log.info(f"a deploy was cut short: clearing {len(pending)} pending operations of stack {spec.stack}")
        handle.refresh(clear_pending_creates=True, color="never", suppress_progress=True)
        cleared.append(f"{len(pending)} pending operations")
        deployment = handle.export_stack().deployment or {}
    recovery = read_recovery(paths, spec.stack)
    # Across a swarm a lost room's host is not the plan's to touch: it is fenced when it comes back.
    lost = set(recovery.lost_rooms) if recovery and spec.swarm else set()
    cleared += [f"half-made container {name}" for name in _remove_orphans(spec, deployment, lost)]
    return cleared, deployment


def _remove_orphans(spec: StackSpec, deployment: Mapping[str, Any], lost: set[str]) -> list[str]:
    """Remove the stack's containers that its state does not hold (made by a create cut short),
    on the engine of every room but the lost ones."""
    resources = deployment.get("resources") or []
    held = {str(r.get("id")) for r in resources if r.get("type") == "docker:index/container:Container"}
    removed = []
    for host in {room.docker_host for room in spec.rooms if room.name not in lost}:
        for container in engine(host).containers.list(all=True, filters=selector(spec.stack)):
            if container.id not in held:
                container.remove(force=True)
                removed.append(container.name)
    return removed


def remove_stale_locks(backend: Path, project: str, stack: str) -> list[str]:
    """Remove the stack's locks (and their attributes) whose process is gone; return their names."""
    removed = []
    for lock in stale_locks(backend, project, stack):
        lock.unlink()
        lock.with_name(lock.name + ".attrs").unlink(missing_ok=True)
        removed.append(lock.name)
    return removed


def stale_locks(backend: Path, project: str, stack: str) -> list[Path]:
    """The stack's lock files whose process no longer runs on this machine."""
    folder = backend / ".pulumi" / "locks" / "organization" / project / stack
    stale = []
    for lock in sorted(folder.glob("*.json")):
        try:
            owner = json.loads(lock.read_text())
        except (OSError, ValueError):
            continue
        if owner.get("hostname") == socket.gethostname() and not _alive(int(owner.get("pid", 0))):
            stale.append(lock)
    return stale


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
