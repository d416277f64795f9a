"""The booking rules (services/appointments/booking.py): what a request must hold, refused in words."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.appointments.booking import CLINICS, BadRequest, booking, parse_booking, parse_day

GOOD = {"patient": "Jane O'Doe-Smith", "clinic": "cardiology", "day": "2025-11-07", "slot": "09:15"}
SLOTS = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
PATIENTS = st.text(alphabet="abcXYZ019 .'-", min_size=1, max_size=80)
DAYS = st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat)
REFS = st.none() | st.text(alphabet="abcXYZ019-", min_size=1, max_size=64)


def body(value: object) -> bytes:
    return json.dumps(value).encode()


def refused(value: object) -> str:
    with pytest.raises(BadRequest) as caught:
        parse_booking(value if isinstance(value, bytes) else body(value))
    return str(caught.value)


@settings(max_examples=200, deadline=None)
@given(PATIENTS, st.sampled_from(CLINICS), DAYS, SLOTS, REFS)
def test_a_booking_within_the_rules_is_taken_as_it_came(
    patient: str, clinic: str, day: str, slot: str, ref: str | None
) -> None:
    request: dict[str, object] = {"patient": patient, "clinic": clinic, "day": day, "slot": slot}
    if ref is not None:
        request["ref"] = ref
    assert parse_booking(body(request)) == (patient, clinic, day, slot, ref)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"{not json", "the body is not JSON"),
        (b"\xff\xfe\x00", "the body is not JSON"),
        (["a", "list"], "the body must be a JSON object with patient, clinic, day and slot"),
        ({"patient": "Jane", "clinic": "biology"}, "missing or non-string field(s): day, slot"),
        ({**GOOD, "slot": 915}, "missing or non-string field(s): slot"),
        ({}, "missing or non-string field(s): patient, clinic, day, slot"),
        ({**GOOD, "patient": "Jane<script>"}, "patient must be 1 to 80 letters, digits, spaces or .'-"),
        ({**GOOD, "patient": ""}, "patient must be 1 to 80 letters, digits, spaces or .'-"),
        ({**GOOD, "patient": "x" * 81}, "patient must be 1 to 80 letters, digits, spaces or .'-"),
        ({**GOOD, "day": "2025-02-30"}, "day '2025-02-30' is not a date (YYYY-MM-DD)"),
        ({**GOOD, "day": "tomorrow"}, "day 'tomorrow' is not a date (YYYY-MM-DD)"),
        ({**GOOD, "slot": "9:15"}, "slot must be HH:MM"),
        ({**GOOD, "slot": "24:00"}, "slot must be HH:MM"),
        ({**GOOD, "slot": "12:60"}, "slot must be HH:MM"),
        ({**GOOD, "slot": "09:15\n"}, "slot must be HH:MM"),  # the same slot twice, else
        ({**GOOD, "patient": "Jane\n"}, "patient must be 1 to 80 letters, digits, spaces or .'-"),
        ({**GOOD, "ref": "r-1\n"}, "ref must be 1 to 64 letters, digits or -"),
        ({**GOOD, "ref": ""}, "ref must be 1 to 64 letters, digits or -"),
        ({**GOOD, "ref": "a b"}, "ref must be 1 to 64 letters, digits or -"),
        ({**GOOD, "ref": "r" * 65}, "ref must be 1 to 64 letters, digits or -"),
        ({**GOOD, "ref": 7}, "ref must be 1 to 64 letters, digits or -"),
        ({**GOOD, "notes": "x", "id": 3}, "unknown field(s): id, notes"),
    ],
)
def test_each_rule_refuses_with_its_own_words(value: object, reason: str) -> None:
    assert refused(value) == reason


def test_an_unknown_clinic_is_named_with_the_clinics_there_are() -> None:
    assert refused({**GOOD, "clinic": "dentistry"}) == (
        "unknown clinic 'dentistry'; clinics: cardiology, biology, radiology, paediatrics,"
        " surgery, oncology, neurology, maternity"
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20).filter(lambda c: c not in CLINICS))
def test_no_clinic_but_the_eight_is_taken(clinic: str) -> None:
    assert refused({**GOOD, "clinic": clinic}).startswith("unknown clinic ")


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=8).filter(lambda s: not (len(s) == 5 and s[2] == ":" and s.replace(":", "").isdigit()))
)
def test_a_slot_that_is_not_hh_mm_is_refused(slot: str) -> None:
    assert refused({**GOOD, "slot": slot}) == "slot must be HH:MM"


def test_a_null_ref_is_no_ref_and_the_first_failing_rule_answers() -> None:
    assert parse_booking(body({**GOOD, "ref": None}))[4] is None
    # A bad clinic is reported before a bad slot, a bad slot before an unknown field.
    assert refused({**GOOD, "clinic": "x", "slot": "x"}).startswith("unknown clinic")
    assert refused({**GOOD, "slot": "x", "extra": 1}) == "slot must be HH:MM"


def test_a_day_is_a_calendar_day() -> None:
    assert parse_day("2024-02-29") == dt.date(2024, 2, 29)
    with pytest.raises(BadRequest, match="is not a date"):
        parse_day("2025-02-29")


def test_a_booking_row_shows_as_json_with_its_day_as_text() -> None:
    row = (7, "Jane", "biology", dt.date(2025, 11, 7), "09:15", "confirmed", None)
    assert booking(row) == {
        "id": 7,
        "patient": "Jane",
        "clinic": "biology",
        "day": "2025-11-07",
        "slot": "09:15",
        "status": "confirmed",
        "ref": None,
    }
