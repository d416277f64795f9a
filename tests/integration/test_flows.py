"""The flow policy as a test: what works between the stack's containers is exactly what is declared."""

from __future__ import annotations

import pytest

from drill.flows import Reach, check_flows
from tests.integration.conftest import Deployed
from tests.integration.engine import client

pytestmark = pytest.mark.docker


def test_every_flow_that_works_is_declared_and_every_declared_flow_works(deployed: Deployed) -> None:
    found = check_flows(deployed.topology)
    assert found.undeclared == (), "\n".join(map(str, found.undeclared))
    assert found.failing == (), "\n".join(map(str, found.failing))
    # Not vacuous: every declared flow stands between some containers, and was probed and works.
    assert found.unused == ()
    assert len(found.allowed) >= len(deployed.topology.flows) and found.probes > 100
    # Each container listens outside loopback on the ports of its declared flows only.
    ports = {f.port for f in deployed.topology.flows}
    assert all(set(listening) <= ports for listening in found.listeners.values()), found.listeners


def test_a_container_put_on_a_network_it_has_no_flow_on_is_seen(deployed: Deployed) -> None:
    """The check can fail: the mail front end joined to the vault's database link reaches the
    array and the vault's export, which no flow allows."""
    front = next(c.name for c in deployed.topology.service("mail").containers if c.tier == "app")
    link = client().networks.get(deployed.topology.backup_link)
    link.connect(front)
    try:
        found = check_flows(deployed.topology)
    finally:
        link.disconnect(front, force=True)
    vault = deployed.topology.service("vault").containers[0].name
    array = deployed.topology.service("storage").containers[0].name
    assert Reach(front, vault, 8008) in found.undeclared
    assert Reach(front, array, 5432) in found.undeclared
    assert found.failing == ()
