"""The workload records ok only when acknowledged, unknown on doubt, failed when surely not done."""

from __future__ import annotations

import json
import os
import random
import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from drill.errors import LedgerError
from drill.tls import make_ca
from drill.workload import clients, operations
from drill.workload.clients import host_port
from drill.workload.ledger import Ledger, read_ledger
from services.appointments.booking import CLINICS, parse_booking
from tests.unit.local_http import serving

ANSWERS: dict[str, tuple[int, object]] = {
    "/created": (201, {"id": 7}),
    "/unknown": (503, {"error": "replication not confirmed", "outcome": "unknown"}),
    "/not-done": (503, {"error": "database unavailable", "outcome": "not done"}),
    "/bad": (400, {"error": "slot must be HH:MM"}),
}


class JsonAnswers(BaseHTTPRequestHandler):
    """A test server's handler: answers JSON, logs nothing."""

    def answer(self, code: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return


class Handler(JsonAnswers):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/hang-up":
            self.connection.shutdown(socket.SHUT_RDWR)  # the request arrived; no answer comes back
            return
        self.answer(*ANSWERS[self.path])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    yield from serving(Handler)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/created", "ok"),
        ("/unknown", "unknown"),
        ("/not-done", "failed"),
        ("/bad", "failed"),
        ("/hang-up", "unknown"),
    ],
)
def test_write_outcomes(server: str, path: str, status: str) -> None:
    assert operations._http_write("POST", f"{server}{path}", {"x": 1}, (201,), None)[0] == status


def test_refused_connection_is_failed_not_unknown() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    assert operations._http_write("POST", f"http://127.0.0.1:{port}/x", {}, (201,), None)[0] == "failed"


def test_only_loopback_and_the_rooms_addresses_are_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clients.HOSTS_ENV, raising=False)
    assert host_port("smtp://127.0.0.1:18025") == ("127.0.0.1", 18025)
    with pytest.raises(ValueError, match=r"not on 127\.0\.0\.1 nor on a room's address"):
        host_port("smtp://10.231.0.1:25")
    clients.allow_hosts(["10.231.0.1", "10.231.0.2", "127.0.0.1"])
    assert host_port("smtp://10.231.0.1:25") == ("10.231.0.1", 25)
    clients.allow_hosts(["10.231.0.3"])  # added to, never narrowed: a stack's rooms stay reachable
    assert clients.allowed_hosts() == {"127.0.0.1", "10.231.0.1", "10.231.0.2", "10.231.0.3"}
    with pytest.raises(ValueError, match="talks to nothing else"):
        host_port("smtp://10.0.0.5:25")


def test_ledger_round_trip_and_malformed_lines(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = Ledger(path)
    ledger.record("mail", "send", "<m1@x>", "invoked")
    ledger.record("mail", "send", "<m1@x>", "unknown", "no answer")
    ledger.close()
    entries = list(read_ledger(path))
    assert [(e.key, e.status) for e in entries] == [("<m1@x>", "invoked"), ("<m1@x>", "unknown")]
    path.write_text(path.read_text() + '{"status": "maybe"}\n')
    with pytest.raises(LedgerError, match="line 3 is not a ledger entry"):
        list(read_ledger(path))


def run_ids() -> list[str]:
    """Run ids of every shape the project makes (game days, workloads, tests), a thousand of each,
    minutes apart: under the old scheme any two whose characters summed alike shared a day."""
    shapes = ("gd-20261201T%H%M%SZ", "wl-20261201T%H%M%SZ", "t%H%M%S", "a%H%M%S")
    return [time.strftime(shape, time.gmtime(s)) for shape in shapes for s in range(0, 86_400, 86)]


def test_bookings_of_different_runs_do_not_share_a_slot() -> None:
    taken: dict[tuple[str, str, str], str] = {}
    for run_id in run_ids():
        for n in range(200):
            slot = operations.booking_slot(run_id, n)
            assert taken.setdefault(slot, run_id) == run_id, (slot, taken[slot], run_id)


def test_a_run_books_consecutive_distinct_slots_the_app_takes() -> None:
    slots = [operations.booking_slot("gd-20261201T182000Z", n) for n in range(3 * 24 * 60 * len(CLINICS))]
    assert len(set(slots)) == len(slots)
    for clinic, day, slot in slots[::97]:
        parse_booking(json.dumps({"patient": "P", "clinic": clinic, "day": day, "slot": slot}).encode())


class Calendar(JsonAnswers):
    """Answers 409 to a booking of a slot in `Calendar.taken`, else 201, and notes each slot asked."""

    taken: ClassVar[set[str]] = set()
    asked: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        slot = f"{body['clinic']} {body['day']} {body['slot']}"
        Calendar.asked.append(slot)
        self.answer(*((409, {"error": "slot taken"}) if slot in Calendar.taken else (201, {"id": 1})))


@pytest.mark.parametrize(("taken", "status"), [(0, "ok"), (1, "ok"), (3, "ok"), (4, "failed")])
def test_a_booking_whose_slot_is_taken_takes_another_a_bounded_number_of_times(
    tmp_path: Path, taken: int, status: str
) -> None:
    """409 says surely not booked, so another slot is safe to try (the ref keeps one booking)."""
    tries = [" ".join(operations.booking_slot("w1", 5, k)) for k in range(operations.SLOT_TRIES)]
    Calendar.taken, Calendar.asked = set(tries[:taken]), []
    for url in serving(Calendar):
        endpoints = operations.Endpoints("w1", url, "", "", "", "", (), tls_ca=make_ca("w").cert)
        ledger = Ledger(tmp_path / "ledger.jsonl")
        operations.book(endpoints, ledger, 5, random.Random(0))
        ledger.close()
    [*_, done] = read_ledger(tmp_path / "ledger.jsonl")
    assert (done.op, done.key, done.status) == ("book", "w1-b5", status)
    assert Calendar.asked == tries[: min(taken + 1, operations.SLOT_TRIES)]
    assert all(slot in done.detail for slot in tries[:taken])


def test_a_client_finds_a_moved_service_through_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "swarm.json"
    monkeypatch.setenv(clients.DIRECTORY_ENV, str(directory))
    monkeypatch.setenv(clients.HOSTS_ENV, "10.231.0.1 10.231.0.2")
    assert clients.located("https://10.231.0.1:38081/health") == "https://10.231.0.1:38081/health"  # none yet
    directory.write_text(json.dumps({"38081": "10.231.0.1", "38025": "10.231.0.1"}))
    assert host_port("smtp://10.231.0.1:38025") == ("10.231.0.1", 38025)
    directory.write_text(json.dumps({"38081": "10.231.0.2", "38025": "10.231.0.2"}))  # the plan moved them
    os.utime(directory, ns=(time.time_ns(), time.time_ns() + 1_000_000))  # a new mtime, however fast
    assert clients.located("https://10.231.0.1:38081/health") == "https://10.231.0.2:38081/health"
    assert host_port("smtp://10.231.0.1:38025") == ("10.231.0.2", 38025)
    assert clients.located("https://127.0.0.1:38081/x") == "https://127.0.0.1:38081/x"  # the same everywhere
    assert (
        clients.located("https://10.231.0.1:9999/x") == "https://10.231.0.1:9999/x"
    )  # a port it does not hold
    directory.write_text("{not json")
    os.utime(directory, ns=(time.time_ns(), time.time_ns() + 2_000_000))
    assert clients.located("https://10.231.0.1:38081/health") == "https://10.231.0.1:38081/health"
