"""The clinicians' results API and the gateway's health, over HTTP on port 8000.

/health tells "receiving" (analysers get ACKs) apart from "delivering"
(results reach the database); it answers 200 while receiving, since the
gateway does its main job even when its storage is away.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import psycopg2

_SELECT = (
    "SELECT control_id, patient, order_id, priority, observations,"
    " extract(epoch FROM received_at), extract(epoch FROM delivered_at) FROM results"
)
QUERIES = {
    "patient": _SELECT + " WHERE patient = %s ORDER BY delivered_at",
    "order": _SELECT + " WHERE order_id = %s ORDER BY delivered_at",
}
COLUMNS = ("control_id", "patient", "order_id", "priority", "observations", "received_at", "delivered_at")


def serve_api(journal: Any, connect: Callable[[], Any]) -> None:
    """Serve the API forever."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/health":
                health = journal.health()
                self.reply(HTTPStatus.OK if health["receiving"] else HTTPStatus.SERVICE_UNAVAILABLE, health)
            elif url.path == "/results" and ("patient" in query or "order" in query):
                self.results(query)
            elif url.path == "/results":
                self.reply(
                    HTTPStatus.BAD_REQUEST, {"error": "ask by patient or by order: ?patient=ID or ?order=ID"}
                )
            else:
                self.reply(HTTPStatus.NOT_FOUND, {"error": f"no resource {url.path}"})

        def results(self, query: dict[str, str]) -> None:
            key = "patient" if "patient" in query else "order"
            sql, value = QUERIES[key], query[key]
            try:
                conn = connect()
                try:
                    with conn.cursor() as cursor:
                        cursor.execute(sql, (value,))
                        rows = [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
                finally:
                    conn.close()
            except psycopg2.Error as exc:
                first = str(exc).strip().splitlines()[:1]
                self.reply(
                    HTTPStatus.SERVICE_UNAVAILABLE, {"error": f"the results database is unavailable: {first}"}
                )
                return
            for row in rows:
                row["received_at"], row["delivered_at"] = (
                    float(row["received_at"]),
                    float(row["delivered_at"]),
                )
            self.reply(HTTPStatus.OK, rows)

        def reply(self, status: HTTPStatus, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("0.0.0.0", 8000), Handler)  # noqa: S104 - inside its container
    server.daemon_threads = True
    server.serve_forever()


def check() -> int:
    """Docker health check: healthy while the gateway is receiving."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:8000/health", timeout=2) as answer:
            return 0 if answer.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(check())
