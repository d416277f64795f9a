"""The workload records ok only when acknowledged, unknown on doubt, failed when surely not done."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from drill.errors import LedgerError
from drill.workload import operations
from drill.workload.clients import host_port
from drill.workload.ledger import Ledger, read_ledger
from tests.unit.local_http import serving

ANSWERS: dict[str, tuple[int, object]] = {
    "/created": (201, {"id": 7}),
    "/unknown": (503, {"error": "replication not confirmed", "outcome": "unknown"}),
    "/not-done": (503, {"error": "database unavailable", "outcome": "not done"}),
    "/bad": (400, {"error": "slot must be HH:MM"}),
}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/hang-up":
            self.connection.shutdown(socket.SHUT_RDWR)  # the request arrived; no answer comes back
            return
        code, body = ANSWERS[self.path]
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return


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
    assert operations._http_write("POST", f"{server}{path}", {"x": 1}, ok=(201,))[0] == status


def test_refused_connection_is_failed_not_unknown() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    assert operations._http_write("POST", f"http://127.0.0.1:{port}/x", {}, ok=(201,))[0] == "failed"


def test_only_loopback_endpoints_are_allowed() -> None:
    assert host_port("smtp://127.0.0.1:18025") == ("127.0.0.1", 18025)
    with pytest.raises(ValueError, match=r"not on 127\.0\.0\.1"):
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
