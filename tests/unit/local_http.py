"""A throwaway HTTP server on 127.0.0.1 for tests of our HTTP clients."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer


def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve handler on a free 127.0.0.1 port; yield its base URL; stop when resumed."""
    httpd = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
