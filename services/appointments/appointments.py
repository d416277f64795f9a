"""Appointment booking for the medical secretariats: an HTML page and a JSON API.

The API (described in /openapi.json) creates, cancels and lists bookings by
clinic and day, over PostgreSQL on the storage array. A confirmed booking
returns its id only once its commit is acknowledged (and so, with
synchronous replication, already in the backup vault). When the database
cannot be reached the API answers 503 with a clear body within 1.7 s (store.py
holds that deadline whatever the database does), never hangs; when a
commit's outcome is unknown it says so (503, outcome unknown).

This module is the HTTP layer; the rules are in booking.py, the operations
in api.py, the page in page.py. Run as `python3 -m
services.appointments.appointments` (`--check`: the health check;
`--storage-check`: the recovery plan's check of the path to the database).
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import parse_qs, urlparse

from services.appointments.api import Answer, cancel, create, create_schema, health, listing, one
from services.appointments.booking import BadRequest
from services.appointments.openapi import document
from services.appointments.page import page
from services.appointments.store import DEADLINE_S, Conflict, OutcomeUnknown, Unavailable, run
from services.common.http_service import JsonHandler, http_check, http_server
from services.common.listen import serve_all

PORT = 8000
MAX_BODY = 16 * 1024
ID_PATH = re.compile(r"^/api/appointments/(\d{1,18})$")
OPENAPI = json.dumps(document(DEADLINE_S)).encode()


class Handler(JsonHandler):
    """The page, /openapi.json, /health and /api/appointments[/{id}]."""

    protocol_version = "HTTP/1.1"
    server_version = "appointments/1"

    def do_GET(self) -> None:
        """The page, the API's description, the health, one booking or a listing."""
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        match = ID_PATH.match(url.path)
        if url.path == "/":
            self.send(HTTPStatus.OK, page(query).encode(), "text/html; charset=utf-8")
        elif url.path == "/openapi.json":
            self.send(HTTPStatus.OK, OPENAPI, "application/json")
        elif url.path == "/health":
            self.answer(health)
        elif match:
            ident = int(match.group(1))
            self.answer(lambda: one(ident))
        elif url.path == "/api/appointments":
            self.answer(lambda: listing(query))
        else:
            self.answer(lambda: not_found(url.path))

    def do_POST(self) -> None:
        """Book: the body is read only when it is at most MAX_BODY bytes."""
        if self.path != "/api/appointments":
            self.answer(lambda: not_found(self.path))
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.answer(
                lambda: (HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"body over {MAX_BODY} bytes"})
            )
            self.close_connection = True
            return
        body = self.rfile.read(length)
        self.answer(lambda: create(body))

    def do_DELETE(self) -> None:
        """Cancel one booking."""
        match = ID_PATH.match(self.path)
        self.answer(lambda: cancel(int(match.group(1))) if match else not_found(self.path))

    def answer(self, handle: Callable[[], Answer]) -> None:
        """Send what handle answers as JSON, its refusals and the database's failures as their statuses."""
        try:
            status, body = handle()
        except BadRequest as exc:
            status, body = HTTPStatus.BAD_REQUEST, {"error": str(exc)}
        except Conflict as exc:
            status, body = HTTPStatus.CONFLICT, {"error": str(exc)}
        except OutcomeUnknown as exc:
            status, body = HTTPStatus.SERVICE_UNAVAILABLE, {"error": str(exc), "outcome": "unknown"}
        except Unavailable as exc:
            status, body = (
                HTTPStatus.SERVICE_UNAVAILABLE,
                {"error": f"the appointments database is unavailable: {exc}", "outcome": "not done"},
            )
        self.reply(status, body)


def not_found(path: str) -> Answer:
    """404 naming the path."""
    return HTTPStatus.NOT_FOUND, {"error": f"no resource {path}"}


def check() -> int:
    """Health check for Docker: the server answers (even 503: it is up, its database may not be)."""
    return http_check(PORT, "/openapi.json")


def storage_check() -> int:
    """Whether this app can use its database through its own path (its SAN, its timeouts): a query.

    The recovery plan runs this in the app's container to judge storage damage
    from where the service stands; it prints what it saw.
    """
    started = time.monotonic()
    try:
        run("SELECT 1")
    except (Unavailable, OutcomeUnknown) as exc:
        print(f"database of appointments: no answer in {time.monotonic() - started:.2f} s: {exc}")
        return 1
    print(f"database of appointments: answered a query in {time.monotonic() - started:.2f} s")
    return 0


def main() -> int:
    """Serve (or run one of the checks); return the exit code."""
    if "--check" in sys.argv:
        return check()
    if "--storage-check" in sys.argv:
        return storage_check()
    threading.Thread(target=create_schema, daemon=True).start()
    serve_all(lambda address: http_server((address, PORT), Handler))
    return 0


if __name__ == "__main__":
    sys.exit(main())
