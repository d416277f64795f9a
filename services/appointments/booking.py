"""The booking rules: what a booking request must hold, and a booking as the API shows it.

A request body is a JSON object with patient, clinic, day and slot (all
strings) and an optional ref; any other field is refused. Each rule refuses
with a BadRequest whose text the API answers as it is (HTTP 400). The
patterns are served in the API's OpenAPI document (openapi.py) and match whole values: a slot "09:15\n" is no
slot (with `re.match`, `$` let it through, a second booking of 09:15).
"""

from __future__ import annotations

import datetime as dt
import json
import re

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
REQUIRED = ("patient", "clinic", "day", "slot")
FIELDS = frozenset({*REQUIRED, "ref"})


class BadRequest(Exception):
    """The request body or a parameter is not acceptable; the text says why."""


def booking(row: tuple[object, ...]) -> dict[str, object]:
    """A booking row (id, patient, clinic, day, slot, status, ref) as JSON."""
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

    The checks run in this order, the first that fails answering: JSON, an
    object, the four string fields, the patient's name, the clinic, the
    day, the slot, the ref, unknown fields. ref, optional, is the client's
    own key for the booking: a retry with the same ref returns the booking
    made the first time instead of a second one.
    """
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("the body is not JSON") from exc
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object with patient, clinic, day and slot")
    missing = [f for f in REQUIRED if not isinstance(data.get(f), str)]
    if missing:
        raise BadRequest(f"missing or non-string field(s): {', '.join(missing)}")
    if not PATIENT.fullmatch(data["patient"]):
        raise BadRequest("patient must be 1 to 80 letters, digits, spaces or .'-")
    if data["clinic"] not in CLINICS:
        raise BadRequest(f"unknown clinic {data['clinic']!r}; clinics: {', '.join(CLINICS)}")
    parse_day(data["day"])
    if not SLOT.fullmatch(data["slot"]):
        raise BadRequest("slot must be HH:MM")
    ref = data.get("ref")
    if ref is not None and (not isinstance(ref, str) or not REF.fullmatch(ref)):
        raise BadRequest("ref must be 1 to 64 letters, digits or -")
    extra = sorted(set(data) - FIELDS)
    if extra:
        raise BadRequest(f"unknown field(s): {', '.join(extra)}")
    return data["patient"], data["clinic"], data["day"], data["slot"], ref


def parse_day(text: str) -> dt.date:
    """A YYYY-MM-DD day, or BadRequest."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise BadRequest(f"day {text!r} is not a date (YYYY-MM-DD)") from exc
