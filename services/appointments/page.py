"""The secretaries' page: a clinic's bookings of a day, and the form that picks them."""

from __future__ import annotations

import datetime as dt
import html

from services.appointments.api import bookings_of
from services.appointments.booking import CLINICS, BadRequest
from services.appointments.store import Unavailable


def page(query: dict[str, str]) -> str:
    """The page for ?clinic=&day= (the first clinic and today by default), as HTML.

    When the bookings cannot be read, the page says why instead of listing them.
    """
    clinic = query.get("clinic", CLINICS[0])
    day = query.get("day", dt.date.today().isoformat())
    try:
        items = "".join(row(b) for b in bookings_of(clinic, day)) or "<tr><td colspan=4>No booking.</td></tr>"
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


def row(booking: dict[str, object]) -> str:
    """One booking as a table row: slot, patient, status, id."""
    return (
        f"<tr><td>{booking['slot']}</td><td>{html.escape(str(booking['patient']))}</td>"
        f"<td>{booking['status']}</td><td>{booking['id']}</td></tr>"
    )
