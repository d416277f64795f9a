"""The ledger: every operation of the workload, as invoked, then ok / failed / unknown.

It is a JSON-lines file on the host, outside every machine room, so no
storage failure in the replica can touch it. Each line is flushed and
fsynced before the operation it records goes on, so a crash loses at most
the line being written.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from drill.errors import LedgerError

Status = Literal["invoked", "ok", "failed", "unknown"]
STATUSES: tuple[Status, ...] = ("invoked", "ok", "failed", "unknown")


@dataclass(frozen=True)
class LedgerEntry:
    """One step of one operation: its service, kind, key and outcome."""

    at: float
    service: str
    op: str
    key: str
    status: Status
    detail: str = ""


class Ledger:
    """An append-only, fsynced ledger file, safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def record(self, service: str, op: str, key: str, status: Status, detail: str = "") -> LedgerEntry:
        """Append one entry durably and return it."""
        entry = LedgerEntry(time.time(), service, op, key, status, detail[:300])
        line = json.dumps(asdict(entry), ensure_ascii=False)
        with self._lock:
            self._handle.write(line + "\n")
            self._handle.flush()
            os.fsync(self._handle.fileno())
        return entry

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._handle.close()


def read_ledger(path: Path) -> Iterator[LedgerEntry]:
    """Every entry of a ledger file; raise LedgerError naming the line when one is malformed."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LedgerError(
            f"cannot read the ledger {path} ({exc})", "check the path of the run's ledger"
        ) from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if raw["status"] not in STATUSES:
                raise ValueError(f"status {raw['status']!r}")
            yield LedgerEntry(
                float(raw["at"]),
                str(raw["service"]),
                str(raw["op"]),
                str(raw["key"]),
                raw["status"],
                str(raw["detail"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise LedgerError(
                f"{path} line {number} is not a ledger entry ({exc})",
                "the file was edited or cut: use the run's own copy",
            ) from exc
