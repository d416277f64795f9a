"""The topology output survives a round trip and malformed output is refused."""

from __future__ import annotations

import pytest

from drill.errors import DeployError
from infra.topology import (
    ContainerInfo,
    Endpoint,
    MailInfo,
    RoomInfo,
    ServiceInfo,
    TargetsInfo,
    Topology,
    topology_from_output,
)

TOPOLOGY = Topology(
    stack="t",
    prefix="hdrp-t",
    access_network="hdrp-t-access",
    rooms=(
        RoomInfo(
            "nord-2",
            "Hôpital Nord",
            "unix:///var/run/docker.sock",
            "hdrp-t-nord-2",
            "hdrp-t-nord-2-san",
            storage_urns=("urn:pulumi:t::hospital-drp::hospital:storage:StorageArray::storage-nord-2",),
        ),
    ),
    services=(
        ServiceInfo(
            "intranet",
            (ContainerInfo("hdrp-t-intranet-nord-2", "nord-2", "app", "intranet"),),
            (Endpoint("http", "http://127.0.0.1:18080"),),
            "http://127.0.0.1:18080/health",
        ),
    ),
    backup_link="hdrp-t-backup-link",
    mail=MailInfo("hopital.test", 120),
    targets=TargetsInfo({"appointments": 90.0, "lab": 120.0}, 20.0),
    recovered=True,
)


def test_round_trip_gives_the_same_topology() -> None:
    assert topology_from_output(TOPOLOGY.to_output()) == TOPOLOGY


def test_lookup_of_service_and_containers() -> None:
    assert TOPOLOGY.service("intranet").endpoint("http") == "http://127.0.0.1:18080"
    with pytest.raises(DeployError, match="no endpoint 'smtp'"):
        TOPOLOGY.service("intranet").endpoint("smtp")
    assert [c.name for c in TOPOLOGY.containers()] == ["hdrp-t-intranet-nord-2"]
    with pytest.raises(DeployError, match="no service 'mail'"):
        TOPOLOGY.service("mail")


def test_an_older_output_without_mail_targets_or_link_reads_with_the_defaults() -> None:
    older = {
        k: v
        for k, v in TOPOLOGY.to_output().items()
        if k not in ("mail", "targets", "backup_link", "recovered")
    }
    found = topology_from_output(older)
    assert found.mail == MailInfo() and found.mail.mailbox(7) == "staff0007@chu.test"
    assert found.targets == TargetsInfo() and found.backup_link == "" and found.recovered is False


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {**TOPOLOGY.to_output(), "rooms": "nord-2"},
        {**TOPOLOGY.to_output(), "mail": {"domain": "chu.test", "mailboxes": "many"}},
        {**TOPOLOGY.to_output(), "targets": {"rto_s": [], "stat_delivery_s": 20.0}},
    ],
)
def test_malformed_output_is_refused_with_a_fix(broken: dict[str, object]) -> None:
    with pytest.raises(DeployError, match=r"malformed.*drill up"):
        topology_from_output(broken)


def test_urls_gives_every_address_of_a_kind_in_order() -> None:
    service = ServiceInfo(
        "intranet",
        (),
        (
            Endpoint("http", "http://127.0.0.1:18080"),
            Endpoint("admin", "http://127.0.0.1:18070"),
            Endpoint("http-2", "http://127.0.0.1:18090"),
            Endpoint("https", "https://127.0.0.1:18443"),
            Endpoint("http-3", "http://127.0.0.1:18100"),
        ),
    )
    assert service.urls() == ("http://127.0.0.1:18080", "http://127.0.0.1:18090", "http://127.0.0.1:18100")
    assert service.urls("admin") == ("http://127.0.0.1:18070",)
    assert TOPOLOGY.service("intranet").urls() == ("http://127.0.0.1:18080",)
    with pytest.raises(DeployError, match="no endpoint 'smtp'"):
        service.urls("smtp")
