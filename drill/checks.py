"""Checks of a deployed stack: its containers and its services, by real requests."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass

import docker
import docker.errors
import requests

from drill.engines import ContainerHealth, engine
from drill.workload import clients
from infra.topology import Topology


@dataclass(frozen=True)
class Check:
    """One thing checked: what, whether it passed, and what was seen."""

    subject: str
    ok: bool
    seen: str


def check_stack(topology: Topology) -> list[Check]:
    """Check that every container runs (and is healthy) and every service answers."""
    # Only the engines of rooms that hold a container: a lost host's engine may not answer at all.
    hosts = {room.name: room.docker_host for room in topology.rooms}
    checks = [_container(hosts[c.room], c.name) for c in topology.containers()]
    tls = clients.tls_context(topology.tls_ca) if topology.tls_ca else None
    checks += [
        _http(f"{s.name} {s.health_url}", s.health_url, tls) for s in topology.services if s.health_url
    ]
    return checks


def _container(docker_host: str, name: str) -> Check:
    try:
        found = ContainerHealth.of(name, engine(docker_host).containers.get(name))
    except docker.errors.NotFound:
        found = ContainerHealth.of(name, None)
    except (docker.errors.DockerException, requests.exceptions.ConnectionError) as exc:
        return Check(f"container {name}", False, f"its engine does not answer ({str(exc)[:80]})")
    return Check(f"container {name}", found.is_ready, str(found))


def _http(subject: str, url: str, tls: ssl.SSLContext | None) -> Check:
    """GET url: HTTPS checked against the stack's CA (a certificate it did not issue fails)."""
    try:
        context = tls if url.startswith("https://") else None
        with urllib.request.urlopen(url, timeout=5, context=context) as answer:  # noqa: S310 - 127.0.0.1
            return Check(subject, answer.status == 200, f"HTTP {answer.status}")
    except urllib.error.HTTPError as exc:
        return Check(subject, False, f"HTTP {exc.code}")
    except OSError as exc:
        return Check(subject, False, f"no answer ({exc})")
