"""Appointment booking for the medical secretariats: an HTML page and a JSON API.

The API (described in /openapi.json) creates, cancels and lists bookings by
clinic and day, over PostgreSQL on the storage array. A confirmed booking
returns its id only once its commit is acknowledged (and so, with
synchronous replication, already in the backup vault). When the database
cannot be reached the API answers 503 with a clear body within 1.7 s (store.py
holds that deadline whatever the database does), never hangs; when a
commit's outcome is unknown it says so (503, outcome unknown).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import sys
import threading
import time
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from store import DEADLINE_S, Conflict, OutcomeUnknown, Unavailable, run

MAX_BODY = 16 * 1024
CLINICS = (
    "cardiology",
    "biology",
    "radiology",
    "paediatrics",
    "surgery",
    "oncology",
    "neurology",
    "maternity",
)
SLOT = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
REF = re.compile(r"^[A-Za-z0-9-]{1,64}$")
PATIENT = re.compile(r"^[A-Za-z0-9 .'\-]{1,80}$")
SCHEMA = """
CREATE TABLE IF NOT EXISTS appointments (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT UNIQUE,
    patient TEXT NOT NULL,
    clinic TEXT NOT NULL,
    day DATE NOT NULL,
    slot TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'confirmed',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
ALTER TABLE appointments ADD COLUMN IF NOT EXISTS ref TEXT UNIQUE;
CREATE UNIQUE INDEX IF NOT EXISTS appointments_slot
    ON appointments (clinic, day, slot) WHERE status = 'confirmed';
"""


class BadRequest(Exception):
    """The request body or a parameter is not acceptable."""


def booking(row: tuple[object, ...]) -> dict[str, object]:
    """A booking row as JSON."""
    ident, patient, clinic, day, slot, status, ref = row
    return {
        "id": ident,
        "patient": patient,
        "clinic": clinic,
        "day": str(day),
        "slot": slot,
        "status": status,
        "ref": ref,
    }


def parse_booking(body: bytes) -> tuple[str, str, str, str, str | None]:
    """Check a booking request body; return (patient, clinic, day, slot, ref) or raise BadRequest.

    ref, optional, is the client's own key for the booking: a retry with the
    same ref returns the booking made the first time instead of a second one.
    """
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("the body is not JSON") from exc
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object with patient, clinic, day and slot")
    missing = [f for f in ("patient", "clinic", "day", "slot") if not isinstance(data.get(f), str)]
    if missing:
        raise BadRequest(f"missing or non-string field(s): {', '.join(missing)}")
    if not PATIENT.match(data["patient"]):
        raise BadRequest("patient must be 1 to 80 letters, digits, spaces or .'-")
    if data["clinic"] not in CLINICS:
        raise BadRequest(f"unknown clinic {data['clinic']!r}; clinics: {', '.join(CLINICS)}")
    parse_day(data["day"])
    if not SLOT.match(data["slot"]):
        raise BadRequest("slot must be HH:MM")
    ref = data.get("ref")
    if ref is not None and (not isinstance(ref, str) or not REF.match(ref)):
        raise BadRequest("ref must be 1 to 64 letters, digits or -")
    extra = sorted(set(data) - {"patient", "clinic", "day", "slot", "ref"})
    if extra:
        raise BadRequest(f"unknown field(s): {', '.join(extra)}")
    return data["patient"], data["clinic"], data["day"], data["slot"], ref


def parse_day(text: str) -> dt.date:
    """A YYYY-MM-DD day, or BadRequest."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise BadRequest(f"day {text!r} is not a date (YYYY-MM-DD)") from exc


def create(body: bytes) -> tuple[HTTPStatus, object]:
    patient, clinic, day, slot, ref = parse_booking(body)
    by = time.monotonic() + DEADLINE_S  # the insert and the read-back share one deadline
    rows = run(
        "INSERT INTO appointments (ref, patient, clinic, day, slot) VALUES (%s, %s, %s, %s, %s)"
        " ON CONFLICT (ref) DO NOTHING RETURNING id, patient, clinic, day, slot, status, ref",
        (ref, patient, clinic, day, slot),
        write=True,
        by=by,
    )
    if rows:
        return HTTPStatus.CREATED, booking(rows[0])
    [row] = run(
        "SELECT id, patient, clinic, day, slot, status, ref FROM appointments WHERE ref = %s", (ref,), by=by
    )
    return HTTPStatus.OK, booking(row)


def cancel(ident: int) -> tuple[HTTPStatus, object]:
    rows = run(
        "UPDATE appointments SET status = 'cancelled' WHERE id = %s AND status = 'confirmed'"
        " RETURNING id, patient, clinic, day, slot, status, ref",
        (ident,),
        write=True,
    )
    if rows:
        return HTTPStatus.OK, booking(rows[0])
    return HTTPStatus.NOT_FOUND, {"error": f"no confirmed booking {ident}"}


def one(ident: int) -> tuple[HTTPStatus, object]:
    rows = run("SELECT id, patient, clinic, day, slot, status, ref FROM appointments WHERE id = %s", (ident,))
    return (
        (HTTPStatus.OK, booking(rows[0]))
        if rows
        else (HTTPStatus.NOT_FOUND, {"error": f"no booking {ident}"})
    )


def listing(query: dict[str, str]) -> tuple[HTTPStatus, object]:
    if "clinic" in query and "day" in query:
        parse_day(query["day"])
        rows = run(
            "SELECT id, patient, clinic, day, slot, status, ref FROM appointments"
            " WHERE clinic = %s AND day = %s ORDER BY slot, id",
            (query["clinic"], query["day"]),
        )
    elif query.get("all") == "ids":
        rows = run("SELECT id, status, ref FROM appointments ORDER BY id")
        return HTTPStatus.OK, [{"id": r[0], "status": r[1], "ref": r[2]} for r in rows]
    else:
        raise BadRequest("list by clinic and day: ?clinic=cardiology&day=2025-11-07")
    return HTTPStatus.OK, [booking(r) for r in rows]


def health() -> tuple[HTTPStatus, object]:
    run("SELECT 1")
    return HTTPStatus.OK, {"status": "ok", "database": "reachable"}


def page(query: dict[str, str]) -> str:
    """The secretaries' page: a clinic's bookings of a day, and a booking form."""
    clinic = query.get("clinic", CLINICS[0])
    day = query.get("day", dt.date.today().isoformat())
    try:
        _, rows = listing({"clinic": clinic, "day": day})
        items = (
            "".join(
                f"<tr><td>{b['slot']}</td><td>{html.escape(str(b['patient']))}</td><td>{b['status']}</td><td>{b['id']}</td></tr>"
                for b in rows  # type: ignore[attr-defined]
            )
            or "<tr><td colspan=4>No booking.</td></tr>"
        )
    except (Unavailable, BadRequest) as exc:
        items = f"<tr><td colspan=4>Bookings unavailable: {html.escape(str(exc))}</td></tr>"
    options = "".join(f"<option{' selected' if c == clinic else ''}>{c}</option>" for c in CLINICS)
    return (
        "<!doctype html><meta charset=utf-8><title>Appointments</title>"
        f"<h1>Appointments: {html.escape(clinic)}, {html.escape(day)}</h1>"
        f"<form><select name=clinic>{options}</select><input name=day value='{html.escape(day)}'>"
        "<button>Show</button></form>"
        f"<table><tr><th>slot<th>patient<th>status<th>id</tr>{items}</table>"
        "<p>API: <a href=/openapi.json>/openapi.json</a></p>"
    )


ID_PATH = re.compile(r"^/api/appointments/(\d{1,18})$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "appointments/1"

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        match = ID_PATH.match(url.path)
        if url.path == "/":
            self.send(HTTPStatus.OK, page(query).encode(), "text/html; charset=utf-8")
        elif url.path == "/openapi.json":
            self.send(HTTPStatus.OK, OPENAPI.read_bytes(), "application/json")
        else:
            self.answer(
                lambda: (
                    health()
                    if url.path == "/health"
                    else one(int(match.group(1)))
                    if match
                    else listing(query)
                    if url.path == "/api/appointments"
                    else not_found(url.path)
                )
            )

    def do_POST(self) -> None:
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
        match = ID_PATH.match(self.path)
        self.answer(lambda: cancel(int(match.group(1))) if match else not_found(self.path))

    def answer(self, handle: object) -> None:
        try:
            status, body = handle()  # type: ignore[operator]
        except BadRequest as exc:
            status, body = HTTPStatus.BAD_REQUEST, {"error": str(exc)}
        except Conflict as exc:
            status, body = HTTPStatus.CONFLICT, {"error": str(exc)}
        except OutcomeUnknown as exc:
            status, body = HTTPStatus.SERVICE_UNAVAILABLE, {"error": str(exc), "outcome": "unknown"}
        except Unavailable as exc:
            status, body = (
                HTTPStatus.SERVICE_UNAVAILABLE,
                {
                    "error": f"the appointments database is unavailable: {exc}",
                    "outcome": "not done",
                },
            )
        self.send(status, json.dumps(body).encode(), "application/json")

    def send(self, status: HTTPStatus, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return


def not_found(path: str) -> tuple[HTTPStatus, object]:
    return HTTPStatus.NOT_FOUND, {"error": f"no resource {path}"}


OPENAPI = Path(__file__).with_name("openapi.json")


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def create_schema() -> None:
    """Create the table once the database answers; the API serves 503 until then."""
    while True:
        try:
            run(SCHEMA, write=True)
            return
        except (Unavailable, OutcomeUnknown) as exc:
            print(f"appointments: schema not created yet: {exc}", file=sys.stderr, flush=True)
            time.sleep(1)


def check() -> int:
    """Health check for Docker: the server answers (even 503: it is up, its database may not be)."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:8000/openapi.json", timeout=2) as answer:
            return 0 if answer.status == 200 else 1
    except OSError:
        return 1


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
    if "--check" in sys.argv:
        return check()
    if "--storage-check" in sys.argv:
        return storage_check()
    threading.Thread(target=create_schema, daemon=True).start()
    QuietServer(("0.0.0.0", 8000), Handler).serve_forever()  # noqa: S104 - inside its container
    return 0


if __name__ == "__main__":
    sys.exit(main())
