"""Where a service listens: 127.0.0.1 and the names it is given, each resolved; everything when none."""

from __future__ import annotations

import socket
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler

import pytest

from services.common import listen
from services.common.http_service import QuietServer


def test_without_names_a_service_listens_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LISTEN", raising=False)
    assert listen.listen_addresses() == ["0.0.0.0"]


def test_given_names_a_service_listens_on_them_and_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_LISTEN", "localhost 127.0.0.2 127.0.0.1")
    assert listen.listen_addresses("API_LISTEN") == ["127.0.0.1", "127.0.0.2"]


def test_a_name_that_never_resolves_stops_the_service_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LISTEN", "access.no-such-container.invalid")
    monkeypatch.setattr(listen, "RESOLVE_S", 0.3)
    with pytest.raises(SystemExit, match=r"cannot resolve access\.no-such-container\.invalid"):
        listen.listen_addresses()
    # Asked again until the deadline, not once.
    calls = []

    def fails(name: str) -> str:
        calls.append(name)
        raise socket.gaierror("not yet")

    monkeypatch.setattr(socket, "gethostbyname", fails)
    with pytest.raises(SystemExit):
        listen.resolve("x", within_s=0.5)
    assert len(calls) >= 2


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"hello")


def test_serve_all_answers_on_every_address_and_no_other(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("LISTEN", "127.0.0.2")
    servers: list[QuietServer] = []

    def make(address: str) -> QuietServer:
        server = QuietServer((address, port), Hello)
        servers.append(server)
        return server

    threading.Thread(target=listen.serve_all, args=(make,), daemon=True).start()
    try:
        for address in ("127.0.0.1", "127.0.0.2"):
            for _ in range(50):
                try:
                    with urllib.request.urlopen(f"http://{address}:{port}/", timeout=2) as answer:
                        assert answer.read() == b"hello"
                        break
                except OSError:
                    threading.Event().wait(0.05)
            else:
                pytest.fail(f"nothing answered on {address}:{port}")
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.3:{port}/", timeout=2)
    finally:
        for server in servers:
            server.shutdown()
