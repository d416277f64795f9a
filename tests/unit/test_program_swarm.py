"""The Pulumi program across a swarm (hosting swarm), run against Pulumi mocks: which networks are
overlays, where ports are published, and what a recovery from a lost host declares."""

from __future__ import annotations

from dataclasses import replace

import pytest

from infra.config import load_stack_spec
from infra.declared import Declaration, Declared, declare
from infra.placement import RecoverySpec
from tests.unit.test_config import GOOD
from tests.unit.test_hosting import ADDRESSES, HOSTS, swarm_spec
from tests.unit.test_program import IMAGES, SECRETS

# The networks that join rooms, and whether each is internal.
JOINING = {
    "access-network": False,
    "backup-link": True,
    "mail-copy-link": True,
    "mail-restore-link": True,
    "intranet-network": True,
    "intranet-network-2": True,
    "lab-link": True,
}
PUBLISHERS = {  # container -> its room
    "appointments-nord-1": "nord-1",
    "lab-gateway-nord-1": "nord-1",
    "mail-front-nord-1": "nord-1",
    "imap-proxy-nord-1": "nord-1",
    "intranet-lb-nord-2": "nord-2",
    "intranet-lb-bellevue": "bellevue",
}


@pytest.fixture(scope="module")
def run() -> Declaration:
    return declare(swarm_spec(), IMAGES, SECRETS)


def networks(run: Declaration) -> dict[str, Declared]:
    return run.of_type("docker:index/network:Network")


def test_each_room_has_the_provider_of_its_host_and_the_swarm_one_of_the_first(run: Declaration) -> None:
    providers = {name: p.inputs["host"] for name, p in run.of_type("pulumi:providers:docker").items()}
    assert providers == {
        **{f"{room}-engine": host for room, host in HOSTS.items()},
        "biology-engine": "unix:///var/run/docker.sock",
        "swarm-engine": HOSTS["nord-1"],
    }


def test_networks_that_join_rooms_are_attachable_overlays_declared_through_the_swarm(
    run: Declaration,
) -> None:
    for name, internal in JOINING.items():
        network = networks(run)[name]
        assert network.inputs["driver"] == "overlay", name
        assert network.inputs["attachable"] is True, name
        assert bool(network.inputs.get("internal")) is internal, name
        assert "::swarm-engine::" in str(network.provider), name


def test_san_room_and_edge_networks_stay_bridges_on_their_room_engine(run: Declaration) -> None:
    for room in HOSTS:
        for name, internal in (
            (f"{room}-network", True),
            (f"{room}-san", True),
            (f"{room}-san-lmtp", True),
            (f"{room}-san-imap", True),
            (f"{room}-edge", False),  # it publishes the room's ports: a bridge that routes out
        ):
            network = networks(run)[name]
            assert network.inputs.get("driver") in (None, "bridge"), name
            assert bool(network.inputs.get("internal")) is internal, name
            assert f"::{room}-engine::" in str(network.provider), name
    stretched = {f"{room}-{part}-link" for room in HOSTS for part in ("san", "san-lmtp", "san-imap")}
    local = {
        f"{room}-{kind}" for room in HOSTS for kind in ("network", "san", "san-lmtp", "san-imap", "edge")
    }
    assert set(networks(run)) == set(JOINING) | stretched | local


def test_ports_are_published_on_the_room_address_from_its_edge_bridge_where_services_listen(
    run: Declaration,
) -> None:
    containers = run.of_type("docker:index/container:Container")
    for name, room in PUBLISHERS.items():
        container = containers[name]
        assert {port["ip"] for port in container.inputs["ports"]} == {ADDRESSES[room]}, name
        attached = {n["name"]: n.get("aliases") for n in container.inputs["networksAdvanced"]}
        host = container.inputs["name"]
        assert attached[f"hdrp-unit-{room}-edge"] == [f"edge.{host}"], name
        assert attached["hdrp-unit-access"] == [f"access.{host}"], name
        said = " ".join(container.inputs.get("envs", [])) + str(container.inputs.get("uploads", ""))
        assert f"edge.{host}" in said, name  # it binds there, or the published port would lead nowhere
    for name, container in containers.items():
        if name not in PUBLISHERS:
            assert not container.inputs.get("ports"), name
            assert not any(n["name"].endswith("-edge") for n in container.inputs["networksAdvanced"]), name


def test_the_topology_gives_each_endpoint_at_its_room_address(run: Declaration) -> None:
    topology = run.topology
    assert topology.hosting == "swarm"
    assert topology.service("appointments").endpoint("http") == "https://10.231.0.1:18081"
    assert topology.service("lab").endpoint("mllp") == "mllps://10.231.0.1:18575"
    assert topology.service("mail").endpoint("smtp") == "smtp://10.231.0.1:18025"
    assert topology.service("intranet").urls() == ("http://10.231.0.2:18080", "http://10.231.0.3:18090")
    assert {r.name: r.address for r in topology.machine_rooms()} == ADDRESSES


def test_a_lost_host_is_not_declared_and_the_swarm_provider_moves_to_a_standing_one() -> None:
    spec = swarm_spec()
    layout = spec.planned
    for part in ("storage", "appointments", "lab", "mail"):
        layout = layout.moved(part, "nord-2")
    layout = replace(layout, replicas=("nord-2", "bellevue"), balancers=("nord-2", "bellevue"))
    after = declare(replace(spec, recovery=RecoverySpec(layout, ("nord-1",), ("nord-1",))), IMAGES, SECRETS)
    declared = after.declared
    on_lost = [
        d.name for d in declared if "::nord-1-engine::" in str(d.provider) or d.name.endswith("nord-1")
    ]
    assert on_lost == []  # nothing through the lost host's engine, no component in its room
    providers = after.of_type("pulumi:providers:docker")
    assert "nord-1-engine" not in providers
    assert providers["swarm-engine"].inputs["host"] == HOSTS["nord-2"]
    assert set(JOINING) <= set(networks(after))  # the overlays live on, through another manager
    # The lost room stays in the topology: the plan and the experiments find its host there.
    assert after.topology.room("nord-1").docker_host == HOSTS["nord-1"]
    assert after.topology.service("appointments").endpoint("http") == "https://10.231.0.2:18081"


def test_on_one_engine_a_lost_room_is_still_declared() -> None:

    spec = load_stack_spec("unit", GOOD)
    layout = spec.planned.moved("storage", "nord-2")
    after = declare(replace(spec, recovery=RecoverySpec(layout, ("nord-1",), ("nord-1",))), IMAGES, SECRETS)
    assert "nord-1-engine" in after.of_type("pulumi:providers:docker")
    assert "swarm-engine" not in after.of_type("pulumi:providers:docker")
    assert not [n for n in networks(after) if n.endswith("-edge")]


def test_storage_restored_in_another_room_is_reached_over_its_stretched_san_and_the_apps_stay() -> None:
    spec = swarm_spec()
    layout = spec.planned.moved("storage", "nord-2")  # the SAN of nord-1 failed; its apps stand
    after = declare(replace(spec, recovery=RecoverySpec(layout, (), ("nord-1",))), IMAGES, SECRETS)
    links = {name: n for name, n in networks(after).items() if name.startswith("nord-2-san")}
    links = {name: n for name, n in links.items() if name.endswith("-link")}
    assert set(links) == {"nord-2-san-link", "nord-2-san-lmtp-link", "nord-2-san-imap-link"}
    for link in links.values():
        assert link.inputs["driver"] == "overlay" and link.inputs["internal"] is True
        assert labels(link)["hospital.san"] == "hdrp-unit-nord-2-san"  # a fault on that SAN takes it too
    containers = after.of_type("docker:index/container:Container")

    def joined(name: str) -> dict[str, list[str] | None]:
        return {n["name"]: n.get("aliases") for n in containers[name].inputs["networksAdvanced"]}

    assert "hdrp-unit-nord-2-san-link" in joined("postgres-nord-2")
    for app in ("appointments-nord-1", "lab-gateway-nord-1"):
        assert "hdrp-unit-nord-2-san-link" in joined(app) and "hdrp-unit-nord-2-san" not in joined(app), app
    assert "hdrp-unit-nord-2-san-lmtp-link" in joined("mail-front-nord-1")
    assert "hdrp-unit-nord-2-san-imap-link" in joined("imap-proxy-nord-1")
    store = containers["mailstore-nord-2"]
    assert joined("mailstore-nord-2")["hdrp-unit-nord-2-san-lmtp-link"] == [
        "lmtp-link.hdrp-unit-mailstore-nord-2"
    ]
    assert (
        "LMTP_LISTEN=lmtp.hdrp-unit-mailstore-nord-2 lmtp-link.hdrp-unit-mailstore-nord-2"
        in store.inputs["envs"]
    )
    # As planned, with the storage beside its users, only the storage joins its links.
    planned = declare(spec, IMAGES, SECRETS)
    users = [
        c.name
        for c in planned.of_type("docker:index/container:Container").values()
        if any(n["name"].endswith("-link") and "-san" in n["name"] for n in c.inputs["networksAdvanced"])
    ]
    assert sorted(users) == ["mailstore-nord-1", "postgres-nord-1"]
    # The plan deploys the storage alone first: its links are among the URNs it targets.
    urns = after.topology.room("nord-2").storage_urns
    assert (
        "urn:pulumi:unit::hospital-drp::hospital:infra:Swarm$docker:index/network:Network::nord-2-san-link"
        in urns
    )


def labels(d: Declared) -> dict[str, str]:
    return {item["label"]: item["value"] for item in d.inputs["labels"]}
