"""The lab-result gateway: HL7 over MLLP in, a durable journal, delivery to the results database.

A result is ACKed (AA) only once it is appended to the local journal and
fsynced: the analysers are never blocked by the storage array, and nothing
ACKed is lost. A forwarder delivers journaled results to the results
database whenever it is reachable, STAT (priority S) first. While it
delivers, the ACK also waits (at most SYNC_ACK_S) for the result to be in
the database, which the vault holds in another room: a result ACKed then is
safe even if this gateway's whole room is lost the next instant. Messages the
gateway refuses are ACKed AE or AR with a reason and kept in the reject store.
Duplicates (same MSH-10) are ACKed again and stored once.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import sys
import threading
import time
from pathlib import Path

import hl7
import psycopg2
from results_api import serve_api

DATA = Path(os.environ.get("GATEWAY_DATA", "/var/lib/lab-gateway"))
CONNECT_TIMEOUT_S = 1
PING_S = 1.0
# While the database answers, how long an ACK waits for its result to be delivered there.
SYNC_ACK_S = 1.0
# After an oversized message's AR: how long, and how much, the rest of it is read and dropped.
DRAIN_S = 10.0
DRAIN_BYTES = 64 * 1024 * 1024
SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    control_id TEXT PRIMARY KEY,
    patient TEXT NOT NULL,
    order_id TEXT NOT NULL,
    priority TEXT NOT NULL,
    observations JSONB NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    raw TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS results_patient ON results (patient);
CREATE INDEX IF NOT EXISTS results_order ON results (order_id);
"""


class Journal:
    """Append-only, fsynced files: accepted results, delivered ids, rejects."""

    def __init__(self, folder: Path) -> None:
        self.lock = threading.Lock()
        # Signalled when a result arrives (the forwarder wakes) and when one is delivered (ACKs wake).
        self.changed = threading.Condition(self.lock)
        self.accepted_path = folder / "journal.jsonl"
        self.delivered_path = folder / "delivered.jsonl"
        self.rejected_path = folder / "rejected.jsonl"
        # Only ids are kept of what was delivered; whole entries only while they wait.
        delivered = {e["control_id"] for e in read_lines(self.delivered_path)}
        self.seen: set[str] = set()
        self.waiting: dict[str, dict[str, object]] = {}
        for entry in read_lines(self.accepted_path):
            self.seen.add(str(entry["control_id"]))
            if entry["control_id"] not in delivered:
                self.waiting[str(entry["control_id"])] = entry
        self.rejected = sum(1 for _ in read_lines(self.rejected_path))
        self.receiving = False
        self.delivering = False

    def accept(self, result: hl7.Result) -> bool:
        """Journal result durably; False when its MSH-10 was journaled before."""
        with self.lock:
            if result.control_id in self.seen:
                return False
            entry = {
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

    def reject(self, refused: hl7.Refused, payload: bytes) -> None:
        """Keep a refused message with its reason; never drop it silently."""
        with self.lock:
            append_synced(
                self.rejected_path,
                {
                    "control_id": refused.control_id,
                    "code": refused.code,
                    "reason": refused.reason,
                    "received_at": time.time(),
                    "payload": payload[:65536].decode("utf-8", "replace"),
                },
            )
            self.rejected += 1

    def pending(self) -> list[dict[str, object]]:
        """Journaled, not yet delivered: STAT first, then in arrival order."""
        with self.lock:
            waiting = list(self.waiting.values())
        return sorted(waiting, key=lambda e: (e["priority"] != "S", e["received_at"]))

    def mark_delivered(self, control_id: str) -> None:
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
        with self.lock:
            return {
                "receiving": self.receiving,
                "delivering": self.delivering,
                "journaled": len(self.seen),
                "pending": len(self.waiting),
                "rejected": self.rejected,
            }


def read_lines(path: Path) -> list[dict[str, object]]:
    """Every complete JSON line of path; a torn last line (a crash mid-write) is skipped."""
    if not path.exists():
        return []
    entries = []
    for line in path.read_text().splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return entries


def append_synced(path: Path, entry: dict[str, object]) -> None:
    """Append one JSON line and fsync it before returning."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def connect() -> psycopg2.extensions.connection:
    password = Path("/run/secrets/lab_db_password").read_text().strip()
    return psycopg2.connect(
        host=os.environ["DB_HOST"],
        dbname="labresults",
        user="lab",
        password=password,
        connect_timeout=CONNECT_TIMEOUT_S,
        tcp_user_timeout=3000,
        options="-c statement_timeout=3000",
    )


def forward(journal: Journal) -> None:
    """Deliver pending results forever, STAT first, re-sorting after each one."""
    schema_ready = False
    while True:
        try:
            conn = connect()
            if not schema_ready:
                with conn, conn.cursor() as cursor:
                    cursor.execute(SCHEMA)
                schema_ready = True
            journal.set_delivering(True)
            checked = time.monotonic()
            while True:
                waiting = journal.pending()
                if waiting:
                    deliver(conn, waiting[0])
                    journal.mark_delivered(str(waiting[0]["control_id"]))
                elif time.monotonic() - checked >= PING_S:
                    # Idle: make sure "delivering" still tells the truth.
                    with conn, conn.cursor() as cursor:
                        cursor.execute("SELECT 1")
                    checked = time.monotonic()
                else:
                    journal.wait_for_work(PING_S)
        except (psycopg2.Error, OSError) as exc:
            journal.set_delivering(False)
            print(
                f"lab-gateway: delivery paused: {str(exc).strip().splitlines()[0:1]}",
                file=sys.stderr,
                flush=True,
            )
            time.sleep(0.5)


def deliver(conn: psycopg2.extensions.connection, entry: dict[str, object]) -> None:
    """Insert one result (idempotent on MSH-10) and commit."""
    with conn, conn.cursor() as cursor:
        cursor.execute(
            "INSERT INTO results (control_id, patient, order_id, priority, observations, received_at, raw)"
            " VALUES (%s, %s, %s, %s, %s, to_timestamp(%s), %s) ON CONFLICT (control_id) DO NOTHING",
            (
                entry["control_id"],
                entry["patient"],
                entry["order"],
                entry["priority"],
                json.dumps(entry["observations"]),
                entry["received_at"],
                entry["raw"],
            ),
        )


class MLLPHandler(socketserver.BaseRequestHandler):
    """One analyser connection: frames in, one ACK out per frame."""

    journal: Journal

    def handle(self) -> None:
        buffer = bytearray()
        self.request.settimeout(300)
        while True:
            try:
                chunk = self.request.recv(65536)
                if not chunk:
                    return
                payloads = hl7.read_frame(buffer, chunk)
            except hl7.Oversize as oversize:
                self.refuse_oversize(oversize)
                return
            except hl7.FramingError as exc:
                self.journal.reject(hl7.Refused("AE", f"MLLP framing: {exc}"), bytes(buffer))
                return
            except OSError:
                return
            for payload in payloads:
                self.request.sendall(hl7.frame(self.answer(payload)))

    def refuse_oversize(self, oversize: hl7.Oversize) -> None:
        """Answer AR stating the limit, keep the message's head, then let the sender finish and close.

        The rest of the frame is read and dropped (bounded in time and bytes)
        so that the sender reads the AR instead of a reset connection.
        """
        refused = oversize.refusal()
        self.journal.reject(refused, oversize.head)
        try:
            self.request.sendall(hl7.frame(hl7.ack(refused.code, refused.control_id, refused.reason)))
            self.request.shutdown(socket.SHUT_WR)
            self.request.settimeout(DRAIN_S)
            deadline, drained = time.monotonic() + DRAIN_S, 0
            while time.monotonic() < deadline and drained < DRAIN_BYTES:
                chunk = self.request.recv(65536)
                if not chunk or hl7.END + hl7.CR in chunk:
                    return
                drained += len(chunk)
        except OSError:
            return

    def answer(self, payload: bytes) -> str:
        try:
            result = hl7.parse(payload)
        except hl7.Refused as refused:
            self.journal.reject(refused, payload)
            return hl7.ack(refused.code, refused.control_id, refused.reason)
        self.journal.accept(result)
        self.journal.wait_delivered(result.control_id, SYNC_ACK_S)
        return hl7.ack("AA", result.control_id, receiver=result.sender or "ANALYSER")


class MLLPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def storage_check() -> int:
    """Whether the gateway can use the results database through its own path: a connect and a query.

    The recovery plan runs this in the gateway's container to judge storage
    damage from where the service stands; it prints what it saw.
    """
    started = time.monotonic()
    try:
        conn = connect()
        try:
            with conn, conn.cursor() as cursor:
                cursor.execute("SELECT 1")
        finally:
            conn.close()
    except (psycopg2.Error, OSError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"results database: no answer in {time.monotonic() - started:.2f} s: {reason}")
        return 1
    print(f"results database: answered a query in {time.monotonic() - started:.2f} s")
    return 0


def main() -> int:
    if "--storage-check" in sys.argv:
        return storage_check()
    if "--check" in sys.argv:
        from results_api import check

        return check()
    DATA.mkdir(parents=True, exist_ok=True)
    journal = Journal(DATA)
    MLLPHandler.journal = journal
    server = MLLPServer(("0.0.0.0", 2575), MLLPHandler)  # noqa: S104 - inside its container
    threading.Thread(target=server.serve_forever, daemon=True).start()
    journal.receiving = True
    threading.Thread(target=forward, args=(journal,), daemon=True).start()
    serve_api(journal, connect)
    return 0


if __name__ == "__main__":
    sys.exit(main())
