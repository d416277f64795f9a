"""Fault: the backup vault is away (its tier=backup containers stop), and its removal."""

from __future__ import annotations

from drill.chaos.selection import halt, resume
from infra.docker_hosts import LOCAL_ENGINE

__all__ = ["start_vault", "stop_vault"]


def stop_vault(room: str, stack: str, docker_host: str = LOCAL_ENGINE) -> list[str]:
    """Stop every backup container of room (the vault and its mail copy); return their names."""
    return halt(docker_host, stack, room, tier="backup", kill=False)


def start_vault(room: str, stack: str, docker_host: str = LOCAL_ENGINE) -> list[str]:
    """Start every backup container of room that is not running; return their names."""
    return resume(docker_host, stack, room, tier="backup")
