"""The flow policy, checked as it stands: from every container, every listening port of every other.

The topology declares the connections the stack allows (infra/policy.py).
This finds, in each container's network namespace, every TCP port it
listens on outside 127.0.0.0/8, then tries, from each other container's
namespace, a connection to each of those ports on each of its addresses (one
per network). A connection that works and is not declared is a breach of
the policy; a declared one that fails is a broken service. Needs root on the
Docker host (nsenter), as the SAN faults do.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from docker.models.containers import Container

from drill.engines import container_of
from infra.policy import ACCESS
from infra.topology import ContainerInfo, FlowInfo, Topology

LISTEN = "0A"  # the state of a listening socket in /proc/net/tcp
CONNECT_S = 1.0
# Run inside a source's network namespace: try each (name, address, port), say which connected.
PROBE = """
import json, socket, sys
from concurrent.futures import ThreadPoolExecutor
def reach(target):
    name, address, port = target
    try:
        socket.create_connection((address, port), timeout=float(sys.argv[1])).close()
        return [name, port]
    except OSError:
        return None
with ThreadPoolExecutor(64) as pool:
    found = [r for r in pool.map(reach, json.load(sys.stdin)) if r]
print(json.dumps(found))
"""


@dataclass(frozen=True, order=True)
class Reach:
    """A connection from the container source to port of the container destination."""

    source: str
    destination: str
    port: int

    def __str__(self) -> str:
        return f"{self.source} -> {self.destination}:{self.port}"


@dataclass(frozen=True)
class FlowCheck:
    """What the probes found against what the policy declares."""

    allowed: tuple[Reach, ...]  # declared, and works
    undeclared: tuple[Reach, ...]  # works, and is not declared
    failing: tuple[Reach, ...]  # declared, and does not work
    unused: tuple[FlowInfo, ...]  # declared, with no container to stand at one of its ends
    listeners: Mapping[str, tuple[int, ...]]  # each container's ports outside loopback
    probes: int  # connections tried
    seconds: float

    @property
    def holds(self) -> bool:
        """Whether what works is exactly what is declared."""
        return not self.undeclared and not self.failing


def listening_ports(proc_net: Iterable[str]) -> set[int]:
    """The TCP ports listening on a non-loopback address, from /proc/net/tcp and tcp6 text."""
    ports = set()
    for line in proc_net:
        fields = line.split()
        if len(fields) < 4 or fields[3] != LISTEN or ":" not in fields[1]:
            continue
        address, port = fields[1].rsplit(":", 1)
        if not _loopback(address):
            ports.add(int(port, 16))
    return ports


def _loopback(hex_address: str) -> bool:
    """Whether a /proc/net address (little-endian words of hex) is in 127.0.0.0/8 or ::1."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    address = ipaddress.ip_address(words)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def declared(
    flows: Iterable[FlowInfo], containers: Iterable[ContainerInfo], access_members: set[str]
) -> dict[Reach, FlowInfo]:
    """Every container-to-container connection the flows allow, and the flow that allows it."""
    infos = list(containers)
    allowed: dict[Reach, FlowInfo] = {}
    for flow in flows:
        sources = [
            c.name
            for c in infos
            if (flow.source_service == ACCESS and not flow.source_tier and c.name in access_members)
            or (c.service, c.tier) == (flow.source_service, flow.source_tier)
        ]
        destinations = [c.name for c in infos if (c.service, c.tier) == (flow.service, flow.tier)]
        for source in sources:
            for destination in destinations:
                if source != destination:
                    allowed.setdefault(Reach(source, destination, flow.port), flow)
    return allowed


def compare(
    found: set[Reach], allowed: Mapping[Reach, FlowInfo]
) -> tuple[tuple[Reach, ...], tuple[Reach, ...], tuple[Reach, ...]]:
    """(allowed and working, working and undeclared, declared and failing), each sorted."""
    return (
        tuple(sorted(found & set(allowed))),
        tuple(sorted(found - set(allowed))),
        tuple(sorted(set(allowed) - found)),
    )


def check_flows(topology: Topology) -> FlowCheck:
    """Probe every container's listening ports from every other container; compare with the policy."""
    started = time.monotonic()
    running = _running(topology)
    listeners = {name: sorted(_listeners(c)) for name, c in running.items()}
    addresses = {name: _addresses(c) for name, c in running.items()}
    access_members = {n for n, c in running.items() if topology.access_network in _networks(c)}
    probes = 0
    found: set[Reach] = set()
    for source, container in running.items():
        targets = [
            (name, address, port)
            for name, ports in listeners.items()
            if name != source
            for port in ports
            for address in addresses[name]
        ]
        probes += len(targets)
        found |= {Reach(source, name, port) for name, port in _probe(container, targets)}
    infos = [c for c in topology.containers() if c.name in running]
    allowed = declared(topology.flows, infos, access_members)
    working, undeclared, failing = compare(found, allowed)
    realised = set(allowed.values())
    unused = tuple(f for f in topology.flows if f not in realised)
    return FlowCheck(
        working,
        undeclared,
        failing,
        unused,
        {name: tuple(ports) for name, ports in listeners.items()},
        probes,
        time.monotonic() - started,
    )


def _running(topology: Topology) -> dict[str, Container]:
    """The topology's running containers, by name."""
    found = {}
    for info in topology.containers():
        container = container_of(topology, info)
        if container is not None and container.status == "running":
            found[info.name] = container
    return found


def _networks(container: Container) -> dict[str, dict[str, str]]:
    networks: dict[str, dict[str, str]] = container.attrs["NetworkSettings"]["Networks"]
    return networks


def _addresses(container: Container) -> list[str]:
    """The container's IPv4 address on each of its networks."""
    return sorted(n["IPAddress"] for n in _networks(container).values() if n.get("IPAddress"))


def _listeners(container: Container) -> set[int]:
    """The ports container listens on outside loopback (its namespace's /proc/net/tcp and tcp6)."""
    pid = container.attrs["State"]["Pid"]
    lines: list[str] = []
    for table in ("tcp", "tcp6"):
        try:
            with open(f"/proc/{pid}/net/{table}") as proc:
                lines += proc.read().splitlines()[1:]
        except FileNotFoundError:
            continue
    return listening_ports(lines)


def _probe(container: Container, targets: list[tuple[str, str, int]]) -> list[tuple[str, int]]:
    """Which (name, port) of targets answer a connection from container's network namespace."""
    if not targets:
        return []
    pid = str(container.attrs["State"]["Pid"])
    done = subprocess.run(
        ["nsenter", "-t", pid, "-n", sys.executable, "-c", PROBE, str(CONNECT_S)],
        input=json.dumps(targets).encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the probe in {container.name} failed: {done.stderr.decode().strip()[-400:]}")
    return [(str(name), int(port)) for name, port in json.loads(done.stdout)]


def policy_table(flows: Iterable[FlowInfo]) -> str:
    """The declared flows as the Markdown table docs/security.md holds."""
    lines = ["| from | to | port | protocol | why |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {f.source()} | {f.destination()} | {f.port} | {f.protocol} | {f.why} |" for f in flows]
    return "\n".join(lines) + "\n"
