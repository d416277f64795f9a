"""The audit's arithmetic: lost = acked - present, unexpected = present - attempted."""

from __future__ import annotations

from drill.audit import ServiceAudit, _final_status
from drill.workload.ledger import LedgerEntry


def test_lost_and_unexpected_and_unknown_that_may_go_either_way() -> None:
    result = ServiceAudit(
        "appointments",
        attempted=frozenset({"a", "b", "c", "d"}),
        acked=frozenset({"a", "b"}),
        unknown=frozenset({"c"}),
        present=frozenset({"a", "c", "z"}),
    )
    assert result.lost == {"b"}
    assert result.unexpected == {"z"}
    assert not result.passed


def test_a_clean_run_passes_whether_unknown_writes_landed_or_not() -> None:
    attempted = frozenset({"a", "u1", "u2"})
    landed = ServiceAudit("lab", attempted, frozenset({"a"}), frozenset({"u1", "u2"}), frozenset({"a", "u1"}))
    assert landed.passed and landed.lost == frozenset()


def test_the_last_outcome_of_a_key_counts() -> None:
    entries = [
        LedgerEntry(1.0, "mail", "send", "<m1>", "invoked"),
        LedgerEntry(2.0, "mail", "send", "<m1>", "unknown"),
        LedgerEntry(3.0, "mail", "send", "<m2>", "invoked"),
    ]
    assert _final_status(entries) == {"<m1>": "unknown"}
