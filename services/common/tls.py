"""The services' TLS as servers: the certificate the stack's CA issued each, and a handshake per
connection in that connection's own thread.

`drill up` issues each TLS server a certificate (drill/tls.py) and the
deployment uploads it as /run/secrets/<name>_tls_cert and _key, TLS_SERVER
naming it. A server that accepts with TlsAccept wraps each connection as it
is accepted, without a handshake: the handshake runs in the thread that
serves the connection, so a client that stalls it holds up no other, and a
client that speaks no TLS fails in its own thread (a line in the log, no
traceback). The vault's export has its own copy of these few lines: it runs
as a script that imports nothing of ours.
"""

from __future__ import annotations

import os
import ssl
import sys
from pathlib import Path
from socket import IPPROTO_TCP, TCP_NODELAY
from socket import socket as Socket

SECRETS = Path("/run/secrets")
CA_FILE = SECRETS / "tls_ca_cert"


def server_tls(name: str = "") -> ssl.SSLContext | None:
    """The server's TLS (1.2 or newer) with the certificate issued to name (TLS_SERVER when not
    given); None when there is none to name: plain. Stops the service, naming the files, when the
    certificate cannot be loaded."""
    name = name or os.environ.get("TLS_SERVER", "")
    if not name:
        return None
    cert, key = SECRETS / f"{name}_tls_cert", SECRETS / f"{name}_tls_key"
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise SystemExit(
            f"cannot load the TLS certificate {cert} and key {key}: {exc}; deploy again"
        ) from exc
    return context


class TlsAccept:
    """A socketserver mixin: every accepted connection wrapped in `context`, its handshake left
    to the thread that serves it; a failed handshake logged in one line."""

    context: ssl.SSLContext
    socket: Socket

    def get_request(self) -> tuple[Socket, tuple[str, int]]:
        conn, address = self.socket.accept()
        # TLS sends the session tickets, then each answer, as small records of their own: with
        # Nagle's algorithm each later one waited for the client's delayed ACK, 40 ms a request.
        conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)
        return self.context.wrap_socket(conn, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ssl.SSLError | TimeoutError):
            host = client_address[0] if isinstance(client_address, tuple) else client_address
            print(f"tls: refused a connection from {host}: no TLS handshake ({error})", file=sys.stderr)
            return
        super().handle_error(request, client_address)  # type: ignore[misc]
