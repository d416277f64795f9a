"""Tries: probes that write one record of their own to see how a service answers.

A try books a far-future slot with its own ref, sends a probe message, or
sends a result with its own control id; it returns how the service answered
(HTTP status and outcome, 250 or not, the ACK code) and never raises because
a service is down. Chaos Toolkit runs them as probes (a steady-state
hypothesis takes only probes); unlike drill/chaos/probes.py they change the
service's data, by one record whose key no workload operation uses, so the
audit never counts them.
"""

from __future__ import annotations

import smtplib
import time
import uuid

from drill.workload import clients
from drill.workload.operations import booking_slot

__all__ = ["booking_answer", "lab_ack", "smtp_accepts"]


def booking_answer(url: str, tls_ca_file: str = "") -> dict[str, object]:
    """Try one booking (a slot and ref of its own); return its HTTP status, outcome and seconds.
    tls_ca_file: the stack's CA certificate, for an https:// url."""
    ref = f"probe-{uuid.uuid4().hex[:12]}"
    clinic, day, slot = booking_slot(ref, 0)  # a slot of its own
    body = {"patient": "Probe", "clinic": clinic, "day": day, "slot": slot, "ref": ref}
    started = time.monotonic()
    try:
        status, answer = clients.http_json(
            "POST", f"{url}/api/appointments", body, clients.tls_from_file(tls_ca_file)
        )
    except (clients.Unsent, clients.Unanswered) as exc:
        return {"status": 0, "outcome": f"no answer: {exc}", "seconds": time.monotonic() - started}
    outcome = answer.get("outcome", "done") if isinstance(answer, dict) else "done"
    return {"status": status, "outcome": outcome, "seconds": round(time.monotonic() - started, 3)}


def smtp_accepts(smtp_url: str, to: str) -> bool:
    """Whether the mail front end accepts one message for `to` (250 after DATA), sent from its domain,
    as any sender may: in plain SMTP (the front end offers STARTTLS and, as a public MX, requires it of
    no one; the probe holds no CA of the stack)."""
    domain = to.rpartition("@")[2]
    try:
        clients.smtp_send(
            smtp_url, f"probe@{domain}", to, f"<probe-{uuid.uuid4()}@{domain}>", "probe", tls=None
        )
    except (smtplib.SMTPException, clients.Unsent, clients.Unanswered):
        return False
    return True


def lab_ack(mllp_url: str, stat: bool = False, tls_ca_file: str = "") -> str:
    """Send one result over MLLP; return the ACK code (AA, AE, AR) or "" when none came.
    tls_ca_file: the stack's CA certificate, for an mllps:// (MLLP over TLS) url."""
    ident = uuid.uuid4().hex[:12]
    try:
        code, _ = clients.mllp_exchange(
            mllp_url,
            clients.oru(f"probe-{ident}", f"probe-o-{ident}", "P00001", stat),
            clients.tls_from_file(tls_ca_file),
        )
    except (clients.Unsent, clients.Unanswered):
        return ""
    return code
