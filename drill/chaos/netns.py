"""What the SAN faults do inside a storage container's network namespace: its devices on the SAN.

A room's SAN is several networks, one per flow (infra/rooms.py): the one the
var file names and the parts labelled hospital.san=<that name>. Needs root on
the Docker host (nsenter).
"""

from __future__ import annotations

import subprocess

import docker
from chaoslib.exceptions import ActivityFailed
from docker.models.containers import Container

from infra.labels import SAN


def san_parts(client: docker.DockerClient, san_network: str) -> list[str]:
    """The names of every network of the SAN san_network names; ActivityFailed when it is not there."""
    names = [n.name for n in client.networks.list(names=[san_network]) if n.name == san_network]
    if not names:
        raise ActivityFailed(f"no network {san_network}: check san_network in the var file")
    parts = client.networks.list(filters={"label": f"{SAN}={san_network}"})
    return [san_network, *sorted(str(n.name) for n in parts)]


def san_devices(container: Container, parts: list[str]) -> list[str]:
    """The names, inside container, of its interfaces on the SAN's parts it is attached to."""
    networks = container.attrs["NetworkSettings"]["Networks"]
    addresses = {networks[p]["IPAddress"] for p in parts if p in networks and networks[p]["IPAddress"]}
    devices = []
    for line in nsenter(container, "ip", "-o", "-4", "addr", "show").splitlines():
        words = line.split()
        if len(words) > 3 and words[3].split("/")[0] in addresses:
            devices.append(words[1].split("@")[0])
    if len(devices) != len(addresses):
        raise ActivityFailed(
            f"{container.name} holds {sorted(addresses)} on the SAN, found devices {devices}"
        )
    return devices


def link_up(container: Container, device: str) -> bool:
    """Whether device is administratively up in container."""
    flags = nsenter(container, "ip", "-o", "link", "show", "dev", device).split("<", 1)[-1].split(">", 1)[0]
    return "UP" in flags.split(",")


def nsenter(container: Container, *argv: str) -> str:
    """Run argv in container's network namespace; its output, or ActivityFailed naming what failed."""
    pid = str(container.attrs["State"]["Pid"])
    done = subprocess.run(["nsenter", "-t", pid, "-n", *argv], capture_output=True, timeout=30, check=False)
    if done.returncode != 0:
        raise ActivityFailed(f"{' '.join(argv)} in {container.name}: {done.stderr.decode().strip()}")
    return done.stdout.decode()
