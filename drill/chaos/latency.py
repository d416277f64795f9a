"""Probe: how long each service takes to answer a read, as users wait for it; it changes nothing."""

from __future__ import annotations

import contextlib
import imaplib
import statistics
import time
from collections.abc import Callable

from drill.workload import clients

__all__ = ["service_latencies"]


def service_latencies(
    appointments_url: str,
    lab_results_url: str,
    imap_url: str,
    intranet_url: str,
    requests: int = 3,
    tls_ca_file: str = "",
) -> dict[str, float]:
    """Median seconds of `requests` reads per service (a day's bookings, a lab results query,
    an IMAP connection and greeting, a directory lookup); a failed read counts as its time to fail.
    tls_ca_file: the stack's CA certificate, for https:// URLs (a TLS handshake is part of a read)."""
    tls = clients.tls_from_file(tls_ca_file)
    reads: dict[str, Callable[[], object]] = {
        "appointments": lambda: clients.http_json(
            "GET", f"{appointments_url}/api/appointments?all=ids", tls=tls
        ),
        "lab": lambda: clients.http_json("GET", lab_results_url, tls=tls),
        "mail": lambda: _imap_greeting(imap_url),
        "intranet": lambda: clients.http_json("GET", intranet_url),
    }
    medians = {}
    for service, read in reads.items():
        times = []
        for _ in range(requests):
            started = time.monotonic()
            with contextlib.suppress(clients.Unsent, clients.Unanswered):
                read()
            times.append(time.monotonic() - started)
        medians[f"{service}_s"] = round(statistics.median(times), 3)
    return medians


def _imap_greeting(url: str) -> None:
    """Connect to IMAP (the store's greeting through the proxy), then log out."""
    try:
        imaplib.IMAP4(*clients.host_port(url), timeout=clients.TIMEOUT_S).logout()
    except (OSError, imaplib.IMAP4.error, EOFError) as exc:
        raise clients.Unanswered(str(exc)) from exc
