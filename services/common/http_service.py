"""What the services' small HTTP servers share: JSON and page replies, a quiet threaded server,
and the health check Docker runs inside each container.

The appointment app, the lab gateway's results API and the intranet are
standard-library `http.server` apps (Debian's python3 alone in their images);
this is their one copy of the plumbing, so that each app holds only its
routes and its answers.
"""

from __future__ import annotations

import json
import os
import socketserver
import ssl
import sys
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from services.common.tls import CA_FILE, TlsAccept, server_tls


class JsonHandler(BaseHTTPRequestHandler):
    """A handler that answers JSON (or a page), speaks HTTP/1.1 and logs nothing per request."""

    protocol_version = "HTTP/1.1"

    def headers_to_add(self) -> dict[str, str]:
        """Headers every answer of this handler carries (none by default)."""
        return {}

    def reply(self, status: HTTPStatus, body: object) -> None:
        """Send body as JSON with status."""
        self.send(status, json.dumps(body).encode(), "application/json")

    def send(self, status: HTTPStatus, data: bytes, content_type: str) -> None:
        """Send data with status and content type (and the handler's own headers)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in self.headers_to_add().items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_page(self, data: bytes) -> None:
        """Send an HTML page (200)."""
        self.send(HTTPStatus.OK, data, "text/html; charset=utf-8")

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: health checks would fill the log, and every answer says what happened."""
        return


class QuietServer(ThreadingHTTPServer):
    """A threaded server that does not print a traceback when a client hangs up early,
    as HAProxy's and Docker's health checks do once they have read the status line."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Report errors other than a client that went away."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class TlsServer(TlsAccept, QuietServer):
    """A QuietServer over TLS (services/common/tls.py)."""

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[socketserver.BaseRequestHandler],
        context: ssl.SSLContext,
    ) -> None:
        self.context = context
        super().__init__(address, handler)


def http_server(address: tuple[str, int], handler: type[socketserver.BaseRequestHandler]) -> QuietServer:
    """The app's server on address: over TLS when the deployment gave it a certificate (server_tls)."""
    context = server_tls()
    return TlsServer(address, handler, context) if context else QuietServer(address, handler)


def http_check(port: int, path: str) -> int:
    """A health check for Docker: 0 when the app on 127.0.0.1:port answers 200 to path within 2 s,
    else 1; over TLS checked against the stack's CA when the app serves TLS."""
    tls = os.environ.get("TLS_SERVER", "")
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}{path}"
    try:
        context = ssl.create_default_context(cafile=CA_FILE) if tls else None
        with urllib.request.urlopen(url, timeout=2, context=context) as answer:  # noqa: S310 - 127.0.0.1
            return 0 if answer.status == 200 else 1
    except OSError:
        return 1
