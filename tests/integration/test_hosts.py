"""The rooms' three Docker hosts and the platform's on one machine (drill/hosts/harness.py): made,
joined as a Swarm of three managers and a worker, a container on one host reaches one on another
over an attachable overlay, `up` again changes nothing, and `down` leaves nothing of them on the
machine.

The base image is loaded from the main engine into the hosts that run it (there is no registry).
A connection to a closed port of the other container is refused at once: the refusal is the
other host's kernel answering over the overlay (an unreachable peer would time out).
"""

from __future__ import annotations

import socket
import subprocess
import time
import uuid
from contextlib import closing

import pytest

from drill.hosts import harness
from infra.docker_hosts import LOCAL_ENGINE
from infra.image_loading import load_images
from tests.integration.engine import client

pytestmark = pytest.mark.docker
BASE = "hospital-drp/base:bookworm"


@pytest.fixture(scope="module")
def hosts(harness_hosts: list[harness.HostStatus]) -> list[harness.HostStatus]:
    """The session's hosts (conftest: `down` at the end must leave nothing of them)."""
    return harness_hosts


def test_the_hosts_form_a_swarm_of_three_managers_and_a_worker_and_up_again_keeps_it(
    hosts: list[harness.HostStatus],
) -> None:
    assert [s.host.name for s in hosts] == ["hdrp-host-1", "hdrp-host-2", "hdrp-host-3", "hdrp-host-4"]
    assert all(s.namespace and s.engine for s in hosts)
    rooms, platform = hosts[:3], hosts[3]
    assert all("active manager" in s.swarm and s.managers == 3 for s in rooms), hosts
    assert platform.swarm == "active worker" and platform.managers == 0, platform
    assert harness.whole(hosts)
    assert sum("leader" in s.swarm for s in hosts) == 1
    ids = set()
    for s in hosts:
        with closing(harness.engine(s.host)) as engine:
            ids.add(engine.info()["ID"])
    assert len(ids) == 4  # an engine of its own each, not one engine seen three times
    started = time.monotonic()
    again = harness.up()
    assert [(s.engine, s.managers) for s in again] == [(s.engine, s.managers) for s in hosts]
    assert time.monotonic() - started < 30  # nothing made again: no engine restarted
    assert client().info()["Swarm"]["LocalNodeState"] == "inactive"  # the main engine untouched


def test_a_container_reaches_one_on_another_host_over_an_overlay(hosts: list[harness.HostStatus]) -> None:
    first, second = hosts[0].host, hosts[1].host
    hosts_of = [first.docker_host, second.docker_host, LOCAL_ENGINE]
    loaded = load_images({host: [BASE] for host in hosts_of})
    assert [(got.docker_host, got.images) for got in loaded] == [(h, (BASE,)) for h in sorted(hosts_of[:2])]
    assert all(got.bytes_sent > 100_000_000 for got in loaded)
    assert load_images({host: [BASE] for host in hosts_of}) == []  # present: skipped
    name = f"hdrp-hosts-test-{uuid.uuid4().hex[:6]}"
    with (
        closing(harness.engine(first, timeout=60)) as one,
        closing(harness.engine(second, timeout=60)) as two,
    ):
        network = one.networks.create(name, driver="overlay", attachable=True, internal=True)
        try:
            target = one.containers.run(BASE, ["sleep", "120"], name=f"{name}-a", network=name, detach=True)
            # A new swarm's gossip takes a while to tell host 2 where the target is: try for 40 s
            # at most, each connection given 2 s.
            probe = (  # $0, the target's name, expanded by this shell, not by the one timeout runs
                'for try in $(seq 1 20); do timeout 2 bash -c "exec 3<>/dev/tcp/$0/9" 2>&1;'
                " code=$?; [ $code = 124 ] || break; done; echo exit=$code tries=$try"
            )
            said = two.containers.run(BASE, ["bash", "-c", probe, f"{name}-a"], network=name, remove=True)
            target.remove(force=True)
        finally:
            network.remove()
    text = said.decode()
    assert "Connection refused" in text and "exit=1 " in text, text  # answered, not timed out (124)


def test_the_machine_reaches_each_host_at_its_address(hosts: list[harness.HostStatus]) -> None:
    """From the root namespace, over its own link to the switch: each manager's swarm port answers,
    the worker's kernel refuses it."""
    for status in hosts:
        if status.host.manager:
            with socket.create_connection((status.host.address, 2377), timeout=5):
                pass
        else:  # a worker has no swarm port: its kernel refuses at once, which is an answer
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection((status.host.address, 2377), timeout=5)
    listed = subprocess.run(["ip", "-o", "addr", "show", harness.ROOT_LINK], capture_output=True, check=True)
    assert f"{harness.HARNESS_IP}/24" in listed.stdout.decode()
