"""The flow policy's pure parts: reading listeners from /proc/net, expanding flows, comparing."""

from __future__ import annotations

import pytest

from drill.flows import Reach, compare, declared, listening_ports, policy_table
from drill.paths import PROJECT_ROOT
from infra.policy import ACCESS, FLOWS
from infra.topology import ContainerInfo, FlowInfo

HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"


def row(local: str, state: str = "0A") -> str:
    return f"   0: {local} 00000000:0000 {state} 00000000:00000000 00:00000000 00000000     0        0 1"


@pytest.mark.parametrize(
    ("local", "port"),
    [
        ("00000000:1538", 5432),  # 0.0.0.0
        ("0200A8C0:0018", 24),  # 192.168.0.2
        ("0200120A:1F40", 8000),  # 10.18.0.2
        ("00000000000000000000000000000000:1538", 5432),  # [::]
        ("0000000000000000FFFF00000200A8C0:008F", 143),  # ::ffff:192.168.0.2
    ],
)
def test_a_listener_outside_loopback_is_found(local: str, port: int) -> None:
    assert listening_ports([HEADER, row(local)]) == {port}


@pytest.mark.parametrize(
    "local",
    [
        "0100007F:2721",  # 127.0.0.1
        "0B00007F:A1B2",  # 127.0.0.11, Docker's DNS
        "00000000000000000000000001000000:0019",  # ::1
        "0000000000000000FFFF00000100007F:0019",  # ::ffff:127.0.0.1
    ],
)
def test_a_loopback_listener_is_left_out(local: str) -> None:
    assert listening_ports([HEADER, row(local)]) == set()


def test_only_listening_sockets_count() -> None:
    assert listening_ports([HEADER, row("00000000:1538", "01"), row("00000000:0019", "06")]) == set()


CONTAINERS = [
    ContainerInfo("pg-a", "a", "storage", "storage"),
    ContainerInfo("app-a", "a", "app", "appointments"),
    ContainerInfo("lab-a", "a", "app", "lab"),
    ContainerInfo("front-b", "b", "app", "mail"),
    ContainerInfo("store-a", "a", "storage", "mail"),
    ContainerInfo("vault-c", "c", "backup", "vault"),
]


@pytest.mark.parametrize("room", ["a", "b", "c"])
def test_flows_expand_by_service_and_tier_wherever_the_parts_stand(room: str) -> None:
    moved = [ContainerInfo(c.name.split("-")[0] + f"-{room}", room, c.tier, c.service) for c in CONTAINERS]
    allowed = declared(FLOWS, moved, {f"app-{room}", f"front-{room}"})
    assert Reach(f"app-{room}", f"pg-{room}", 5432) in allowed
    assert Reach(f"vault-{room}", f"pg-{room}", 5432) in allowed
    assert Reach(f"pg-{room}", f"vault-{room}", 8008) in allowed
    assert Reach(f"front-{room}", f"store-{room}", 24) in allowed
    assert Reach(f"front-{room}", f"pg-{room}", 5432) not in allowed
    assert Reach(f"app-{room}", f"store-{room}", 143) not in allowed
    # The users' network: each member reaches the others' published ports, not its own.
    assert Reach(f"front-{room}", f"app-{room}", 8000) in allowed
    assert Reach(f"app-{room}", f"app-{room}", 8000) not in allowed
    assert Reach(f"lab-{room}", f"app-{room}", 8000) not in allowed  # not on the access network here


def test_compare_tells_allowed_undeclared_and_failing_apart() -> None:
    flow = FlowInfo(ACCESS, "", "appointments", "app", 8000, "http", "")
    allowed = {Reach("x", "y", 1): flow, Reach("x", "z", 2): flow}
    working, undeclared, failing = compare({Reach("x", "y", 1), Reach("y", "x", 3)}, allowed)
    assert working == (Reach("x", "y", 1),)
    assert undeclared == (Reach("y", "x", 3),)
    assert failing == (Reach("x", "z", 2),)


def test_every_declared_port_is_a_port_some_service_listens_on() -> None:
    assert {f.port for f in FLOWS} == {24, 25, 143, 1143, 2575, 2576, 5432, 8000, 8008, 8080}
    assert all(f.why for f in FLOWS)


def test_docs_security_holds_the_policy_table_as_declared() -> None:
    text = (PROJECT_ROOT / "docs" / "security.md").read_text()
    assert policy_table(FLOWS) in text, "docs/security.md: paste drill.flows.policy_table(FLOWS) again"
