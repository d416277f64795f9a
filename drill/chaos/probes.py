"""Probes: they observe the services from the host, as users would, and change nothing.

Each returns plain values that an experiment's tolerance checks; none
raises because a service is down, since being down is what they measure.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import time
import uuid

from drill.workload import clients

__all__ = ["booking_answer", "http_answers", "lab_ack", "smtp_accepts"]


def http_answers(url: str, requests: int = 20, fallback_urls: str = "") -> dict[str, float]:
    """GET url `requests` times; return how many failed, how many failed over, and the slowest answer.

    fallback_urls: comma-separated URLs of the same resource at the service's
    other addresses (the intranet's other balancers), tried in order when the
    one before cannot be reached at all, as a browser does; an HTTP error is
    an answer and counts as failed. Returns requests, failed, failovers (the
    requests answered at another address than url) and slowest_s.
    """
    urls = [url, *(u.strip() for u in fallback_urls.split(",") if u.strip())]
    failed, failovers, slowest = 0, 0, 0.0
    for _ in range(requests):
        started = time.monotonic()
        try:
            answer = clients.http_json_any("GET", urls)
            status, failovers = answer.status, failovers + (answer.failovers > 0)
        except (clients.Unsent, clients.Unanswered):
            status = 0
        slowest = max(slowest, time.monotonic() - started)
        failed += status != 200
    return {
        "requests": float(requests),
        "failed": float(failed),
        "failovers": float(failovers),
        "slowest_s": round(slowest, 3),
    }


def booking_answer(url: str) -> dict[str, object]:
    """Try one booking (its own far-future slot and ref); return its HTTP status, outcome and seconds."""
    token = uuid.uuid4()
    ref = f"probe-{token.hex[:12]}"
    # A slot of its own: a random minute of a random far-future day.
    day = dt.date(2100, 1, 1) + dt.timedelta(days=token.int % 36500)
    slot = f"{token.int // 36500 % 24:02d}:{token.int // 876000 % 60:02d}"
    body = {"patient": "Probe", "clinic": "radiology", "day": day.isoformat(), "slot": slot, "ref": ref}
    started = time.monotonic()
    try:
        status, answer = clients.http_json("POST", f"{url}/api/appointments", body)
    except (clients.Unsent, clients.Unanswered) as exc:
        return {"status": 0, "outcome": f"no answer: {exc}", "seconds": time.monotonic() - started}
    outcome = answer.get("outcome", "done") if isinstance(answer, dict) else "done"
    return {"status": status, "outcome": outcome, "seconds": round(time.monotonic() - started, 3)}


def smtp_accepts(smtp_url: str, to: str) -> bool:
    """Whether the mail front end accepts one message for `to` (250 after DATA), sent from its domain."""
    domain = to.rpartition("@")[2]
    try:
        clients.smtp_send(smtp_url, f"probe@{domain}", to, f"<probe-{uuid.uuid4()}@{domain}>", "probe")
    except (smtplib.SMTPException, clients.Unsent, clients.Unanswered):
        return False
    return True


def lab_ack(mllp_url: str, stat: bool = False) -> str:
    """Send one result over MLLP; return the ACK code (AA, AE, AR) or "" when none came."""
    ident = uuid.uuid4().hex[:12]
    try:
        code, _ = clients.mllp_exchange(
            mllp_url, clients.oru(f"probe-{ident}", f"probe-o-{ident}", "P00001", stat)
        )
    except (clients.Unsent, clients.Unanswered):
        return ""
    return code
