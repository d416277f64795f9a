"""The lab gateway's journal (services/lab_gateway/journal.py): once per MSH-10, STAT delivered first."""

from __future__ import annotations

import json
import tempfile
import threading
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from services.lab_gateway.journal import KEPT_BYTES, Journal
from services.lab_gateway.validation import Refused, Result


def result(control_id: str, priority: str = "R") -> Result:
    return Result(
        control_id=control_id,
        patient="P00042",
        order=f"O-{control_id}",
        priority=priority,
        observations=(("GLU^Glucose^L", "5.4", "mmol/L"),),
        sender="AN01",
        raw=f"MSH|...|{control_id}",
    )


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_duplicate_msh_10_is_journaled_once_even_after_a_restart(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    assert journal.accept(result("C-1")) is True
    assert journal.accept(result("C-1", "S")) is False
    assert [e["control_id"] for e in lines(tmp_path / "journal.jsonl")] == ["C-1"]
    again = Journal(tmp_path)
    assert again.accept(result("C-1")) is False
    assert [e["control_id"] for e in again.pending()] == ["C-1"]
    assert again.health()["journaled"] == 1


def test_stat_comes_out_first_then_arrival_order(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    for control_id, priority in [("R1", "R"), ("S1", "S"), ("R2", "R"), ("A1", "A"), ("S2", "S")]:
        journal.accept(result(control_id, priority))
    assert [e["control_id"] for e in journal.pending()] == ["S1", "S2", "R1", "R2", "A1"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.sampled_from("SRA")), max_size=25))
def test_whatever_arrives_pending_is_each_result_once_stat_first_in_arrival_order(
    arrivals: list[tuple[int, str]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        journal = Journal(Path(folder))
        first_seen: dict[str, str] = {}
        for number, priority in arrivals:
            control_id = f"C-{number}"
            assert journal.accept(result(control_id, priority)) is (control_id not in first_seen)
            first_seen.setdefault(control_id, priority)
        expected = [c for c, p in first_seen.items() if p == "S"] + [
            c for c, p in first_seen.items() if p != "S"
        ]
        assert [e["control_id"] for e in journal.pending()] == expected
        assert [
            e["control_id"] for e in Journal(Path(folder)).pending()
        ] == expected  # the same after a restart


def test_delivered_results_leave_pending_for_good(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.accept(result("C-1", "S"))
    journal.accept(result("C-2"))
    journal.mark_delivered("C-1")
    assert [e["control_id"] for e in journal.pending()] == ["C-2"]
    again = Journal(tmp_path)
    assert [e["control_id"] for e in again.pending()] == ["C-2"] and again.accept(result("C-1")) is False
    assert again.health() == {
        "receiving": False,
        "delivering": False,
        "journaled": 2,
        "pending": 1,
        "rejected": 0,
    }


def test_a_torn_last_line_is_skipped_at_start(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.accept(result("C-1"))
    with open(tmp_path / "journal.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"control_id": "C-2", "patient"')  # the crash came mid-write
    assert [e["control_id"] for e in Journal(tmp_path).pending()] == ["C-1"]


def test_refused_messages_are_kept_with_their_reason_and_counted(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.reject(Refused("AE", "the message has no OBX segment", "C-9"), b"x" * (KEPT_BYTES + 10))
    journal.reject(Refused("AR", "HL7 version '2.3' is not 2.5"), b"\xffMSH")
    kept = lines(tmp_path / "rejected.jsonl")
    assert [(k["control_id"], k["code"]) for k in kept] == [("C-9", "AE"), ("", "AR")]
    assert len(str(kept[0]["payload"])) == KEPT_BYTES and kept[1]["payload"] == "\ufffdMSH"
    assert Journal(tmp_path).health()["rejected"] == 2


def test_an_ack_waits_for_delivery_only_while_the_database_answers(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.accept(result("C-1"))
    started = time.monotonic()
    assert journal.wait_delivered("C-1", 5) is False  # not delivering: no wait at all
    assert time.monotonic() - started < 1
    journal.set_delivering(True)
    assert journal.wait_delivered("C-1", 0.2) is False  # delivering, but not this one in time
    threading.Timer(0.1, journal.mark_delivered, args=("C-1",)).start()
    assert journal.wait_delivered("C-1", 5) is True
    journal.accept(result("C-2"))
    threading.Timer(0.1, journal.set_delivering, args=(False,)).start()
    started = time.monotonic()
    assert (
        journal.wait_delivered("C-2", 5) is False and time.monotonic() - started < 2
    )  # the database went away
