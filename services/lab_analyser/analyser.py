"""A biology platform's analyser chain: a steady stream of ORU^R01 over MLLP.

A share of the results is STAT (priority S). Each result is sent until it
is ACKed: on a missing or late ACK, on a broken connection or on AE, the
same message (same MSH-10) is sent again, so the gateway can deduplicate.
The analyser never stops because the gateway's storage is down, as on the
real day. Every send and every ACK is logged to stdout and to
/var/lib/analyser/log.jsonl.

Run as `python3 -m services.lab_analyser.analyser`.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sys
import time
from pathlib import Path

from services.common import mllp
from services.common.ack import read_ack
from services.common.oru import Observation, Order, oru_r01

ACK_TIMEOUT_S = 2.0
LOG = Path(os.environ.get("ANALYSER_LOG", "/var/lib/analyser/log.jsonl"))
TESTS = (
    ("GLU", "Glucose", "mmol/L", 3.0, 9.0),
    ("K", "Potassium", "mmol/L", 3.0, 6.0),
    ("HB", "Haemoglobin", "g/dL", 9, 17),
)


def message(analyser: str, sequence: int, stat: bool, rng: random.Random) -> tuple[str, str]:
    """The sequence-th ORU^R01 v2.5 of this analyser, its values drawn from rng; returns (MSH-10, message)."""
    control_id = f"{analyser}-{sequence:08d}"
    code, name, unit, low, high = rng.choice(TESTS)
    patient = f"P{rng.randint(1, 99999):05d}"
    order = Order(analyser, control_id, patient, f"ORD{analyser[-2:]}{sequence:08d}", stat, ("DOE", "JOHN"))
    return control_id, oru_r01(order, Observation(code, name, f"{rng.uniform(low, high):.1f}", unit))


def log(entry: dict[str, object]) -> None:
    """Log one event, with its time, to stdout and to LOG."""
    entry["at"] = time.time()
    line = json.dumps(entry)
    print(line, flush=True)
    with open(LOG, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


class Link:
    """A connection to the gateway, re-opened whenever it breaks."""

    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)
        self.sock: socket.socket | None = None

    def exchange(self, payload: bytes) -> bytes:
        """Send one message and return the payload of its answer; raise OSError on any failure."""
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=ACK_TIMEOUT_S)
        try:
            self.sock.settimeout(ACK_TIMEOUT_S)
            return mllp.exchange(self.sock, payload)
        except mllp.FramingError as exc:
            self.drop()
            raise ConnectionError(f"the gateway's answer is not MLLP: {exc}") from exc
        except OSError:
            self.drop()
            raise

    def drop(self) -> None:
        """Close the connection; the next exchange opens a new one."""
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def send_until_acked(link: Link, control_id: str, text: str, stat: bool) -> None:
    """Send until the gateway answers AA for this very message; back off a little between attempts."""
    attempt = 0
    while True:
        attempt += 1
        log({"event": "send", "control_id": control_id, "stat": stat, "attempt": attempt})
        try:
            ack = read_ack(link.exchange(text.encode("utf-8")))
        except OSError as exc:
            log({"event": "no-ack", "control_id": control_id, "error": str(exc)})
            time.sleep(min(2.0, 0.2 * attempt))
            continue
        code, acked = (ack.code, ack.control_id) if ack else ("", "")
        log({"event": "ack", "control_id": control_id, "code": code, "acks": acked})
        if code == "AA" and acked == control_id:
            return
        time.sleep(min(2.0, 0.2 * attempt))


def sent_before() -> int:
    """How many messages this analyser sent before a restart (first attempts in its log)."""
    if not LOG.exists():
        return 0
    return sum(1 for line in LOG.read_text().splitlines() if '"send"' in line and '"attempt": 1,' in line)


def main() -> int:
    """Send results forever at RATE_PER_S to GATEWAY_HOST:GATEWAY_PORT."""
    analyser = os.environ.get("ANALYSER_ID", "AN01")
    rate = float(os.environ.get("RATE_PER_S", "1"))
    stat_share = float(os.environ.get("STAT_SHARE", "0.2"))
    link = Link(os.environ["GATEWAY_HOST"], int(os.environ.get("GATEWAY_PORT", "2575")))
    rng = random.Random(analyser)  # noqa: S311 - simulated data
    LOG.parent.mkdir(parents=True, exist_ok=True)
    sequence = sent_before()
    while True:
        sequence += 1
        stat = rng.random() < stat_share
        control_id, text = message(analyser, sequence, stat, rng)
        send_until_acked(link, control_id, text, stat)
        time.sleep(1 / rate if rate > 0 else 1)


if __name__ == "__main__":
    sys.exit(main())
