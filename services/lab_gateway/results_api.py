"""The clinicians' results API and the gateway's health, over HTTP on port 8000.

/health tells "receiving" (analysers get ACKs) apart from "delivering"
(results reach the database); it answers 200 while receiving, since the
gateway does its main job even when its storage is away. /results answers
by patient or by order, from the database.

Run as `python3 -m services.lab_gateway.results_api`: the Docker health check.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import ClassVar, Protocol
from urllib.parse import parse_qs, urlparse

import psycopg2
import psycopg2.extensions

from services.common.http_service import JsonHandler, http_check, http_server
from services.common.listen import serve_all

API_PORT = 8000
_SELECT = (
    "SELECT control_id, patient, order_id, priority, observations,"
    " extract(epoch FROM received_at), extract(epoch FROM delivered_at) FROM results"
)
QUERIES = {
    "patient": _SELECT + " WHERE patient = %s ORDER BY delivered_at",
    "order": _SELECT + " WHERE order_id = %s ORDER BY delivered_at",
}
COLUMNS = ("control_id", "patient", "order_id", "priority", "observations", "received_at", "delivered_at")


class Health(Protocol):
    """What the API needs of the journal: its health."""

    def health(self) -> dict[str, object]:
        """receiving, delivering and the journal's counts."""
        ...


Connect = Callable[[], psycopg2.extensions.connection]


@dataclass(frozen=True)
class Source:
    """Where the API's answers come from: the journal (health) and the results database."""

    journal: Health
    connect: Connect


class ResultsHandler(JsonHandler):
    """GET /health and GET /results?patient=ID or ?order=ID, as JSON."""

    protocol_version = "HTTP/1.1"
    source: ClassVar[Source]

    def do_GET(self) -> None:
        """Route one GET."""
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/health":
            health = self.source.journal.health()
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
        """Answer the results of one patient or one order, oldest delivery first; 503 without the database."""
        key = "patient" if "patient" in query else "order"
        try:
            rows = fetch(self.source.connect, QUERIES[key], query[key])
        except psycopg2.Error as exc:
            first = str(exc).strip().splitlines()[:1]
            self.reply(
                HTTPStatus.SERVICE_UNAVAILABLE, {"error": f"the results database is unavailable: {first}"}
            )
            return
        self.reply(HTTPStatus.OK, rows)


def fetch(connect: Connect, sql: str, value: str) -> list[dict[str, object]]:
    """The rows sql selects for value, as JSON objects (times as Unix seconds); raises psycopg2.Error."""
    conn = connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql, (value,))
            rows = [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    finally:
        conn.close()
    for row in rows:
        row["received_at"] = float(str(row["received_at"]))
        row["delivered_at"] = float(str(row["delivered_at"]))
    return rows


def serve_api(journal: Health, connect: Connect, port: int = API_PORT) -> None:
    """Serve the API forever on port, answering from journal and the database connect reaches."""

    class Bound(ResultsHandler):
        """ResultsHandler, answering from journal and connect."""

        source = Source(journal, connect)

    serve_all(lambda address: http_server((address, port), Bound), "API_LISTEN")


def check() -> int:
    """Docker health check: healthy (0) while the gateway is receiving."""
    return http_check(API_PORT, "/health")


if __name__ == "__main__":
    sys.exit(check())
