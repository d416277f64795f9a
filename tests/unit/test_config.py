"""load_stack_spec: good config gives typed specs; bad config names the key and the fix."""

from __future__ import annotations

import copy

import pytest

from drill.errors import ConfigError
from infra.config import load_stack_spec
from infra.docker_hosts import LOCAL_ENGINE

GOOD: dict[str, object] = {
    "rooms": {
        "nord-1": {"site": "Hôpital Nord"},
        "nord-2": {"site": "Hôpital Nord"},
        "bellevue": {"site": "Bellevue IT centre"},
    },
    "intranet": {
        "replicas": ["nord-2", "bellevue"],
        "balancers": ["nord-2", "bellevue"],
        "ports": [18080, 18090],
    },
    "storage": {"array_room": "nord-1"},
    "vault": {"room": "bellevue", "base_backup_interval_s": 600},
    "appointments": {"room": "nord-1", "port": 18081},
    "lab": {"room": "nord-1", "mllp_port": 18575, "api_port": 18082, "analysers": 2, "stat_share": 0.25},
    "mail": {"room": "nord-1", "smtp_port": 18025, "imap_port": 18143},
}


def with_change(path: tuple[str, ...], value: object) -> dict[str, object]:
    raw = copy.deepcopy(GOOD)
    node: dict[str, object] = raw
    for key in path[:-1]:
        child = node[key]
        assert isinstance(child, dict)
        node = child
    node[path[-1]] = value
    return raw


def test_good_config_gives_rooms_in_order_with_default_engine() -> None:
    spec = load_stack_spec("gameday", GOOD)
    assert [r.name for r in spec.rooms] == ["nord-1", "nord-2", "bellevue"]
    assert {room.docker_host for room in spec.rooms} == {LOCAL_ENGINE}
    assert spec.hosting == "shared" and not spec.swarm
    assert {room.publish_ip for room in spec.rooms} == {"127.0.0.1"}
    assert spec.intranet.replica_rooms == ("nord-2", "bellevue")
    assert spec.intranet.balancer_rooms == ("nord-2", "bellevue")
    assert spec.intranet.ports == (18080, 18090)
    assert spec.prefix == "hdrp-gameday"
    assert spec.vault.room == "bellevue" and spec.storage.array_room == "nord-1"
    assert spec.appointments.port == 18081
    assert (spec.lab.mllp_port, spec.lab.rate_per_s, spec.lab.stat_share) == (18575, 1.0, 0.25)


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        (("intranet", "replicas"), ["nord-2", "pasteur"], "unknown room 'pasteur'"),
        (("intranet", "balancers"), ["nord-2", "pasteur"], "intranet.balancers names unknown room 'pasteur'"),
        (("intranet", "replicas"), ["nord-2", "nord-2"], "replicas needs at least two distinct rooms"),
        (("intranet", "replicas"), "nord-2", "not a list of room names"),
        (("intranet", "balancers"), ["bellevue", "bellevue"], "balancers needs at least two distinct rooms"),
        (("intranet", "balancers"), ["nord-2"], "balancers needs at least two distinct rooms"),
        (("intranet", "balancers"), "nord-2", "intranet.balancers is not a list of room names"),
        (("intranet", "balancers"), None, "intranet.balancers is not a list of room names"),
        (("intranet", "ports"), "18080", "intranet.ports '18080' is not a list of port numbers"),
        (("intranet", "ports"), [18080, 80], "is not a list of port numbers from 1024 to 65535"),
        (("intranet", "ports"), [18080, True], "is not a list of port numbers"),
        (("intranet", "ports"), [18080], "intranet.ports lists 1 ports for 2 balancers"),
        (("intranet", "ports"), [18080, 18090, 18100], "lists 3 ports for 2 balancers"),
        (("intranet", "ports"), [18080, 18080], "intranet.ports lists a port twice"),
        (("intranet", "balancer"), "nord-2", "intranet.balancer is no longer read"),
        (("intranet", "port"), 18080, "intranet.port is no longer read"),
        (("intranet", "weight"), 3, "hospital-drp:intranet has unknown field 'weight'"),
        (("rooms", "nord-1"), {"site": "x", "docker_host": "localhost"}, "docker_host 'localhost'"),
        (("rooms", "nord-1"), {"site": "x", "disks": 3}, "unknown field 'disks'"),
        (("rooms", "Nord_1"), {"site": "x"}, "not a lower-case name"),
        (("rooms",), {}, "lists no room"),
        (("rooms",), ["nord-1"], "hospital-drp:rooms is missing or not a mapping"),
        (("intranet",), None, "hospital-drp:intranet is missing"),
        (("mailstore",), {}, "unknown config key hospital-drp:mailstore"),
        (("vault", "room"), "nord-1", "vault.room is nord-1, the room of the storage array"),
        (("vault", "base_backup_interval_s"), 5, "base_backup_interval_s 5 is not a whole number from 30"),
        (("vault", "schedule"), "hourly", "hospital-drp:vault has unknown field 'schedule'"),
        (("appointments",), {"room": "nord-1"}, "hospital-drp:appointments.port is missing"),
        (("appointments", "room"), "pasteur", "appointments.room names unknown room 'pasteur'"),
        (("lab", "stat_share"), 1.5, "lab.stat_share 1.5 is not a number from 0 to 1"),
        (("lab", "rate_per_s"), 0, "lab.rate_per_s 0 is not a number from 0.1 to 50"),
        (("lab", "analysers"), 99, "lab.analysers 99 is not a whole number from 0 to 20"),
        (("mail", "domain"), "localhost", "mail.domain 'localhost' is not a domain name"),
        (("mail", "mailboxes"), 0, "mail.mailboxes 0 is not a whole number from 1"),
    ],
)
def test_bad_config_names_the_key_and_the_fix(path: tuple[str, ...], value: object, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_stack_spec("gameday", with_change(path, value))
    assert named in str(caught.value)
    assert "Fix:" in str(caught.value)


def test_bad_stack_name_is_refused() -> None:
    with pytest.raises(ConfigError, match="stack name 'Game Day'"):
        load_stack_spec("Game Day", GOOD)


def test_the_replaced_one_balancer_fields_say_what_to_write_instead() -> None:
    raw = with_change(
        ("intranet",), {"replicas": ["nord-2", "bellevue"], "balancer": "nord-2", "port": 18080}
    )
    with pytest.raises(ConfigError, match=r"Fix: replace it with `balancers: \[nord-2, bellevue\]`"):
        load_stack_spec("gameday", raw)


def test_more_than_two_balancers_each_with_its_port() -> None:
    intranet = {
        "replicas": ["nord-2", "bellevue"],
        "balancers": ["nord-2", "bellevue", "nord-1"],
        "ports": [18080, 18090, 18100],
    }
    spec = load_stack_spec("gameday", with_change(("intranet",), intranet))
    assert spec.intranet.balancer_rooms == ("nord-2", "bellevue", "nord-1")
    assert spec.intranet.ports == (18080, 18090, 18100)
