"""The proofs that a service is back write once per step and wait for that same record.

Regression for the first `make gameday` of 2026-12-01: verify-lab sent a new
STAT result on every poll and read the results API at once, so every read
came 16 to 142 ms before its own result's delivery and a correct recovery
failed. Here each service makes a record visible only some reads after it
was written: a proof that writes again per poll never sees its record.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from drill.recovery import proofs, runner
from drill.recovery.context import Verdict
from drill.recovery.plan import StepSpec
from drill.recovery.verifications import VERIFICATIONS
from drill.tls import make_ca
from drill.workload import clients
from infra.topology import ContainerInfo, Endpoint, ServiceInfo, Topology

SERVICES = (
    ServiceInfo(
        "lab",
        (ContainerInfo("gw", "nord-1", "app", "lab"),),
        (Endpoint("mllp", "mllp://127.0.0.1:1"), Endpoint("http", "http://127.0.0.1:2")),
    ),
    ServiceInfo(
        "mail",
        (ContainerInfo("front", "nord-1", "app", "mail"),),
        (Endpoint("smtp", "smtp://127.0.0.1:3"), Endpoint("imap", "imap://127.0.0.1:4")),
    ),
    ServiceInfo(
        "appointments",
        (ContainerInfo("app", "nord-1", "app", "appointments"),),
        (Endpoint("http", "http://127.0.0.1:5"),),
    ),
)


CA = make_ca("t")
TOPOLOGY = Topology("t", "hdrp-t", "access", (), SERVICES, tls_ca=CA.cert)


@dataclass
class Run:
    """What the proofs read of a run of the plan."""

    topology: Topology = TOPOLOGY
    mail_password: str = "pw"


@dataclass
class LateService:
    """A service that shows each record only after `late` reads since it was written."""

    late: int
    writes: list[str] = field(default_factory=list)
    reads_since: dict[str, int] = field(default_factory=dict)

    def write(self, key: str) -> None:
        self.writes.append(key)
        self.reads_since.setdefault(key, 0)

    def read(self, key: str) -> bool:
        if key not in self.reads_since:
            return False
        self.reads_since[key] += 1
        return self.reads_since[key] > self.late


def poll(make: Any, monkeypatch: pytest.MonkeyPatch, timeout_s: float = 5.0) -> Verdict:
    monkeypatch.setattr(runner, "POLL_S", 0.001)
    monkeypatch.setitem(VERIFICATIONS, "under-test", make)
    step = StepSpec("verify", None, "under-test", timeout_s, "")
    return runner._poll(Run(), step, time.monotonic() + timeout_s)  # type: ignore[arg-type]


@pytest.mark.parametrize("late", [0, 1, 5, 30])
def test_a_lab_result_is_sent_once_and_waited_for(monkeypatch: pytest.MonkeyPatch, late: int) -> None:
    lab = LateService(late)

    def exchange(url: str, payload: bytes, tls: object = None) -> tuple[str, str]:
        lab.write(payload.decode().split("\r")[0].split("|")[9])
        return "AA", ""

    def http_json(method: str, url: str, body: object = None, tls: object = None) -> tuple[int, object]:
        assert tls is not None  # the results API is HTTPS: the proof checks it with the stack's CA
        order = url.rsplit("order=", 1)[1]
        return 200, [{"order": order}] if lab.read(order.replace("verify-o-", "verify-")) else []

    monkeypatch.setattr(clients, "mllp_exchange", exchange)
    monkeypatch.setattr(clients, "http_json", http_json)
    verdict = poll(proofs.LabResultProof, monkeypatch)
    assert verdict.ok, verdict.detail
    assert len(lab.writes) == 1


def test_a_lab_result_without_ack_is_resent_with_the_same_control_id(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[bytes] = []

    def exchange(url: str, payload: bytes, tls: object = None) -> tuple[str, str]:
        sent.append(payload)
        if len(sent) < 3:
            raise clients.Unanswered("the gateway closed the connection")
        return "AA", ""

    monkeypatch.setattr(clients, "mllp_exchange", exchange)
    monkeypatch.setattr(clients, "http_json", lambda *a, **k: (200, [{"control_id": "x"}]))
    assert poll(proofs.LabResultProof, monkeypatch).ok
    control_ids = {p.decode().split("\r")[0].split("|")[9] for p in sent}
    assert len(sent) == 3 and len(control_ids) == 1


def test_a_refused_lab_result_fails_the_step_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bytes] = []

    def exchange(url: str, payload: bytes, tls: object = None) -> tuple[str, str]:
        calls.append(payload)
        return "AE", "OBX-5 is not a number"

    monkeypatch.setattr(clients, "mllp_exchange", exchange)
    verdict = poll(proofs.LabResultProof, monkeypatch)
    assert not verdict.ok and verdict.final and "OBX-5" in verdict.detail and len(calls) == 1


@pytest.mark.parametrize("late", [0, 3, 20])
def test_a_message_is_sent_once_and_waited_for(monkeypatch: pytest.MonkeyPatch, late: int) -> None:
    mail = LateService(late)
    monkeypatch.setattr(clients, "smtp_send", lambda url, sender, to, mid, text, tls: mail.write(mid))
    monkeypatch.setattr(clients, "imap_has", lambda url, user, pw, mid, tls: mail.read(mid))
    verdict = poll(proofs.MailProof, monkeypatch)
    assert verdict.ok, verdict.detail
    assert len(mail.writes) == 1


def test_a_booking_that_may_exist_is_retried_with_its_own_ref(monkeypatch: pytest.MonkeyPatch) -> None:
    refs: list[object] = []
    answers = iter([(503, {"outcome": "unknown"}), (503, {"outcome": "unknown"}), (200, {})])

    def http_json(method: str, url: str, body: Any = None, tls: object = None) -> tuple[int, object]:
        assert tls is not None
        refs.append(body["ref"])
        return next(answers)

    monkeypatch.setattr(clients, "http_json", http_json)
    assert poll(proofs.BookingProof, monkeypatch).ok
    assert len(refs) == 3 and len(set(refs)) == 1


def test_a_record_that_never_shows_fails_at_the_timeout_with_its_evidence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lab = LateService(late=10**9)

    def exchange(url: str, payload: bytes, tls: object = None) -> tuple[str, str]:
        lab.write("x")
        return "AA", ""

    monkeypatch.setattr(clients, "mllp_exchange", exchange)
    monkeypatch.setattr(clients, "http_json", lambda *a, **k: (200, []))
    verdict = poll(proofs.LabResultProof, monkeypatch, timeout_s=0.2)
    assert not verdict.ok and "delivered: False" in verdict.detail and len(lab.writes) == 1
