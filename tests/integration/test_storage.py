"""The storage array and the backup vault: real PostgreSQL, real WAL streaming, checked inside."""

from __future__ import annotations

import json

import testinfra

from tests.integration.conftest import Deployed
from tests.integration.engine import client


def container(deployed: Deployed, service: str) -> str:
    [info] = deployed.topology.service(service).containers
    return info.name


def test_array_runs_postgres_15_unprivileged_on_its_volume(deployed: Deployed) -> None:
    name = container(deployed, "storage")
    host = testinfra.get_host(f"docker://{name}")
    assert host.package("postgresql-15").is_installed
    processes = host.process.filter(comm="postgres")
    assert processes and all(p.user == "postgres" for p in processes)
    assert host.socket("tcp://0.0.0.0:5432").is_listening
    secret = host.file("/run/secrets/replication_password")
    assert (secret.user, secret.mode) == ("postgres", 0o400)
    mounts = {m["Destination"]: m for m in client().containers.get(name).attrs["Mounts"]}
    assert mounts["/var/lib/postgresql/data"]["Type"] == "volume"
    attrs = client().containers.get(name).attrs["HostConfig"]
    assert attrs["Privileged"] is False and not attrs["PortBindings"]


def test_array_sits_only_on_its_san_and_the_backup_link(deployed: Deployed) -> None:
    name = container(deployed, "storage")
    networks = set(client().containers.get(name).attrs["NetworkSettings"]["Networks"])
    assert networks == {f"{deployed.topology.prefix}-nord-1-san", f"{deployed.topology.prefix}-backup-link"}
    assert deployed.topology.access_network not in networks


def test_every_commit_waits_for_the_vault(deployed: Deployed) -> None:
    host = testinfra.get_host(f"docker://postgres@{container(deployed, 'storage')}")
    out = host.check_output(
        "psql -At -c 'SELECT application_name, state, sync_state FROM pg_stat_replication'"
    )
    assert out.splitlines() == ["vault|streaming|sync"]
    assert host.check_output("psql -At -c 'SHOW synchronous_standby_names'") == "vault"
    # The vault's slot holds WAL from its creation on (a slot that did not reserve any let the
    # first base backup's checkpoint remove the segment the vault was to start from).
    slot = "SELECT slot_type, active, restart_lsn IS NOT NULL FROM pg_replication_slots"
    slot += " WHERE slot_name = 'vault'"
    assert host.check_output(f'psql -At -c "{slot}"') == "physical|t|t"


def test_vault_streams_wal_and_holds_a_base_backup(deployed: Deployed) -> None:
    name = container(deployed, "vault")
    host = testinfra.get_host(f"docker://{name}")
    receivers = host.process.filter(comm="pg_receivewal")
    assert len(receivers) == 1 and receivers[0].user == "vault"
    assert "--synchronous" in receivers[0].args
    status = json.loads(host.file("/vault/status.json").content_string)
    assert status["streaming"] is True and status["wal_files"] >= 1
    assert status["newest_wal"].endswith(".partial")
    assert 1 <= len(status["base_backups"]) <= 2  # the two newest are kept
    # The base backup is sealed to the stack's backup key (tests/integration/test_backups_at_rest.py).
    assert host.file(
        f"/vault/base/{status['base_backups'][-1]}/base.tar.age"
    ).exists  # sealed (test_backups_at_rest)
    assert set(client().containers.get(name).attrs["NetworkSettings"]["Networks"]) == {
        f"{deployed.topology.prefix}-backup-link"
    }
    assert client().containers.get(name).labels["hospital.room"] == "bellevue"
