"""A biology platform's analyser chain: a steady stream of ORU^R01 over MLLP.

A share of the results is STAT (priority S). Each result is sent until it
is ACKed: on a missing or late ACK, on a broken connection or on AE, the
same message (same MSH-10) is sent again, so the gateway can deduplicate.
The analyser never stops because the gateway's storage is down, as on the
real day. Every send and every ACK is logged to stdout and to
/var/lib/analyser/log.jsonl.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import socket
import sys
import time
from pathlib import Path

START, END = b"\x0b", b"\x1c\x0d"
ACK_TIMEOUT_S = 2.0
LOG = Path(os.environ.get("ANALYSER_LOG", "/var/lib/analyser/log.jsonl"))
TESTS = (
    ("GLU", "Glucose", "mmol/L", 3.0, 9.0),
    ("K", "Potassium", "mmol/L", 3.0, 6.0),
    ("HB", "Haemoglobin", "g/dL", 9, 17),
)


def message(analyser: str, sequence: int, stat: bool, rng: random.Random) -> tuple[str, str]:
    """One ORU^R01 v2.5; returns (MSH-10, message)."""
    control_id = f"{analyser}-{sequence:08d}"
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    code, name, unit, low, high = rng.choice(TESTS)
    patient = f"P{rng.randint(1, 99999):05d}"
    order = f"ORD{analyser[-2:]}{sequence:08d}"
    segments = [
        f"MSH|^~\\&|{analyser}|BIOLOGY|LABGW|CHU|{now}||ORU^R01^ORU_R01|{control_id}|P|2.5",
        f"PID|1||{patient}^^^CHU^MR||DOE^JOHN",
        f"OBR|1|{order}|{order}|{code}^{name}^L|||{now}" + "|" * 20 + f"^^^^^{'S' if stat else 'R'}",
        f"OBX|1|NM|{code}^{name}^L||{rng.uniform(low, high):.1f}|{unit}|||||F",
    ]
    return control_id, "\r".join(segments) + "\r"


def ack_code(answer: bytes) -> tuple[str, str]:
    """(MSA-1, MSA-2) of an MLLP-framed ACK, or ("", "") when unreadable."""
    text = answer.strip(START + END).decode("utf-8", "replace")
    for segment in text.split("\r"):
        if segment.startswith("MSA|"):
            fields = segment.split("|")
            return fields[1], fields[2] if len(fields) > 2 else ""
    return "", ""


def log(entry: dict[str, object]) -> None:
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
        """Send one framed message and read one framed answer; raise OSError on any failure."""
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=ACK_TIMEOUT_S)
        try:
            self.sock.settimeout(ACK_TIMEOUT_S)
            self.sock.sendall(START + payload + END)
            answer = b""
            while not answer.endswith(END):
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the gateway closed the connection")
                answer += chunk
            return answer
        except OSError:
            self.sock.close()
            self.sock = None
            raise


def send_until_acked(link: Link, control_id: str, text: str, stat: bool) -> None:
    """Send until the gateway answers AA; back off a little between attempts."""
    attempt = 0
    while True:
        attempt += 1
        log({"event": "send", "control_id": control_id, "stat": stat, "attempt": attempt})
        try:
            code, acked = ack_code(link.exchange(text.encode("utf-8")))
        except OSError as exc:
            log({"event": "no-ack", "control_id": control_id, "error": str(exc)})
            time.sleep(min(2.0, 0.2 * attempt))
            continue
        log({"event": "ack", "control_id": control_id, "code": code, "acks": acked})
        if code == "AA" and acked == control_id:
            return
        time.sleep(min(2.0, 0.2 * attempt))


def main() -> int:
    analyser = os.environ.get("ANALYSER_ID", "AN01")
    rate = float(os.environ.get("RATE_PER_S", "1"))
    stat_share = float(os.environ.get("STAT_SHARE", "0.2"))
    link = Link(os.environ["GATEWAY_HOST"], int(os.environ.get("GATEWAY_PORT", "2575")))
    rng = random.Random(analyser)  # noqa: S311 - simulated data
    LOG.parent.mkdir(parents=True, exist_ok=True)
    sequence = (
        sum(1 for line in LOG.read_text().splitlines() if '"send"' in line and '"attempt": 1,' in line)
        if LOG.exists()
        else 0
    )
    while True:
        sequence += 1
        stat = rng.random() < stat_share
        control_id, text = message(analyser, sequence, stat, rng)
        send_until_acked(link, control_id, text, stat)
        time.sleep(1 / rate if rate > 0 else 1)


if __name__ == "__main__":
    sys.exit(main())
