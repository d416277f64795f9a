"""The intranet, checked inside its containers (testinfra) and over HTTP from the host."""

from __future__ import annotations

import json
import logging
import time
import urllib.request

import pytest
import testinfra

from drill.chaos import room_loss
from drill.workload import clients
from infra.labels import selector
from tests.integration.conftest import STACK, Deployed
from tests.integration.engine import client, listens_only_on, servers, wait_healthy

log = logging.getLogger(__name__)
LOOKUPS = 100


def get(url: str) -> tuple[int, dict[str, object] | list[object], str]:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.status, json.loads(answer.read()), answer.headers.get("X-Intranet-Replica", "")


def replica_host(deployed: Deployed, room: str) -> testinfra.host.Host:
    return testinfra.get_host(f"docker://{deployed.topology.prefix}-intranet-{room}")


def test_replica_runs_python_as_intranet_user_listening_on_8000(deployed: Deployed) -> None:
    for room in ("nord-2", "bellevue"):
        host = replica_host(deployed, room)
        assert host.package("python3").is_installed
        [process] = servers(host, "services.intranet.intranet")
        assert process.user == "intranet"
        name = f"{deployed.topology.prefix}-intranet-{room}"
        networks = client().containers.get(name).attrs["NetworkSettings"]["Networks"]
        [own] = [n for n in networks if n.startswith(f"{deployed.topology.prefix}-intranet")]
        listens_only_on(host, name, 8000, [own])
        assert host.file("/var/lib/intranet/intranet.db").user == "intranet"
        assert host.user().name == "intranet"


def test_each_balancer_runs_haproxy_unprivileged_over_both_replicas(deployed: Deployed) -> None:
    prefix = deployed.topology.prefix
    for room in ("nord-2", "bellevue"):
        host = testinfra.get_host(f"docker://{prefix}-intranet-lb-{room}")
        assert host.package("haproxy").is_installed
        assert host.process.filter(comm="haproxy")
        assert all(p.user == "haproxy" for p in host.process.filter(comm="haproxy"))
        listens_only_on(host, f"{prefix}-intranet-lb-{room}", 8080, [deployed.topology.access_network])
        config = host.file("/etc/haproxy/haproxy.cfg").content_string
        # each replica by the name it keeps on the intranet's network wherever it stands
        assert "intranet-replica-1:8000 check" in config
        assert "intranet-replica-2:8000 check" in config


def test_directory_answers_through_each_balancer_from_both_replicas(deployed: Deployed) -> None:
    urls = deployed.topology.service("intranet").urls()
    assert len(urls) == 2
    for url in urls:
        status, health, _ = get(f"{url}/health")
        assert status == 200 and isinstance(health, dict) and health["staff"] == 7300
        seen = set()
        for _ in range(6):
            status, people, replica = get(f"{url}/directory?q=Martin")
            assert status == 200 and isinstance(people, list) and people
            seen.add(replica)
        assert seen == {"nord-2", "bellevue"}, url


def test_losing_one_replica_costs_zero_failed_requests(deployed: Deployed) -> None:
    url = deployed.topology.service("intranet").endpoint("http")
    victim = client().containers.get(f"{deployed.topology.prefix}-intranet-nord-2")
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


@pytest.mark.parametrize("room", ["nord-2", "bellevue"])
def test_losing_a_whole_room_costs_zero_failed_lookups(deployed: Deployed, room: str) -> None:
    """Power loss: every container of the room is killed; users fail over to the other balancer."""
    urls = deployed.topology.service("intranet").urls()
    in_room = {c.name for c in deployed.topology.containers() if c.room == room}
    labels = selector(STACK, room)
    lost = room_loss.power_off_room(room, STACK)
    failures: list[str] = []
    failovers, slowest = 0, 0.0
    clients.forget_missed()  # a user who starts now: no address held aside from another test's loss
    began = time.monotonic()
    try:
        assert set(lost) == in_room and f"{deployed.topology.prefix}-intranet-lb-{room}" in lost
        assert client().containers.list(filters=labels) == []  # nothing of the room runs
        for i in range(LOOKUPS):
            started = time.monotonic()
            try:
                answer = clients.http_json_any("GET", [f"{url}/directory/{1 + i}" for url in urls])
            except (clients.Unsent, clients.Unanswered) as exc:
                failures.append(f"lookup {i}: {exc}")
                continue
            finally:
                slowest = max(slowest, time.monotonic() - started)
            failovers += answer.failovers > 0
            person = answer.body
            if answer.status != 200 or not isinstance(person, dict) or person.get("id") != 1 + i:
                failures.append(f"lookup {i}: HTTP {answer.status} {person}")
    finally:
        room_loss.power_on_room(room, STACK)
        for name in in_room:
            wait_healthy(name, timeout_s=120)
    log.info(
        "room %s lost (%d containers): %d lookups, %d failed, %d failed over, slowest %.3f s",
        room,
        len(lost),
        LOOKUPS,
        len(failures),
        failovers,
        slowest,
    )
    assert failures == []
    # Lookups ask the first balancer (nord-2's) first: only when it is lost does one fail over, and
    # then the client holds its address aside for MISSED_HOLD_S (tries it again once each hold ends).
    if room == "nord-2":
        holds = 1 + int((time.monotonic() - began) / clients.MISSED_HOLD_S)
        assert 1 <= failovers <= holds, (failovers, holds)
    else:
        assert failovers == 0
