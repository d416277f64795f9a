"""hospital-drp:hosting: one engine (shared) or a host per room (swarm), checked against the rooms."""

from __future__ import annotations

import copy

import pytest

from drill.errors import ConfigError
from infra.config import StackSpec, load_stack_spec
from tests.unit.test_config import GOOD

HOSTS = {room: f"unix:///run/hosts/{room}/docker.sock" for room in ("nord-1", "nord-2", "bellevue")}
ADDRESSES = {"nord-1": "10.231.0.1", "nord-2": "10.231.0.2", "bellevue": "10.231.0.3"}


def swarm_config(**rooms_changed: dict[str, object]) -> dict[str, object]:
    """GOOD across a swarm: each room on its own host, at its own address (rooms_changed: fields
    replaced per room; a field set to None is removed)."""
    raw = copy.deepcopy(GOOD)
    raw["hosting"] = "swarm"
    rooms = raw["rooms"]
    assert isinstance(rooms, dict)
    for room, fields in rooms.items():
        fields.update(docker_host=HOSTS[room], address=ADDRESSES[room])
        for key, value in rooms_changed.get(room.replace("-", "_"), {}).items():
            if value is None:
                fields.pop(key)
            else:
                fields[key] = value
    return raw


SWARM = swarm_config()


def swarm_spec() -> StackSpec:
    return load_stack_spec("unit", SWARM)


def test_a_swarm_puts_each_room_on_its_host_at_its_address() -> None:
    spec = swarm_spec()
    assert spec.swarm and spec.hosting == "swarm"
    assert {r.name: r.docker_host for r in spec.rooms} == HOSTS
    assert {r.name: r.publish_ip for r in spec.rooms} == ADDRESSES


def test_shared_is_the_default_and_may_be_written() -> None:
    assert load_stack_spec("unit", GOOD).hosting == "shared"
    assert load_stack_spec("unit", {**GOOD, "hosting": "shared"}).hosting == "shared"


def with_rooms(raw: dict[str, object], room: str, **fields: object) -> dict[str, object]:
    changed = copy.deepcopy(raw)
    rooms = changed["rooms"]
    assert isinstance(rooms, dict)
    rooms[room].update(fields)
    return changed


@pytest.mark.parametrize(
    ("raw", "named", "fix"),
    [
        ({**GOOD, "hosting": "kubernetes"}, "hosting 'kubernetes' is not one of shared, swarm", "swarm"),
        (
            with_rooms(GOOD, "nord-2", docker_host="tcp://127.0.0.1:2375"),
            "is shared (the default), but the rooms name 2 Docker hosts",
            "set `hospital-drp:hosting: swarm`",
        ),
        (
            with_rooms(GOOD, "bellevue", address="10.231.0.3"),
            "rooms.bellevue.address is set, but hospital-drp:hosting is shared",
            "remove it",
        ),
        (
            swarm_config(nord_2={"docker_host": HOSTS["nord-1"]}),
            "rooms.nord-2.docker_host is unix:///run/hosts/nord-1/docker.sock, the host of room nord-1",
            "drill hosts up",
        ),
        (swarm_config(bellevue={"address": None}), "rooms.bellevue.address is missing", "10.231.0.1"),
        (swarm_config(nord_2={"address": "10.231.0.1"}), "two rooms have the address 10.231.0.1", "own host"),
        (swarm_config(nord_1={"address": "127.0.0.1"}), "is not an address other hosts reach", "10.231.0.1"),
        (swarm_config(nord_1={"address": "0.0.0.0"}), "is not an address other hosts reach", "address"),
        (swarm_config(nord_1={"address": "nord-1.chu.test"}), "is not an IPv4 address", "10.231.0.1"),
        (swarm_config(nord_1={"address": 10}), "is not an IPv4 address", "10.231.0.1"),
    ],
)
def test_bad_hosting_names_the_key_and_the_fix(raw: dict[str, object], named: str, fix: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_stack_spec("unit", raw)
    said = str(caught.value)
    assert named in said, said
    assert fix in said.split("Fix:", 1)[1], said


def test_a_swarm_of_two_rooms_would_lose_its_quorum_with_either() -> None:
    raw = copy.deepcopy(SWARM)
    rooms = raw["rooms"]
    assert isinstance(rooms, dict)
    del rooms["nord-2"]
    raw["intranet"] = {
        "replicas": ["nord-1", "bellevue"],
        "balancers": ["nord-1", "bellevue"],
        "ports": [1080, 1090],
    }
    with pytest.raises(ConfigError, match="swarm with 2 rooms: a swarm of fewer than three managers"):
        load_stack_spec("unit", raw)
