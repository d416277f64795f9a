"""Each fault of our Chaos Toolkit extension, applied to the real stack, seen by the probes, then removed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from drill.chaos import probes, room_loss, san_cut, san_throttle, storage_kill, tries, vault_loss
from tests.integration.conftest import STACK, Deployed
from tests.integration.engine import client, wait_healthy


def url(deployed: Deployed, service: str, endpoint: str = "http") -> str:
    return deployed.topology.service(service).endpoint(endpoint)


def san(deployed: Deployed, room: str) -> str:
    return next(r.san_network for r in deployed.topology.rooms if r.name == room)


@pytest.fixture
def healthy_after(deployed: Deployed) -> Iterator[None]:
    yield
    for info in deployed.topology.containers():
        if info.tier != "lab":  # analysers have no health check
            wait_healthy(info.name, timeout_s=120)


def test_storage_killed_intranet_holds_smtp_queues_lab_acks_bookings_fail_fast(
    deployed: Deployed, healthy_after: None
) -> None:
    killed = storage_kill.kill_storage("nord-1", STACK)
    try:
        assert sorted(killed) == sorted(c.name for c in deployed.topology.containers() if c.tier == "storage")
        booking = tries.booking_answer(url(deployed, "appointments"), deployed.ca_file)
        assert booking["status"] == 503 and float(str(booking["seconds"])) < 2.5
        assert tries.smtp_accepts(url(deployed, "mail", "smtp"), deployed.topology.mail.mailbox(1))
        assert tries.lab_ack(url(deployed, "lab", "mllp"), stat=True, tls_ca_file=deployed.ca_file) == "AA"
        assert probes.http_answers(f"{url(deployed, 'intranet')}/health", requests=20)["failed"] == 0
    finally:
        assert sorted(storage_kill.restart_storage("nord-1", STACK)) == sorted(killed)


def test_san_cut_makes_bookings_fail_fast_and_mending_brings_them_back(
    deployed: Deployed, healthy_after: None
) -> None:
    cut = san_cut.cut_san("nord-1", STACK, san(deployed, "nord-1"))
    try:
        assert cut
        booking = tries.booking_answer(url(deployed, "appointments"), deployed.ca_file)
        assert booking["status"] == 503 and float(str(booking["seconds"])) < 2.5
    finally:
        assert sorted(san_cut.mend_san("nord-1", STACK, san(deployed, "nord-1"))) == sorted(cut)
    deadline = time.monotonic() + 30
    while tries.booking_answer(url(deployed, "appointments"), deployed.ca_file)["status"] != 201:
        assert time.monotonic() < deadline, "bookings did not come back after the SAN was mended"
        time.sleep(1)


def test_san_throttle_is_applied_in_the_storage_namespaces_and_removed(deployed: Deployed) -> None:
    shaped = san_throttle.throttle_san("nord-1", STACK, san(deployed, "nord-1"), rate_kbit=256)
    try:
        # Every SAN device of the room's storage: PostgreSQL's (the database part), the mail
        # store's two (its LMTP and IMAP parts).
        names = sorted(s.split(": ")[0] for s in shaped)
        prefix = deployed.topology.prefix
        assert names == sorted([f"{prefix}-mailstore-nord-1"] * 2 + [f"{prefix}-postgres-nord-1"]), shaped
        assert (
            probes.http_answers(
                f"{url(deployed, 'appointments')}/health", requests=3, tls_ca_file=deployed.ca_file
            )["failed"]
            == 0
        )
    finally:
        assert sorted(san_throttle.unthrottle_san("nord-1", STACK, san(deployed, "nord-1"))) == sorted(shaped)
    assert san_throttle.unthrottle_san("nord-1", STACK, san(deployed, "nord-1")) == []


def test_losing_bellevue_keeps_the_intranet_answering(deployed: Deployed, healthy_after: None) -> None:
    lost = room_loss.power_off_room("bellevue", STACK)
    try:
        assert {c.name for c in deployed.topology.containers() if c.room == "bellevue"} == set(lost)
        assert probes.http_answers(f"{url(deployed, 'intranet')}/directory/42", requests=30)["failed"] == 0
    finally:
        assert sorted(room_loss.power_on_room("bellevue", STACK)) == sorted(lost)


def test_vault_away_makes_booking_outcomes_unknown(deployed: Deployed, healthy_after: None) -> None:
    stopped = vault_loss.stop_vault("bellevue", STACK)
    try:
        assert len(stopped) == 2  # the WAL vault and the mail copy
        booking = tries.booking_answer(url(deployed, "appointments"), deployed.ca_file)
        assert booking["status"] == 503 and booking["outcome"] == "unknown"
    finally:
        assert sorted(vault_loss.start_vault("bellevue", STACK)) == sorted(stopped)
    assert all(client().containers.get(name).status == "running" for name in stopped)


def test_a_fault_aimed_at_nothing_fails_clearly() -> None:
    from chaoslib.exceptions import ActivityFailed

    with pytest.raises(ActivityFailed, match=r"no container of stack ci matches hospital\.room=pasteur"):
        storage_kill.kill_storage("pasteur", STACK)
