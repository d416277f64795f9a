"""The intranet, checked inside its containers (testinfra) and over HTTP from the host."""

from __future__ import annotations

import json
import urllib.request

import docker
import testinfra

from tests.integration.conftest import Deployed


def get(url: str) -> tuple[int, dict[str, object] | list[object], str]:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.status, json.loads(answer.read()), answer.headers.get("X-Intranet-Replica", "")


def replica_host(deployed: Deployed, room: str) -> testinfra.host.Host:
    return testinfra.get_host(f"docker://{deployed.topology.prefix}-intranet-{room}")


def test_replica_runs_python_as_intranet_user_listening_on_8000(deployed: Deployed) -> None:
    for room in ("nord-2", "bellevue"):
        host = replica_host(deployed, room)
        assert host.package("python3").is_installed
        # (a health check, `intranet.py --check`, may be running beside the server)
        [process] = [p for p in host.process.filter(comm="python3") if "--check" not in p.args]
        assert process.user == "intranet"
        assert host.socket("tcp://0.0.0.0:8000").is_listening
        assert host.file("/var/lib/intranet/intranet.db").user == "intranet"
        assert host.user().name == "intranet"


def test_balancer_runs_haproxy_unprivileged_with_our_config(deployed: Deployed) -> None:
    host = testinfra.get_host(f"docker://{deployed.topology.prefix}-intranet-lb")
    assert host.package("haproxy").is_installed
    assert host.process.filter(comm="haproxy")
    assert all(p.user == "haproxy" for p in host.process.filter(comm="haproxy"))
    assert host.socket("tcp://0.0.0.0:8080").is_listening
    config = host.file("/etc/haproxy/haproxy.cfg").content_string
    assert f"{deployed.topology.prefix}-intranet-bellevue:8000 check" in config


def test_directory_answers_through_haproxy_from_both_replicas(deployed: Deployed) -> None:
    url = deployed.topology.service("intranet").endpoint("http")
    status, health, _ = get(f"{url}/health")
    assert status == 200 and isinstance(health, dict) and health["staff"] == 7300
    seen = set()
    for _ in range(6):
        status, people, replica = get(f"{url}/directory?q=Martin")
        assert status == 200 and isinstance(people, list) and people
        seen.add(replica)
    assert seen == {"nord-2", "bellevue"}


def test_losing_one_replica_costs_zero_failed_requests(deployed: Deployed) -> None:
    url = deployed.topology.service("intranet").endpoint("http")
    victim = docker.DockerClient(base_url="unix:///var/run/docker.sock").containers.get(
        f"{deployed.topology.prefix}-intranet-nord-2"
    )
    failures, replicas = [], set()
    victim.kill()
    try:
        for i in range(200):
            try:
                status, person, replica = get(f"{url}/directory/{1 + i}")
                replicas.add(replica)
                if status != 200 or not isinstance(person, dict) or person["id"] != 1 + i:
                    failures.append(f"request {i}: {status}")
            except OSError as exc:
                failures.append(f"request {i}: {exc}")
    finally:
        victim.start()
    assert failures == []
    assert replicas == {"bellevue"}
