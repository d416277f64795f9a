"""The Pulumi program, run against Pulumi mocks: what it declares, and where."""

from __future__ import annotations

from dataclasses import replace

import pytest

from infra.config import BACKUP_KEYS, SECRET_KEYS, TLS_KEYS, load_stack_spec
from infra.declared import SECRET_SIGNATURE, Declaration, Declared, declare, revealed
from infra.images import ServiceImages
from infra.placement import RecoverySpec
from tests.unit.test_config import GOOD

IMAGES = ServiceImages(
    intranet="hospital-drp/intranet:abc",
    intranet_lb="hospital-drp/intranet-lb:def",
    postgres="hospital-drp/postgres:1",
    vault="hospital-drp/vault:2",
    appointments="hospital-drp/appointments:3",
    lab_gateway="hospital-drp/lab-gateway:4",
    lab_analyser="hospital-drp/lab-analyser:5",
    mailstore="hospital-drp/mailstore:6",
    mail_front="hospital-drp/mail-front:7",
)
SECRETS = {key: f"not-a-real-{key}" for key in (*SECRET_KEYS, *TLS_KEYS, *BACKUP_KEYS)}


@pytest.fixture(scope="module")
def run() -> Declaration:
    return declare(load_stack_spec("unit", GOOD), IMAGES, SECRETS)


def test_secret_uploads_stay_secret_in_state(run: Declaration) -> None:
    uploads = run.of_type("docker:index/container:Container")["postgres-nord-1"].inputs["uploads"]
    assert SECRET_SIGNATURE in uploads


def labels(d: Declared) -> dict[str, str]:
    return {item["label"]: item["value"] for item in d.inputs["labels"]}


def test_each_room_has_its_own_provider_on_the_one_engine(run: Declaration) -> None:
    providers = run.of_type("pulumi:providers:docker")
    assert set(providers) == {"nord-1-engine", "nord-2-engine", "bellevue-engine", "biology-engine"}
    assert {p.inputs["host"] for p in providers.values()} == {"unix:///var/run/docker.sock"}


def test_room_and_san_networks_are_internal_and_access_is_not(run: Declaration) -> None:
    networks = run.of_type("docker:index/network:Network")
    for room in ("nord-1", "nord-2", "bellevue"):
        assert networks[f"{room}-network"].inputs["internal"] is True
        assert networks[f"{room}-san"].inputs["internal"] is True
        assert networks[f"{room}-san"].inputs["name"] == f"hdrp-unit-{room}-san"
    assert not networks["access-network"].inputs.get("internal")


def test_every_container_is_labelled_and_placed_by_its_room_provider(run: Declaration) -> None:
    containers = run.of_type("docker:index/container:Container")
    assert set(containers) == {
        "intranet-nord-2",
        "intranet-bellevue",
        "intranet-lb-nord-2",
        "intranet-lb-bellevue",
        "postgres-nord-1",
        "vault-bellevue",
        "appointments-nord-1",
        "lab-gateway-nord-1",
        "lab-analyser-1",
        "lab-analyser-2",
        "mailstore-nord-1",
        "mail-vault-bellevue",
        "mail-front-nord-1",
        "imap-proxy-nord-1",
    }
    for container in containers.values():
        assert set(labels(container)) >= {
            "hospital.room",
            "hospital.tier",
            "hospital.service",
            "hospital.stack",
        }
        room = labels(container)["hospital.room"]
        assert container.provider is not None and f"::{room}-engine::" in container.provider
    for n in (1, 2):  # the biology platform's instruments stand in no machine room
        assert labels(containers[f"lab-analyser-{n}"])["hospital.room"] == "biology"
    assert labels(containers["intranet-bellevue"])["hospital.tier"] == "app"
    for room in ("nord-2", "bellevue"):
        balancer = labels(containers[f"intranet-lb-{room}"])
        assert (balancer["hospital.room"], balancer["hospital.tier"], balancer["hospital.service"]) == (
            room,
            "edge",
            "intranet",
        )
    assert labels(containers["postgres-nord-1"])["hospital.tier"] == "storage"
    assert labels(containers["vault-bellevue"])["hospital.tier"] == "backup"


def test_replicas_keep_their_own_data_volume_and_no_san(run: Declaration) -> None:
    containers = run.of_type("docker:index/container:Container")
    volumes = {v.inputs["name"] for v in run.of_type("docker:index/volume:Volume").values()}
    for room, network in (("nord-2", "hdrp-unit-intranet"), ("bellevue", "hdrp-unit-intranet-2")):
        replica = containers[f"intranet-{room}"]
        [mount] = replica.inputs["volumes"]
        assert mount["volumeName"] == f"hdrp-unit-intranet-data-{room}" and mount["volumeName"] in volumes
        # each replica on a network of its own, which every balancer joins: no replica reaches another
        assert [n["name"] for n in replica.inputs["networksAdvanced"]] == [f"hdrp-unit-{room}", network]


def test_only_the_balancers_publish_each_its_own_port_on_loopback(run: Declaration) -> None:
    containers = run.of_type("docker:index/container:Container")
    for room, port in (("nord-2", 18080), ("bellevue", 18090)):
        balancer = containers[f"intranet-lb-{room}"]
        assert balancer.inputs["name"] == f"hdrp-unit-intranet-lb-{room}"
        assert balancer.inputs["ports"] == [{"internal": 8080, "external": port, "ip": "127.0.0.1"}]
    assert containers["appointments-nord-1"].inputs["ports"] == [
        {"internal": 8000, "external": 18081, "ip": "127.0.0.1"}
    ]
    for name in ("intranet-nord-2", "postgres-nord-1", "vault-bellevue"):
        assert not containers[name].inputs.get("ports"), name


def test_each_balancer_balances_over_both_replicas_from_its_room(run: Declaration) -> None:
    containers = run.of_type("docker:index/container:Container")
    for room in ("nord-2", "bellevue"):
        balancer = containers[f"intranet-lb-{room}"]
        [upload] = balancer.inputs["uploads"]
        assert upload["file"] == "/etc/haproxy/haproxy.cfg"
        assert "intranet-replica-1:8000 check" in upload["content"]
        assert "intranet-replica-2:8000 check" in upload["content"]
        networks = [n["name"] for n in balancer.inputs["networksAdvanced"]]
        assert networks == ["hdrp-unit-access", "hdrp-unit-intranet", "hdrp-unit-intranet-2"]
    access = run.of_type("docker:index/network:Network")["access-network"]
    assert access.provider is not None and "::nord-2-engine::" in access.provider


def test_topology_names_what_was_declared(run: Declaration) -> None:
    service = run.topology.service("intranet")
    declared = {d.inputs["name"] for d in run.of_type("docker:index/container:Container").values()}
    assert {c.name for c in run.topology.containers()} == declared
    assert service.endpoint("http") == "http://127.0.0.1:18080"
    assert service.endpoint("http-2") == "http://127.0.0.1:18090"
    assert service.urls() == ("http://127.0.0.1:18080", "http://127.0.0.1:18090")
    assert service.health_url == "http://127.0.0.1:18080/health"
    edge = {(c.name, c.room) for c in service.containers if c.tier == "edge"}
    assert edge == {
        ("hdrp-unit-intranet-lb-nord-2", "nord-2"),
        ("hdrp-unit-intranet-lb-bellevue", "bellevue"),
    }
    assert {r.san_network for r in run.topology.machine_rooms()} == {
        f"hdrp-unit-{r}-san" for r in ("nord-1", "nord-2", "bellevue")
    }
    assert [r.name for r in run.topology.rooms if r.kind == "platform"] == ["biology"]


def test_the_topology_names_the_storage_resources_of_every_room_as_the_program_declares_them(
    run: Declaration,
) -> None:
    """The recovery plan deploys a room's storage alone by these URNs: each must be a resource the
    program declares there, of that type, under that component."""
    placed = {r.name: r for r in run.topology.machine_rooms()}
    storage_room = run.topology.service("storage").containers[0].room
    for room in ("nord-1", "nord-2", "bellevue"):
        urns = placed[room].storage_urns
        assert urns and all(u.startswith("urn:pulumi:unit::hospital-drp::") for u in urns), room
        assert {u.rsplit("::", 1)[1] for u in urns} == {
            f"storage-{room}",
            f"postgres-data-{room}",
            f"postgres-{room}",
            f"mailstore-data-{room}",
            f"mailstore-{room}",
        }
    by_name = {d.name: d for d in run.declared}
    for urn in placed[storage_room].storage_urns:
        chain, name = urn.split("::")[2:]
        assert by_name[name].typ == chain.rsplit("$", 1)[-1], urn
        assert chain.split("$")[0] in ("hospital:storage:StorageArray", "hospital:services:Mail"), urn


def test_the_topology_carries_the_mail_domain_the_targets_and_the_backup_link(run: Declaration) -> None:
    mail = {**GOOD["mail"], "domain": "hopital.test", "mailboxes": 120}  # type: ignore[dict-item]
    targets = {"appointments_rto_s": 90, "lab_rto_s": 100, "mail_rto_s": 110, "stat_delivery_s": 12}
    topology = declare(
        load_stack_spec("unit", {**GOOD, "mail": mail, "targets": targets}), IMAGES, SECRETS
    ).topology
    assert topology.mail.domain == "hopital.test" and topology.mail.mailboxes == 120
    assert topology.mail.mailbox(120) == "staff0120@hopital.test"
    assert topology.targets.rto_s["lab"] == 100.0 and topology.targets.stat_delivery_s == 12.0
    topology = run.topology
    links = {d.inputs["name"] for d in run.of_type("docker:index/network:Network").values()}
    assert topology.backup_link in links and topology.backup_link.endswith("backup-link")
    assert topology.recovered is False
    assert recovered({"storage": "nord-2"}, ("nord-1",)).topology.recovered is True


def test_storage_is_reachable_only_over_its_san_and_the_backup_link(run: Declaration) -> None:
    containers = run.of_type("docker:index/container:Container")

    def networks(name: str) -> list[str]:
        return [n["name"] for n in containers[name].inputs["networksAdvanced"]]

    assert networks("postgres-nord-1") == ["hdrp-unit-nord-1-san", "hdrp-unit-backup-link"]
    assert networks("vault-bellevue") == ["hdrp-unit-backup-link"]
    assert "hdrp-unit-nord-1-san" in networks("appointments-nord-1")
    link = run.of_type("docker:index/network:Network")["backup-link"]
    assert link.inputs["internal"] is True


def test_each_link_joins_only_the_two_ends_of_its_flows(run: Declaration) -> None:
    containers = run.of_type("docker:index/container:Container")
    members: dict[str, set[str]] = {}
    for name, container in containers.items():
        for network in container.inputs["networksAdvanced"]:
            members.setdefault(network["name"], set()).add(name)
    assert members["hdrp-unit-backup-link"] == {"postgres-nord-1", "vault-bellevue"}
    assert members["hdrp-unit-mail-copy-link"] == {"mail-front-nord-1", "mail-vault-bellevue"}
    assert members["hdrp-unit-mail-restore-link"] == {"mailstore-nord-1", "mail-vault-bellevue"}
    assert members["hdrp-unit-nord-1-san"] == {"postgres-nord-1", "appointments-nord-1", "lab-gateway-nord-1"}
    assert members["hdrp-unit-nord-1-san-lmtp"] == {"mailstore-nord-1", "mail-front-nord-1"}
    assert members["hdrp-unit-nord-1-san-imap"] == {"mailstore-nord-1", "imap-proxy-nord-1"}
    networks = run.of_type("docker:index/network:Network")
    assert all(n.inputs["internal"] for name, n in networks.items() if name != "access-network")


def test_a_listener_on_several_networks_binds_to_its_name_on_the_one_it_serves(run: Declaration) -> None:
    containers = run.of_type("docker:index/container:Container")
    envs = {name: dict(e.split("=", 1) for e in c.inputs.get("envs", [])) for name, c in containers.items()}
    aliases = {
        name: {a for n in c.inputs["networksAdvanced"] for a in n.get("aliases", [])}
        for name, c in containers.items()
    }
    expected = {
        "appointments-nord-1": {"LISTEN": "access"},
        "lab-gateway-nord-1": {"LISTEN": "lab", "MLLPS_LISTEN": "access", "API_LISTEN": "access"},
        "mail-front-nord-1": {"LISTEN": "access"},
        "mailstore-nord-1": {"LMTP_LISTEN": "lmtp", "IMAP_LISTEN": "imap"},
        "mail-vault-bellevue": {"LMTP_LISTEN": "lmtp", "EXPORT_LISTEN": "export"},
        "intranet-nord-2": {"LISTEN": "intranet"},
    }
    for name, variables in expected.items():
        host = containers[name].inputs["name"]
        for variable, kinds in variables.items():
            names = envs[name][variable].split()
            assert names == [f"{kind}.{host}" for kind in kinds.split()], (name, variable)
            assert set(names) <= aliases[name], (name, names)


def test_secrets_reach_containers_as_root_only_files(run: Declaration) -> None:
    containers = run.of_type("docker:index/container:Container")
    uploads = {u["file"]: u for u in revealed(containers["postgres-nord-1"].inputs["uploads"])}
    assert set(uploads) == {
        "/run/secrets/appointments_db_password",
        "/run/secrets/backup_key",
        "/run/secrets/lab_db_password",
        "/run/secrets/postgres_password",
        "/run/secrets/postgres_tls_cert",
        "/run/secrets/postgres_tls_key",
        "/run/secrets/replication_password",
        "/run/secrets/tls_ca_cert",
        "/run/secrets/vault_token",
    }
    assert all(u["permissions"] == "0400" for u in uploads.values())
    assert uploads["/run/secrets/postgres_password"]["content"] == "not-a-real-postgres_password"
    vault_files = [u["file"] for u in revealed(containers["vault-bellevue"].inputs["uploads"])]
    assert vault_files == [
        "/run/secrets/backup_recipient",
        "/run/secrets/replication_password",
        "/run/secrets/tls_ca_cert",
        "/run/secrets/vault_export_tls_cert",
        "/run/secrets/vault_export_tls_key",
        "/run/secrets/vault_token",
    ]


def test_only_what_stands_on_a_restore_path_holds_an_export_token_or_the_backup_key(run: Declaration) -> None:
    containers = run.of_type("docker:index/container:Container")
    files = {n: {u["file"] for u in revealed(c.inputs.get("uploads", []))} for n, c in containers.items()}
    holders = {
        token: sorted(name for name, held in files.items() if f"/run/secrets/{token}" in held)
        for token in ("vault_token", "mail_copy_token", "backup_key", "backup_recipient")
    }
    assert holders == {
        "vault_token": ["postgres-nord-1", "vault-bellevue"],
        "mail_copy_token": ["mail-vault-bellevue", "mailstore-nord-1"],
        # The vault seals to the recipient and cannot open what it holds: only the array can.
        "backup_key": ["postgres-nord-1"],
        "backup_recipient": ["vault-bellevue"],
    }
    for container in containers.values():
        assert not any("password" in env for env in container.inputs.get("envs", []))


def recovered(moved: dict[str, str], lost_rooms: tuple[str, ...], **intranet: tuple[str, ...]) -> Declaration:
    spec = load_stack_spec("unit", GOOD)
    layout = spec.planned
    for part, room in moved.items():
        layout = layout.moved(part, room)
    layout = replace(layout, **intranet)  # type: ignore[arg-type]
    lost_storage = lost_rooms if moved.get("storage") else ()
    return declare(replace(spec, recovery=RecoverySpec(layout, lost_rooms, lost_storage)), IMAGES, SECRETS)


def test_a_recovered_room_stands_where_the_plan_placed_it_and_the_storage_restores(run: Declaration) -> None:
    moved = {"storage": "nord-2", "appointments": "nord-2", "lab": "nord-2", "mail": "nord-2"}
    after = recovered(moved, ("nord-1",)).of_type("docker:index/container:Container")
    assert not [name for name in after if name.endswith("nord-1")]
    assert {"postgres-nord-2", "mailstore-nord-2", "appointments-nord-2", "lab-gateway-nord-2"} <= set(after)
    assert "RESTORE_FROM=https://hdrp-unit-vault-bellevue:8008" in after["postgres-nord-2"].inputs["envs"]
    gateway = after["lab-gateway-nord-2"].inputs["networksAdvanced"]
    link = {"name": "hdrp-unit-lab-link", "aliases": ["lab.hdrp-unit-lab-gateway-nord-2", "lab-gateway"]}
    assert link in gateway
    before = run.of_type("docker:index/container:Container")
    for name in ("lab-analyser-1", "lab-analyser-2", "vault-bellevue", "intranet-lb-bellevue"):
        assert after[name].inputs == before[name].inputs or name == "vault-bellevue", name


def test_moving_a_replica_and_a_balancer_changes_nothing_of_the_surviving_ones(run: Declaration) -> None:
    after = recovered({}, ("nord-2",), replicas=("nord-1", "bellevue"), balancers=("nord-1", "bellevue"))
    containers = after.of_type("docker:index/container:Container")
    before = run.of_type("docker:index/container:Container")
    assert "intranet-lb-nord-1" in containers and "intranet-nord-1" in containers
    for name in ("intranet-lb-bellevue", "intranet-bellevue", "postgres-nord-1", "appointments-nord-1"):
        assert containers[name].inputs == before[name].inputs, name
    assert containers["intranet-lb-nord-1"].inputs["ports"] == before["intranet-lb-nord-2"].inputs["ports"]
    networks = {n.name: n for n in after.of_type("docker:index/network:Network").values()}
    assert networks == {n.name: n for n in run.of_type("docker:index/network:Network").values()}
