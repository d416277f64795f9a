"""Fault: a room's SAN degrades before it dies (egress of its storage throttled with tc tbf), and its removal.

The kernel has no netem; tbf in the storage container's own network
namespace shapes what the storage sends over the SAN (every part of it),
which is what the app servers wait for. Needs root on the Docker host
(nsenter, tc).
"""

from __future__ import annotations

from chaoslib.exceptions import ActivityFailed
from docker.models.containers import Container

from drill.chaos.netns import nsenter, san_devices, san_parts
from drill.chaos.selection import containers, engine
from infra.docker_hosts import LOCAL_ENGINE
from infra.labels import selector

__all__ = ["throttle_san", "unthrottle_san"]


def throttle_san(
    room: str, stack: str, san_network: str, rate_kbit: int, docker_host: str = LOCAL_ENGINE
) -> list[str]:
    """Limit every storage container's SAN egress to rate_kbit; return "name: device" for each."""
    if rate_kbit <= 0:
        raise ActivityFailed(f"rate_kbit {rate_kbit} must be above zero")
    shaped = []
    parts = san_parts(engine(docker_host), san_network)
    for container in _running(docker_host, stack, room):
        for device in san_devices(container, parts):
            _shape(container, device, rate_kbit)
            shaped.append(f"{container.name}: {device}")
    return shaped


def _shape(container: Container, device: str, rate_kbit: int) -> None:
    _tc(
        container,
        "qdisc",
        "replace",
        "dev",
        device,
        "root",
        "tbf",
        "rate",
        f"{rate_kbit}kbit",
        # One full frame of burst: small answers are slowed too, as on a congested SAN.
        "burst",
        "1600",
        "latency",
        "1s",
    )


def unthrottle_san(room: str, stack: str, san_network: str, docker_host: str = LOCAL_ENGINE) -> list[str]:
    """Remove the throttle from every storage container's SAN device; return "name: device" for each."""
    mended = []
    parts = san_parts(engine(docker_host), san_network)
    # Nothing may be left to mend: the recovery plan fenced the storage and placed it elsewhere.
    for container in _running(docker_host, stack, room, required=False):
        for device in san_devices(container, parts):
            if "tbf" in _tc(container, "qdisc", "show", "dev", device):
                _tc(container, "qdisc", "del", "dev", device, "root")
                mended.append(f"{container.name}: {device}")
    return mended


def shaped_devices(docker_host: str, stack: str) -> list[str]:
    """Every interface of the stack's running containers that still carries a tbf qdisc (not an activity)."""
    client = engine(docker_host)
    shaped = []
    for container in client.containers.list(filters=selector(stack)):
        for line in nsenter(container, "tc", "qdisc", "show").splitlines():
            if line.startswith("qdisc tbf"):
                shaped.append(f"{container.name}: {line.split()[4]}")
    return shaped


def _running(docker_host: str, stack: str, room: str, required: bool = True) -> list[Container]:
    found = containers(docker_host, stack, room, tier="storage", required=required)
    return [c for c in found if c.status == "running"]


def _tc(container: Container, *args: str) -> str:
    return nsenter(container, "tc", *args)
