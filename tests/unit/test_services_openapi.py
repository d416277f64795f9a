"""The appointments API's OpenAPI document takes the booking rules from booking.py, never a copy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.appointments import openapi
from services.appointments.booking import CLINICS, FIELDS, REQUIRED, BadRequest, parse_booking


def test_the_served_document_holds_the_rules_that_validate() -> None:
    doc = openapi.document(1.7)
    schemas = doc["components"]["schemas"]
    assert schemas["Clinic"]["enum"] == list(CLINICS)
    new = schemas["NewAppointment"]
    assert new["required"] == list(REQUIRED) and set(new["properties"]) == set(FIELDS)
    assert new["additionalProperties"] is False
    assert "1.7 s" in doc["components"]["responses"]["Unavailable"]["description"]


def test_the_described_file_holds_no_rule_of_its_own() -> None:
    described = json.loads(openapi.DESCRIBED.read_text())["components"]["schemas"]
    assert "enum" not in described["Clinic"] and "required" not in described["NewAppointment"]
    assert not any("pattern" in p for p in described["NewAppointment"]["properties"].values())


@given(
    st.fixed_dictionaries(
        {
            "patient": st.text(max_size=90),
            "clinic": st.sampled_from([*CLINICS, "astrology"]),
            "day": st.just("2031-05-04"),
            "slot": st.text(alphabet="0123456789:", max_size=6),
            "ref": st.text(alphabet="abcXYZ-09_ ", min_size=0, max_size=70),
        }
    )
)
def test_a_body_the_document_allows_is_one_the_rules_accept(body: dict[str, str]) -> None:
    """The document's patterns, read whole as a JSON-schema validator does, agree with booking.py."""
    properties = openapi.document(1.7)["components"]["schemas"]["NewAppointment"]["properties"]
    allowed = body["clinic"] in CLINICS and all(
        re.fullmatch(properties[name]["pattern"], body[name]) for name in ("patient", "slot", "ref")
    )
    try:
        parse_booking(json.dumps(body).encode())
        accepted = True
    except BadRequest:
        accepted = False
    assert accepted == allowed


def test_a_booking_field_the_file_does_not_describe_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    described = json.loads(openapi.DESCRIBED.read_text())
    del described["components"]["schemas"]["NewAppointment"]["properties"]["ref"]
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(described))
    monkeypatch.setattr(openapi, "DESCRIBED", path)
    with pytest.raises(ValueError, match=r"does not describe the booking field.* ref"):
        openapi.document(1.7)
