"""The gateway's journal: append-only, fsynced files of accepted results, delivered ids and rejects.

A result is journaled once per MSH-10: a duplicate is not written again.
What waits for delivery comes out STAT first (priority S), then in arrival
order. A torn last line (a crash mid-write) is skipped when the journal is
read back at start. The journal lives on the gateway's own volume, never on
the storage array.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from services.lab_gateway.validation import Refused, Result

# How much of a refused message's payload the reject store keeps.
KEPT_BYTES = 65536
Entry = dict[str, object]


class Journal:
    """Accepted results, delivered ids and rejects, with what waits for delivery kept in memory."""

    def __init__(self, folder: Path) -> None:
        self.lock = threading.Lock()
        # Signalled when a result arrives (the forwarder wakes) and when one is delivered (ACKs wake).
        self.changed = threading.Condition(self.lock)
        self.accepted_path = folder / "journal.jsonl"
        self.delivered_path = folder / "delivered.jsonl"
        self.rejected_path = folder / "rejected.jsonl"
        # Only ids are kept of what was delivered; whole entries only while they wait.
        delivered = {str(e["control_id"]) for e in read_lines(self.delivered_path)}
        self.seen: set[str] = set()
        self.waiting: dict[str, Entry] = {}
        for entry in read_lines(self.accepted_path):
            control_id = str(entry["control_id"])
            self.seen.add(control_id)
            if control_id not in delivered:
                self.waiting[control_id] = entry
        self.rejected = len(read_lines(self.rejected_path))
        self.receiving = False
        self.delivering = False

    def accept(self, result: Result) -> bool:
        """Journal result durably; False when its MSH-10 was journaled before (nothing is written)."""
        with self.lock:
            if result.control_id in self.seen:
                return False
            entry: Entry = {
                "control_id": result.control_id,
                "patient": result.patient,
                "order": result.order,
                "priority": result.priority,
                "observations": result.observations,
                "received_at": time.time(),
                "raw": result.raw,
            }
            append_synced(self.accepted_path, entry)
            self.seen.add(result.control_id)
            self.waiting[result.control_id] = entry
            self.changed.notify_all()
            return True

    def wait_delivered(self, control_id: str, timeout_s: float) -> bool:
        """While delivering, wait up to timeout_s for control_id to reach the database; True if it did."""
        deadline = time.monotonic() + timeout_s
        with self.lock:
            while control_id in self.waiting and self.delivering:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(left)
            return control_id not in self.waiting

    def wait_for_work(self, timeout_s: float) -> None:
        """Sleep until a result waits or timeout_s passes (the forwarder's idle)."""
        with self.lock:
            if not self.waiting:
                self.changed.wait(timeout_s)

    def reject(self, refused: Refused, payload: bytes) -> None:
        """Keep a refused message (its first KEPT_BYTES) with its reason; never drop it silently."""
        with self.lock:
            append_synced(
                self.rejected_path,
                {
                    "control_id": refused.control_id,
                    "code": refused.code,
                    "reason": refused.reason,
                    "received_at": time.time(),
                    "payload": payload[:KEPT_BYTES].decode("utf-8", "replace"),
                },
            )
            self.rejected += 1

    def pending(self) -> list[Entry]:
        """Journaled, not yet delivered: STAT first, then in arrival order."""
        with self.lock:
            waiting = list(self.waiting.values())
        return sorted(waiting, key=delivery_order)

    def mark_delivered(self, control_id: str) -> None:
        """Record durably that control_id is in the database; ACKs waiting for it wake."""
        with self.lock:
            append_synced(self.delivered_path, {"control_id": control_id})
            self.waiting.pop(control_id, None)
            self.changed.notify_all()

    def set_delivering(self, delivering: bool) -> None:
        """Say whether the database answers; waiting ACKs stop waiting when it does not."""
        with self.lock:
            self.delivering = delivering
            self.changed.notify_all()

    def health(self) -> dict[str, object]:
        """What /health reports: receiving, delivering, and how many journaled, pending, rejected."""
        with self.lock:
            return {
                "receiving": self.receiving,
                "delivering": self.delivering,
                "journaled": len(self.seen),
                "pending": len(self.waiting),
                "rejected": self.rejected,
            }


def delivery_order(entry: Entry) -> tuple[bool, float]:
    """The sort key of a waiting entry: STAT (priority S) first, then by arrival time."""
    received = entry["received_at"]
    return entry["priority"] != "S", float(received) if isinstance(received, int | float) else 0.0


def read_lines(path: Path) -> list[Entry]:
    """Every complete JSON object line of path; a torn line (a crash mid-write) is skipped."""
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def append_synced(path: Path, entry: Entry) -> None:
    """Append one JSON line and fsync it before returning."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
