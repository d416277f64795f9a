"""Appointments over HTTP from the host: round trip, bad input, and a database that is gone."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.conftest import Deployed
from tests.integration.engine import client, http, wait_healthy

DAY = "2025-11-07"


def url(deployed: Deployed) -> str:
    return deployed.topology.service("appointments").endpoint("http")


def booking(slot: str, ref: str | None = None) -> dict[str, str]:
    body = {"patient": "Anne Martin", "clinic": "cardiology", "day": DAY, "slot": slot}
    return body | ({"ref": ref} if ref else {})


def test_booking_round_trip(deployed: Deployed) -> None:
    ref = f"t-{uuid.uuid4().hex[:12]}"
    status, made, _ = http("POST", f"{url(deployed)}/api/appointments", booking("09:15", ref))
    assert status == 201 and isinstance(made, dict) and made["status"] == "confirmed"
    status, listed, _ = http("GET", f"{url(deployed)}/api/appointments?clinic=cardiology&day={DAY}")
    assert status == 200 and isinstance(listed, list)
    assert made["id"] in [b["id"] for b in listed]
    status, again, _ = http("POST", f"{url(deployed)}/api/appointments", booking("09:15", ref))
    assert (status, again) == (200, made)
    status, cancelled, _ = http("DELETE", f"{url(deployed)}/api/appointments/{made['id']}")
    assert status == 200 and isinstance(cancelled, dict) and cancelled["status"] == "cancelled"
    status, _, _ = http("DELETE", f"{url(deployed)}/api/appointments/{made['id']}")
    assert status == 404


def test_secretaries_page_and_openapi_description(deployed: Deployed) -> None:
    status, spec, _ = http("GET", f"{url(deployed)}/openapi.json")
    assert status == 200 and isinstance(spec, dict)
    assert set(spec["paths"]) == {"/api/appointments", "/api/appointments/{id}", "/health"}


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"patient": "A", "clinic": "astrology", "day": DAY, "slot": "09:00"}, "unknown clinic"),
        ({"patient": "A", "clinic": "cardiology", "day": "2025-13-40", "slot": "09:00"}, "is not a date"),
        ({"patient": "A", "clinic": "cardiology", "day": DAY, "slot": "9h"}, "slot must be HH:MM"),
        ({"patient": "A", "clinic": "cardiology"}, "missing or non-string field(s): day, slot"),
        (
            {"patient": "A", "clinic": "cardiology", "day": DAY, "slot": "09:00", "x": 1},
            "unknown field(s): x",
        ),
        (["not", "an", "object"], "must be a JSON object"),
    ],
)
def test_malformed_bookings_are_refused_with_a_reason(deployed: Deployed, body: object, said: str) -> None:
    status, answer, _ = http("POST", f"{url(deployed)}/api/appointments", body)
    assert status == 400 and isinstance(answer, dict) and said in answer["error"]
    status, _, _ = http("GET", f"{url(deployed)}/health")
    assert status == 200


def test_a_taken_slot_is_a_conflict(deployed: Deployed) -> None:
    assert http("POST", f"{url(deployed)}/api/appointments", booking("14:45"))[0] == 201
    status, answer, _ = http("POST", f"{url(deployed)}/api/appointments", booking("14:45"))
    assert status == 409 and isinstance(answer, dict) and "already booked" in answer["error"]


def test_vault_away_makes_the_outcome_unknown_within_2_s(deployed: Deployed) -> None:
    [vault] = deployed.topology.service("vault").containers
    client().containers.get(vault.name).stop(timeout=1)
    try:
        status, answer, seconds = http("POST", f"{url(deployed)}/api/appointments", booking("16:00"))
    finally:
        client().containers.get(vault.name).start()
    assert status == 503 and isinstance(answer, dict) and answer["outcome"] == "unknown"
    assert seconds < 2.5
    wait_healthy(vault.name)


def test_database_gone_answers_503_fast_and_comes_back(deployed: Deployed) -> None:
    [array] = deployed.topology.service("storage").containers
    client().containers.get(array.name).stop(timeout=1)
    try:
        status, answer, seconds = http("POST", f"{url(deployed)}/api/appointments", booking("17:00"))
        assert status == 503 and isinstance(answer, dict) and answer["outcome"] == "not done"
        assert "unavailable" in answer["error"] and seconds < 2.5
    finally:
        client().containers.get(array.name).start()
    wait_healthy(array.name)
    [vault] = deployed.topology.service("vault").containers
    wait_healthy(vault.name)
    status, _, _ = http("POST", f"{url(deployed)}/api/appointments", booking("17:00"))
    assert status == 201
