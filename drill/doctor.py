"""`drill doctor`: every part of the toolchain, its version, and the fix for what is wrong; and the
Docker hosts of the stack's rooms (across a swarm: each a manager of one swarm that has its quorum)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import docker
import docker.errors
import requests

from drill.errors import DrillError
from drill.paths import StatePaths
from drill.toolchain.bootstrap import toolchain_steps
from drill.toolchain.pulumi_env import pulumi_env
from drill.workspace import check_stack_config
from infra.config import StackSpec
from infra.docker_hosts import docker_client

PYTHON_PACKAGES = ("pulumi", "pulumi-docker", "chaostoolkit", "chaostoolkit-lib", "docker", "rich", "pytest")


@dataclass(frozen=True)
class Finding:
    """One part of the toolchain: found (with its version) or not (with the fix)."""

    part: str
    ok: bool
    detail: str
    fix: str = ""


def examine(paths: StatePaths, stack: str = "") -> list[Finding]:
    """Look at every part (and the hosts of stack's rooms, when given) without changing anything."""
    findings = [_python_package(name) for name in PYTHON_PACKAGES]
    findings.append(
        _program(
            "Go", ["go", "version"], "install Go 1.26 or newer (it builds the Pulumi CLI and the plugin)"
        )
    )
    findings.append(_program("Docker client", ["docker", "--version"], "apt-get install -y docker.io"))
    for step in toolchain_steps(paths):
        found = step.existing()
        findings.append(Finding(step.name, found is not None, found or "missing or broken", step.fix))
    env = pulumi_env(paths)
    findings.append(
        Finding(
            "engine settings",
            True,
            f"PULUMI_HOME={env['PULUMI_HOME']}, backend {env['PULUMI_BACKEND_URL']}, "
            "plugin downloads and update checks off",
        )
    )
    return findings + (hosts_of(stack) if stack else [])


def hosts_of(stack: str) -> list[Finding]:
    """Each room's Docker host (and the platform's) answers; across a swarm, each room's is a manager
    of the same swarm, the platform's a node of it, and the swarm's managers keep a quorum."""
    try:
        spec = check_stack_config(stack)
    except DrillError as exc:
        return [Finding(f"stack {stack}: config", False, exc.what, exc.fix)]
    fix = "run `drill hosts up`" if spec.swarm else "start the Docker engine (`make bootstrap`)"
    sites = [(f"room {room.name}", room.docker_host) for room in spec.rooms]
    sites.append(("biology platform", spec.lab.platform_host))
    seen: dict[str, dict[str, object]] = {}  # docker_host -> what its engine says of its swarm
    findings = []
    for site, host in sites:
        try:
            if host not in seen:
                swarm = docker_client(host, timeout_s=10).info().get("Swarm", {})
                seen[host] = {
                    "cluster": str((swarm.get("Cluster") or {}).get("ID", "")),
                    "state": str(swarm.get("LocalNodeState")),
                    "manager": bool(swarm.get("ControlAvailable")),
                    "managers": int(swarm.get("Managers", 0) or 0),
                    "node": str(swarm.get("NodeID", "")),
                }
        except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as exc:
            findings.append(
                Finding(f"{site}: engine", False, f"{host} does not answer ({str(exc)[:80]})", fix)
            )
            continue
        findings.append(Finding(f"{site}: engine", True, host))
        if spec.swarm:
            findings.append(_node(site, seen[host], fix))
    if spec.swarm:
        findings.append(_one_swarm(spec, seen, fix))
    return findings


def _node(site: str, node: dict[str, object], fix: str) -> Finding:
    """A room's host must be an active manager; the platform's may be a worker."""
    role = "manager" if node["manager"] else "worker"
    wanted = site == "biology platform" or bool(node["manager"])
    return Finding(
        f"{site}: swarm",
        node["state"] == "active" and wanted,
        f"{node['state']} {role}",
        fix
        if wanted
        else f"{fix}: a room's host must be a manager (`docker swarm join` with the manager token)",
    )


def _one_swarm(spec: StackSpec, seen: dict[str, dict[str, object]], fix: str) -> Finding:
    """Every host is a node of one swarm, whose managers keep a quorum."""
    managers = [node for node in seen.values() if node["manager"]]
    clusters = {str(node["cluster"]) for node in managers}
    listed: set[str] = set()
    if managers:
        host = next(h for h, node in seen.items() if node["manager"])
        listed = {str(n.id) for n in docker_client(host, timeout_s=10).nodes.list()}
    strays = [h for h, node in seen.items() if node["node"] not in listed]
    quorum = len(spec.rooms) // 2 + 1
    count = max((int(str(node["managers"])) for node in managers), default=0)
    return Finding(
        "swarm: one, with its quorum",
        len(clusters) == 1 and not strays and count >= quorum,
        f"{len(clusters)} swarm(s) of managers, {count} managers (quorum {quorum})"
        + (f"; not in it: {', '.join(strays)}" if strays else ""),
        fix,
    )


def _python_package(name: str) -> Finding:
    try:
        return Finding(f"python: {name}", True, version(name))
    except PackageNotFoundError:
        return Finding(f"python: {name}", False, "not installed", "make venv")


def _program(part: str, argv: list[str], fix: str) -> Finding:
    try:
        done = subprocess.run(argv, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return Finding(part, False, "not found", fix)
    text = done.stdout.decode().strip().splitlines()
    if done.returncode != 0 or not text:
        return Finding(part, False, "does not run", fix)
    return Finding(part, True, text[0])
