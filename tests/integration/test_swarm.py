"""Rooms on separate Docker hosts (hosting swarm): the `swarm` stack on the four hosts `drill hosts`
makes on this machine, each room on its own engine, joined by overlays.

What must hold there as on one engine: every service answers from this machine at its room's
address, the flow policy holds across hosts, the storage's failure is recovered with nothing
acknowledged lost (the apps stay, over the SAN stretched); and a room's host cut off from the
network, its engine and containers still running, is recovered on the surviving hosts with
nothing lost and fenced when it comes back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass

import pytest

from drill import stack as stacks
from drill.doctor import hosts_of
from drill.flows import check_flows
from drill.gameday.experiments import load_experiment
from drill.gameday.run import GamedayOptions, run_gameday
from drill.hosts import harness
from drill.leftovers import remove_leftovers
from drill.paths import StatePaths, state_paths
from drill.records.summary import GamedaySummary, load_summary
from drill.workload import clients
from drill.workspace import check_stack_config
from infra.labels import selector
from infra.topology import Topology
from tests.integration.conftest import Deployed

pytestmark = pytest.mark.docker
STACK = "swarm"
RESTORED = ("appointments", "lab", "mail")


@dataclass(frozen=True)
class Swarm:
    paths: StatePaths
    topology: Topology


@pytest.fixture(scope="module")
def swarm(deployed: Deployed, harness_hosts: list[harness.HostStatus]) -> Iterator[Swarm]:
    """The swarm stack on the session's hosts (deployed: the session's checks of the engine ran)."""
    paths = state_paths()
    try:
        assert harness.whole(harness_hosts)
        stacks.down(paths, STACK)  # what a crashed run may have left
        every = {room.docker_host for room in check_stack_config(STACK).rooms}
        remove_leftovers(STACK, every)  # and what another checkout's state left on these hosts
        result = stacks.up(paths, STACK)
        yield Swarm(paths, result.topology)
    finally:
        # The hosts go, and all on them: the stack's state is dropped with them, nothing destroyed
        # one by one (a minute of `make test` saved); nothing of the harness may be left after.
        assert harness.down() == []
        stacks.forget(paths, STACK)


def on_host(host: harness.Host, stack: str = STACK) -> set[str]:
    """The names of the stack's containers on host's engine."""
    with closing(harness.engine(host, timeout=30)) as client:
        return {c.name for c in client.containers.list(all=True, filters=selector(stack))}


def test_each_room_stands_on_its_own_host_joined_by_overlays(swarm: Swarm) -> None:
    topology = swarm.topology
    assert topology.hosting == "swarm"
    for room in topology.rooms:
        host = harness.host_of(room.docker_host)
        assert host is not None, room
        placed = {c.name for c in topology.containers() if c.room == room.name}
        assert placed and on_host(host) == placed, room.name  # each container on its room's engine
    with closing(harness.engine(harness.HOSTS[1], timeout=30)) as client:
        scopes = {
            n.name: (n.attrs["Driver"], n.attrs["Scope"])
            for n in client.networks.list(filters=selector(STACK))
        }
    for joining in (
        topology.access_network,
        topology.backup_link,
        "hdrp-swarm-lab-link",
        "hdrp-swarm-intranet",
    ):
        assert scopes[joining] == ("overlay", "swarm"), joining
    assert scopes["hdrp-swarm-nord-2-san"] == ("bridge", "local")  # a SAN stays its room's
    assert "hdrp-swarm-nord-1-san" not in scopes  # another room's bridge is not on this engine
    found = {f.part: f for f in hosts_of(STACK)}  # what `drill --stack swarm doctor` checks
    assert all(f.ok for f in found.values()), [f for f in found.values() if not f.ok]
    assert found["room nord-1: swarm"].detail == "active manager"
    assert found["biology platform: swarm"].detail == "active worker"
    assert "3 managers (quorum 2)" in found["swarm: one, with its quorum"].detail


def test_every_service_answers_from_this_machine_at_its_room_address(swarm: Swarm) -> None:
    topology = swarm.topology
    tls = clients.tls_context(topology.tls_ca)
    addresses = {room.name: room.address for room in topology.machine_rooms()}
    assert addresses == {"nord-1": "10.231.0.1", "nord-2": "10.231.0.2", "bellevue": "10.231.0.3"}
    for name in ("appointments", "lab"):
        url = topology.service(name).health_url
        assert url.startswith("https://10.231.0.1:"), url
        status, _ = clients.http_json("GET", url, tls=tls)  # its certificate names the room's address
        assert status == 200, name
    for url in topology.service("intranet").urls():
        assert clients.http_json("GET", f"{url}/health")[0] == 200, url
    clients.smtp_send(
        topology.service("mail").endpoint("smtp"),
        "probe@chu.test",
        topology.mail.mailbox(1),
        "<s@x>",
        "x",
        tls,
    )


def test_the_flow_policy_holds_across_hosts(swarm: Swarm) -> None:
    found = check_flows(swarm.topology)
    assert found.undeclared == (), "\n".join(map(str, found.undeclared))
    assert found.failing == (), "\n".join(map(str, found.failing))
    assert found.unused == () and found.probes > 100


def gameday(swarm: Swarm, name: str, lost_room: str = "nord-2") -> GamedaySummary:
    run = run_gameday(swarm.paths, load_experiment(name), GamedayOptions(STACK, lost_room=lost_room))
    summary = load_summary(run.folder / "summary.json")
    assert summary == run.summary
    return summary


def passed_losing_nothing(summary: GamedaySummary) -> None:
    assert summary.reasons == () and summary.passed is True
    assert summary.intranet_failed_requests == 0
    assert summary.drift_after == 0
    for name in RESTORED:
        service = summary.services[name]
        assert service.restored is True and service.acked > 0, name
        assert service.lost == 0 and service.unexpected == 0, name
        assert service.rto_s is not None and service.rto_s > 0, name


def test_storage_failure_is_recovered_across_hosts_with_nothing_lost(swarm: Swarm) -> None:
    summary = gameday(swarm, "storage-failure")
    passed_losing_nothing(summary)
    after = stacks.current_topology(swarm.paths, STACK)
    assert after is not None and after.recovered
    [array] = after.service("storage").containers
    assert array.room == "nord-2"  # restored on another host; the apps stayed, over the stretched SAN
    assert {c.room for c in after.service("appointments").containers} == {"nord-1"}


def test_a_host_cut_off_is_recovered_on_the_others_and_fenced_when_it_returns(swarm: Swarm) -> None:
    lost = harness.host_of(swarm.topology.room("nord-1").docker_host)
    assert lost is not None
    summary = gameday(swarm, "host-cut", lost_room="nord-1")
    passed_losing_nothing(summary)
    detail = next(s for s in summary.steps if s.name == "assess-damage").detail
    assert "nord-1 lost entire" in detail  # placed by rule on the surviving hosts
    assert "storage: nord-1 -> nord-2" in detail and "not the vault's room" in detail
    assert "appointments: nord-1 -> nord-2 (beside the storage" in detail
    after = stacks.current_topology(swarm.paths, STACK)
    assert after is not None and after.lost_rooms == ("nord-1",)
    assert not [c for c in after.containers() if c.room == "nord-1"]
    # Came back isolated, fenced, then plugged in: nothing of the stack on it, the swarm whole again.
    assert harness.link_is_up(lost)
    assert on_host(lost) == set()
    assert harness.whole(harness.status())
