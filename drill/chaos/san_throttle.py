"""Fault: a room's SAN degrades before it dies (egress of its storage throttled with tc tbf), and its removal.

The kernel has no netem; tbf in the storage container's own network
namespace shapes what the storage sends over the SAN, which is what the
app servers wait for. Needs root on the Docker host (nsenter, tc).
"""

from __future__ import annotations

import subprocess

from chaoslib.exceptions import ActivityFailed
from docker.models.containers import Container

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
    for container in _running(docker_host, stack, room):
        device = _device(container, san_network)
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
        shaped.append(f"{container.name}: {device}")
    return shaped


def unthrottle_san(room: str, stack: str, san_network: str, docker_host: str = LOCAL_ENGINE) -> list[str]:
    """Remove the throttle from every storage container's SAN device; return "name: device" for each."""
    mended = []
    # Nothing may be left to mend: the recovery plan fenced the storage and placed it elsewhere.
    for container in _running(docker_host, stack, room, required=False):
        device = _device(container, san_network)
        if "tbf" in _tc(container, "qdisc", "show", "dev", device):
            _tc(container, "qdisc", "del", "dev", device, "root")
            mended.append(f"{container.name}: {device}")
    return mended


def shaped_devices(docker_host: str, stack: str) -> list[str]:
    """Every interface of the stack's running containers that still carries a tbf qdisc (not an activity)."""
    client = engine(docker_host)
    shaped = []
    for container in client.containers.list(filters=selector(stack)):
        for line in _nsenter(container, "tc", "qdisc", "show").splitlines():
            if line.startswith("qdisc tbf"):
                shaped.append(f"{container.name}: {line.split()[4]}")
    return shaped


def _running(docker_host: str, stack: str, room: str, required: bool = True) -> list[Container]:
    found = containers(docker_host, stack, room, tier="storage", required=required)
    return [c for c in found if c.status == "running"]


def _device(container: Container, san_network: str) -> str:
    """The name, inside the container, of its interface on san_network."""
    networks = container.attrs["NetworkSettings"]["Networks"]
    if san_network not in networks:
        raise ActivityFailed(f"{container.name} is not on {san_network}")
    address = networks[san_network]["IPAddress"]
    for line in _nsenter(container, "ip", "-o", "-4", "addr", "show").splitlines():
        words = line.split()
        if len(words) > 3 and words[3].split("/")[0] == address:
            return words[1].split("@")[0]
    raise ActivityFailed(f"no interface of {container.name} holds {address}")


def _tc(container: Container, *args: str) -> str:
    return _nsenter(container, "tc", *args)


def _nsenter(container: Container, *argv: str) -> str:
    pid = str(container.attrs["State"]["Pid"])
    done = subprocess.run(["nsenter", "-t", pid, "-n", *argv], capture_output=True, timeout=30, check=False)
    if done.returncode != 0:
        raise ActivityFailed(f"{' '.join(argv)} in {container.name}: {done.stderr.decode().strip()}")
    return done.stdout.decode()
