"""The workload against the real stack: every service answers, and every acknowledged write is there."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from drill.workload.ledger import read_ledger
from drill.workload.operations import Endpoints
from drill.workload.runner import run_workload
from tests.integration.conftest import Deployed
from tests.integration.engine import http


def test_a_healthy_stack_acknowledges_every_write_and_keeps_it(deployed: Deployed, tmp_path: Path) -> None:
    run_id = time.strftime("t%H%M%S")
    endpoints = Endpoints.of(deployed.topology, run_id, deployed.mail_passwords())
    ledger = tmp_path / "ledger.jsonl"
    counts = run_workload(endpoints, ledger, rate_per_s=14, seconds=8, stop=threading.Event())
    for service in ("appointments", "mail", "lab", "intranet"):
        assert counts[f"{service} ok"] > 0, counts
    entries = list(read_ledger(ledger))
    failures = [
        f"{e.service} {e.op} {e.key}: {e.status} {e.detail}"
        for e in entries
        if e.status in ("failed", "unknown")
    ]
    assert sum(n for key, n in counts.items() if not key.endswith(" ok")) == 0, (counts, failures[:10])

    booked = {e.key for e in entries if e.op == "book" and e.status == "ok"}
    status, rows, _ = http("GET", f"{endpoints.appointments}/api/appointments?all=ids")
    assert status == 200 and isinstance(rows, list)
    assert booked <= {row["ref"] for row in rows}
    sent = [e.key for e in entries if e.service == "lab" and e.op == "send" and e.status == "ok"]
    time.sleep(2)
    for control_id in sent:
        order = control_id.replace("-r", "-o")
        status, results, _ = http("GET", f"{endpoints.lab_api}/results?order={order}")
        assert status == 200 and isinstance(results, list) and results, control_id
