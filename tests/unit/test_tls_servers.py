"""Every TLS server of ours sends without Nagle's delay: each accepted connection has TCP_NODELAY.

Without it the small records TLS writes (the session tickets, then each
answer) waited for the client's delayed ACK: `make bench` measured HL7 over
MLLP at 47 ms a message over TLS against 5 ms plain, and every HTTPS
request 40 ms slower than its handshake explains (bench/README.md).
"""

from __future__ import annotations

import socket
import socketserver
import ssl
from collections.abc import Callable
from pathlib import Path

import pytest

from drill.tls import issue, make_ca
from services.common import vault_export
from services.common.tls import TlsAccept
from services.lab_gateway.receiver import MLLPHandler, MLLPSServer

CA = make_ca("unit")
SERVER = issue(CA, ["localhost"])


def context(tmp_path: Path) -> ssl.SSLContext:
    (tmp_path / "cert.pem").write_text(SERVER.cert)
    (tmp_path / "key.pem").write_text(SERVER.key)
    return vault_export.tls_context(tmp_path / "cert.pem", tmp_path / "key.pem")


class Plain(socketserver.TCPServer):
    """A plain server, to show the option is ours to set: the kernel's default is off."""


class Tls(TlsAccept, socketserver.TCPServer):
    """TlsAccept over the standard library's server, as the HTTPS services use it."""


def export_server(tls: ssl.SSLContext) -> socketserver.TCPServer:
    vault_export.TlsServer.context = tls
    return vault_export.TlsServer(("127.0.0.1", 0), vault_export.Export)


def tls_accept(tls: ssl.SSLContext) -> socketserver.TCPServer:
    server = Tls(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    server.context = tls
    return server


def mllps(tls: ssl.SSLContext) -> socketserver.TCPServer:
    return MLLPSServer(("127.0.0.1", 0), MLLPHandler, tls)


def nodelay(server: socketserver.TCPServer) -> int:
    """TCP_NODELAY of the connection the server accepts from a client of ours."""
    host, port = server.server_address[:2]
    with server, socket.create_connection((str(host), int(port)), timeout=5):
        accepted, _ = server.get_request()
        with accepted:
            return accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


@pytest.mark.parametrize("make", [export_server, tls_accept, mllps], ids=["vault-export", "https", "mllps"])
def test_each_tls_server_accepts_with_nodelay(
    make: Callable[[ssl.SSLContext], socketserver.TCPServer], tmp_path: Path
) -> None:
    assert nodelay(Plain(("127.0.0.1", 0), socketserver.BaseRequestHandler)) == 0
    assert nodelay(make(context(tmp_path))) != 0
