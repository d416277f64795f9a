"""The API's operations on the bookings, each one statement under the store's deadline.

Each returns (HTTP status, JSON body) or raises BadRequest (400), Conflict
(409), OutcomeUnknown or Unavailable (503): the HTTP layer (appointments.py)
turns those into answers.
"""

from __future__ import annotations

import sys
import time
from http import HTTPStatus

from services.appointments.booking import BadRequest, booking, parse_booking, parse_day
from services.appointments.store import DEADLINE_S, OutcomeUnknown, Unavailable, run

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
Answer = tuple[HTTPStatus, object]


def create(body: bytes) -> Answer:
    """Book (201), or return the booking an earlier request with the same ref made (200)."""
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


def cancel(ident: int) -> Answer:
    """Cancel a confirmed booking (200 with it), or 404."""
    rows = run(
        "UPDATE appointments SET status = 'cancelled' WHERE id = %s AND status = 'confirmed'"
        " RETURNING id, patient, clinic, day, slot, status, ref",
        (ident,),
        write=True,
    )
    if rows:
        return HTTPStatus.OK, booking(rows[0])
    return HTTPStatus.NOT_FOUND, {"error": f"no confirmed booking {ident}"}


def one(ident: int) -> Answer:
    """One booking by id, or 404."""
    rows = run("SELECT id, patient, clinic, day, slot, status, ref FROM appointments WHERE id = %s", (ident,))
    return (
        (HTTPStatus.OK, booking(rows[0]))
        if rows
        else (HTTPStatus.NOT_FOUND, {"error": f"no booking {ident}"})
    )


def bookings_of(clinic: str, day: str) -> list[dict[str, object]]:
    """A clinic's bookings of a day, by slot; raises BadRequest for a day that is not a date."""
    parse_day(day)
    rows = run(
        "SELECT id, patient, clinic, day, slot, status, ref FROM appointments"
        " WHERE clinic = %s AND day = %s ORDER BY slot, id",
        (clinic, day),
    )
    return [booking(r) for r in rows]


def listing(query: dict[str, str]) -> Answer:
    """?clinic=&day= (a clinic's day) or ?all=ids (every booking's id, status and ref); else BadRequest."""
    if "clinic" in query and "day" in query:
        return HTTPStatus.OK, bookings_of(query["clinic"], query["day"])
    if query.get("all") == "ids":
        rows = run("SELECT id, status, ref FROM appointments ORDER BY id")
        return HTTPStatus.OK, [{"id": r[0], "status": r[1], "ref": r[2]} for r in rows]
    raise BadRequest("list by clinic and day: ?clinic=cardiology&day=2025-11-07")


def health() -> Answer:
    """200 when the database answers a query."""
    run("SELECT 1")
    return HTTPStatus.OK, {"status": "ok", "database": "reachable"}


def create_schema() -> None:
    """Create the table once the database answers; the API serves 503 until then."""
    while True:
        try:
            run(SCHEMA, write=True)
            return
        except (Unavailable, OutcomeUnknown) as exc:
            print(f"appointments: schema not created yet: {exc}", file=sys.stderr, flush=True)
            time.sleep(1)
