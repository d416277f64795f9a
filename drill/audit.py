"""The audit: every acknowledged write of a run, checked against one final read of each service.

For each service: `acked` (ledger says ok), `present` (found by the final
read, among this run's keys), `lost = acked - present` and
`unexpected = present - attempted`, plus how many outcomes were unknown
(those may be present or not: both are correct). A run passes only if
nothing is lost and nothing unexpected appears.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from drill.workload import clients
from drill.workload.ledger import LedgerEntry, read_ledger
from drill.workload.operations import Endpoints

WRITES = {("appointments", "book"), ("mail", "send"), ("lab", "send")}


@dataclass(frozen=True)
class ServiceAudit:
    """What the final read found for one service's writes."""

    service: str
    attempted: frozenset[str]
    acked: frozenset[str]
    unknown: frozenset[str]
    present: frozenset[str]
    lost: frozenset[str] = field(init=False)
    unexpected: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lost", self.acked - self.present)
        object.__setattr__(self, "unexpected", self.present - self.attempted)

    @property
    def passed(self) -> bool:
        """Nothing acknowledged lost, nothing never attempted present."""
        return not self.lost and not self.unexpected


def audit(endpoints: Endpoints, ledger_path: Path) -> list[ServiceAudit]:
    """Read the ledger and each service once; return the audit per service that was written to."""
    entries = list(read_ledger(ledger_path))
    results = []
    for service, op in sorted(WRITES):
        writes = [e for e in entries if (e.service, e.op) == (service, op)]
        attempted = frozenset(e.key for e in writes if e.status == "invoked")
        if not attempted:
            continue
        finals = _final_status(writes)
        acked = frozenset(k for k, s in finals.items() if s == "ok")
        unknown = frozenset(k for k, s in finals.items() if s == "unknown")
        present = frozenset(_present(service, endpoints, writes))
        results.append(ServiceAudit(service, attempted, acked, unknown, present))
    return results


def _final_status(writes: Iterable[LedgerEntry]) -> dict[str, str]:
    final: dict[str, str] = {}
    for entry in writes:
        if entry.status != "invoked":
            final[entry.key] = entry.status
    return final


def _present(service: str, endpoints: Endpoints, writes: list[LedgerEntry]) -> set[str]:
    if service == "appointments":
        status, rows = clients.http_json(
            "GET", f"{endpoints.appointments}/api/appointments?all=ids", tls=endpoints.tls
        )
        if status != 200 or not isinstance(rows, list):
            raise clients.Unsent(f"appointments answered HTTP {status} to the final read")
        return {
            str(r["ref"])
            for r in rows
            if isinstance(r, dict) and str(r.get("ref")).startswith(endpoints.run_id)
        }
    if service == "lab":
        found = set()
        for control_id in {e.key for e in writes}:
            order = control_id.replace(f"{endpoints.run_id}-r", f"{endpoints.run_id}-o", 1)
            status, rows = clients.http_json(
                "GET", f"{endpoints.lab_api}/results?order={order}", tls=endpoints.tls
            )
            if status != 200 or not isinstance(rows, list):
                raise clients.Unsent(f"the results API answered HTTP {status} to the final read")
            found |= {str(r["control_id"]) for r in rows if isinstance(r, dict)}
        return found
    recipients = {e.key: e.detail for e in writes if e.status == "invoked"}
    return {
        key
        for key, to in recipients.items()
        if clients.imap_has(endpoints.imap, to, endpoints.mail_password(to), key, endpoints.tls)
    }
