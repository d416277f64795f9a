"""The audit on the real stack: a clean run loses nothing; a booking removed behind its back is lost."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import testinfra

from drill.audit import audit
from drill.workload.operations import Endpoints
from drill.workload.runner import run_workload
from tests.integration.conftest import Deployed


def test_clean_run_loses_nothing_and_a_deleted_booking_is_lost(deployed: Deployed, tmp_path: Path) -> None:
    endpoints = Endpoints.of(deployed.topology, time.strftime("a%H%M%S"), deployed.mail_passwords())
    ledger = tmp_path / "ledger.jsonl"
    run_workload(endpoints, ledger, rate_per_s=12, seconds=6, stop=threading.Event())
    time.sleep(3)  # let the lab forwarder and the mail queue finish
    clean = {result.service: result for result in audit(endpoints, ledger)}
    assert set(clean) == {"appointments", "lab", "mail"}
    for result in clean.values():
        assert result.acked and result.passed, (result.service, result.lost, result.unexpected)

    victim = sorted(clean["appointments"].acked)[0]
    [array] = deployed.topology.service("storage").containers
    database = testinfra.get_host(f"docker://postgres@{array.name}")
    database.check_output(f"psql -d appointments -c \"DELETE FROM appointments WHERE ref = '{victim}'\"")
    after = {result.service: result for result in audit(endpoints, ledger)}
    assert after["appointments"].lost == {victim}
    assert not after["appointments"].passed
