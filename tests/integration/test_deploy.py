"""A real deploy: idempotence, networks and ports, and a clean teardown."""

from __future__ import annotations

from drill import stack as stacks
from infra.labels import selector
from tests.integration.conftest import STACK, Deployed
from tests.integration.engine import client


def test_first_up_created_every_container_network_and_volume(deployed: Deployed) -> None:
    # 3 providers, 8 networks, 4 volumes, 6 containers (and the components)
    assert deployed.first_up_changes.get("create", 0) >= 3 + 8 + 4 + 6
    names = {c.name for c in client().containers.list(filters=selector(STACK))}
    assert names == {c.name for c in deployed.topology.containers()}


def test_a_second_up_changes_nothing(deployed: Deployed) -> None:
    again = stacks.up(deployed.paths, STACK)
    assert not again.changed, again.changes
    assert again.topology == deployed.topology


def test_room_and_san_networks_are_internal_and_access_is_not(deployed: Deployed) -> None:
    docker_client = client()
    for room in deployed.topology.machine_rooms():
        for name in (room.network, room.san_network):
            assert docker_client.networks.get(name).attrs["Internal"] is True, name
    # the biology platform's lab link and the intranet's own network are internal too
    intranet = [f"{deployed.topology.prefix}-intranet", f"{deployed.topology.prefix}-intranet-2"]
    for name in (deployed.topology.room("biology").network, *intranet):
        assert docker_client.networks.get(name).attrs["Internal"] is True, name
    assert docker_client.networks.get(deployed.topology.access_network).attrs["Internal"] is False


def test_ports_are_published_on_loopback_only(deployed: Deployed) -> None:
    published = []
    for container in client().containers.list(filters=selector(STACK)):
        for bindings in (container.attrs["HostConfig"]["PortBindings"] or {}).values():
            published += [b["HostIp"] for b in bindings or []]
    assert published and set(published) == {"127.0.0.1"}


def test_every_container_carries_room_tier_and_service_labels(deployed: Deployed) -> None:
    for info in deployed.topology.containers():
        labels = client().containers.get(info.name).labels
        assert labels["hospital.room"] == info.room
        assert labels["hospital.tier"] == info.tier
        assert labels["hospital.service"] == info.service


def test_no_container_is_privileged_or_adds_capabilities(deployed: Deployed) -> None:
    for info in deployed.topology.containers():
        host_config = client().containers.get(info.name).attrs["HostConfig"]
        assert host_config["Privileged"] is False, info.name
        assert not host_config["CapAdd"], info.name
