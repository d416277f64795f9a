"""The API's OpenAPI document: openapi.json describes the paths and answers, and the rules that
validate a booking (services/appointments/booking.py) fill in what a request must hold.

The clinics, the patterns of patient, slot and ref, and which fields are
required or allowed are written once, in booking.py; the document served at
/openapi.json (and fuzzed by schemathesis) takes them from there, so the
description cannot drift from the checks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from services.appointments.booking import CLINICS, FIELDS, PATIENT, REF, REQUIRED, SLOT

DESCRIBED = Path(__file__).with_name("openapi.json")


def document(deadline_s: float) -> dict[str, Any]:
    """The OpenAPI document, with booking.py's rules and the app's deadline filled in."""
    doc: dict[str, Any] = json.loads(DESCRIBED.read_text(encoding="utf-8"))
    schemas = doc["components"]["schemas"]
    schemas["Clinic"]["enum"] = list(CLINICS)
    new = schemas["NewAppointment"]
    new["required"] = list(REQUIRED)
    properties = new["properties"]
    missing = FIELDS - set(properties)
    if missing:
        raise ValueError(f"openapi.json does not describe the booking field(s) {', '.join(sorted(missing))}")
    for name, rule in (("patient", PATIENT), ("slot", SLOT), ("ref", REF)):
        properties[name]["pattern"] = rule.pattern
    unavailable = doc["components"]["responses"]["Unavailable"]
    unavailable["description"] = f"The database is unavailable (answered within {deadline_s:g} s)"
    return doc
